import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBucket, jobBody, startTestService, type TestService } from '../support/harness.js';

// Authentication off on loopback (the default): any program on this machine is an operator, and
// these checks keep a web page in the developer's browser from being one.
let service: TestService;
let bucket: string;
let port: number;

beforeAll(async () => {
  // The API alone: runs stay queued, so cancelling one is a change a test can see.
  service = await startTestService({ roles: ['api'], env: { TDS_CORS_ORIGIN: 'https://app.example.com' } });
  bucket = await createBucket();
  port = Number(new URL(service.apiUrl!).port);
});

afterAll(async () => {
  await service?.close();
});

interface RawResponse {
  status: number;
  body: { error?: string; message?: string; state?: string; id?: string };
}

/** A request with headers fetch would not let a test set (Host), over a plain socket to loopback. */
function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-length': Buffer.byteLength(body) }) },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          let parsed: RawResponse['body'] = {};
          try {
            parsed = JSON.parse(text) as RawResponse['body'];
          } catch {
            parsed = { message: text };
          }
          resolve({ status: response.statusCode ?? 0, body: parsed });
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function jobCount(): Promise<number> {
  const [row] = await service.db.query('SELECT count(*)::int AS n FROM jobs');
  return row!.n as number;
}

async function queuedRun(): Promise<string> {
  const submitted = await service.request('POST', '/jobs', jobBody(bucket));
  expect(submitted.status).toBe(202);
  return submitted.body.run.id as string;
}

describe('keyless loopback mode', () => {
  it('answers only a Host naming loopback: a DNS-rebinding page gets 421 and stores nothing', async () => {
    const before = await jobCount();
    const body = JSON.stringify(jobBody(bucket));
    for (const host of [
      'attacker.example',
      `attacker.example:${port}`,
      `127.0.0.1.attacker.example:${port}`,
    ]) {
      const answer = await raw('POST', '/jobs', { host, 'content-type': 'application/json' }, body);
      expect(answer.status, `${host} ${JSON.stringify(answer.body)}`).toBe(421);
      expect(answer.body.error).toBe('misdirected_request');
      expect(answer.body.message).toContain('TDS_AUTH=on');
    }
    expect(await jobCount()).toBe(before);
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `[::1]:${port}`,
      'localhost',
      'LOCALHOST',
    ]) {
      const answer = await raw('GET', '/overview', { host });
      expect(answer.status, host).toBe(200);
    }
  });

  it('accepts only JSON bodies: a text/plain or form body gets 415, a body-less request still works', async () => {
    const before = await jobCount();
    const host = `127.0.0.1:${port}`;
    const body = JSON.stringify(jobBody(bucket));
    for (const type of [
      'text/plain',
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const answer = await raw('POST', '/jobs', { host, 'content-type': type }, body);
      expect(answer.status, type).toBe(415);
      expect(answer.body.message).toContain('Content-Type: application/json');
    }
    // A form with no fields still names its type: refused, though its body is empty.
    const runId = await queuedRun();
    const emptyForm = await raw(
      'POST',
      `/runs/${runId}/cancel`,
      { host, 'content-type': 'application/x-www-form-urlencoded' },
      '',
    );
    expect(emptyForm.status).toBe(415);
    expect(await jobCount()).toBe(before + 1);
    expect((await service.request('GET', `/runs/${runId}`)).body.state).toBe('queued');
    // A client that sends no body (the CLI, the dashboard) still cancels.
    const cancelled = await raw('POST', `/runs/${runId}/cancel`, { host });
    expect(cancelled.status).toBe(202);
    expect(cancelled.body.state).toBe('cancelled');
  });

  it("refuses a request from another site's page (its Origin), and lets loopback pages and listed origins through", async () => {
    const host = `127.0.0.1:${port}`;
    const runId = await queuedRun();
    for (const origin of ['https://attacker.example', 'null', `http://127.0.0.1.attacker.example:${port}`]) {
      const answer = await raw('POST', `/runs/${runId}/cancel`, { host, origin });
      expect(answer.status, origin).toBe(403);
      expect(answer.body.message).toContain('TDS_CORS_ORIGIN');
    }
    expect((await service.request('GET', `/runs/${runId}`)).body.state).toBe('queued');
    for (const origin of [`http://127.0.0.1:${port}`, 'http://localhost:5173', 'https://app.example.com']) {
      const answer = await raw('GET', `/runs/${runId}`, { host, origin });
      expect(answer.status, origin).toBe(200);
    }
  });
});
