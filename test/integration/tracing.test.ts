import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBucket, eventually, jobBody, startTestService, type TestService } from '../support/harness.js';

/**
 * OpenTelemetry traces, received as a collector would: a small OTLP/HTTP receiver (the exporter's
 * JSON protocol) to which the service sends the spans of a run's stages and of its API requests.
 */
interface ReceivedSpan {
  traceId: string;
  spanId: string;
  name: string;
  attributes: Record<string, unknown>;
}

const received: ReceivedSpan[] = [];
let receiver: http.Server;
let service: TestService;

function startReceiver(): Promise<string> {
  receiver = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let body = Buffer.concat(chunks);
      if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      expect(request.url).toBe('/v1/traces');
      expect(request.headers['content-type']).toMatch(/json/);
      const payload = JSON.parse(body.toString('utf8')) as {
        resourceSpans: {
          scopeSpans: {
            spans: {
              traceId: string;
              spanId: string;
              name: string;
              attributes?: { key: string; value: Record<string, unknown> }[];
            }[];
          }[];
        }[];
      };
      for (const resource of payload.resourceSpans) {
        for (const scope of resource.scopeSpans) {
          for (const span of scope.spans) {
            const attributes = Object.fromEntries(
              (span.attributes ?? []).map(({ key, value }) => [key, Object.values(value)[0]]),
            );
            received.push({ traceId: span.traceId, spanId: span.spanId, name: span.name, attributes });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) => {
    receiver.listen(0, '127.0.0.1', () => {
      const address = receiver.address() as { port: number };
      resolve(`http://127.0.0.1:${address.port}`);
    });
  });
}

beforeAll(async () => {
  const endpoint = await startReceiver();
  service = await startTestService({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint } });
});

afterAll(async () => {
  await service?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('OpenTelemetry traces', () => {
  it("send a run's stages in one trace (its id the run's) and a span for each API request", async () => {
    const bucket = await createBucket();
    const marker = 'trace-marker-7d1f';
    const posted = await service.request('POST', '/jobs', jobBody(bucket, { command: `echo ${marker}` }));
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    const runId = posted.body.run.id as string;
    const ended = await service.waitForRun(runId);
    expect(ended.state).toBe('succeeded');

    const stages = ['staging', 'building', 'running', 'uploading'];
    const ofRun = () => received.filter((span) => span.attributes['tds.run.id'] === runId);
    await eventually('every stage of the run received', async () =>
      stages.every((stage) => ofRun().some((span) => span.attributes['tds.stage'] === stage)),
    ).catch(() => undefined);
    const spans = ofRun();
    expect(spans.map((span) => span.attributes['tds.stage']).sort()).toEqual([...stages].sort());
    expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([runId.replaceAll('-', '')]));
    expect(new Set(spans.map((span) => span.spanId)).size).toBe(4);

    await eventually('the request span received', async () =>
      received.some((span) => span.name === 'POST /jobs'),
    ).catch(() => undefined);
    const request = received.find((span) => span.name === 'POST /jobs');
    expect(request?.attributes['http.route']).toBe('/jobs');
    expect(request?.attributes['http.response.status_code']).toBe(202);
    // Spans carry ids and outcomes, never what a job runs.
    expect(JSON.stringify(received)).not.toContain(marker);
  });
});
