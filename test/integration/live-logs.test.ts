import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBucket, jobBody, putObject, startTestService, type TestService } from '../support/harness.js';

let service: TestService;
let bucket: string;

beforeAll(async () => {
  service = await startTestService({ env: { TDS_LIVE_LOG_BYTES: '4096' } });
  bucket = await createBucket();
  await putObject(bucket, 'in/data.txt', 'x\n');
});

afterAll(async () => {
  await service?.close();
});

describe('GET /runs/:id/logs while a run runs', () => {
  it('reads at most TDS_LIVE_LOG_BYTES of each stream, its end, however long the lines', async () => {
    // One line of 400 KB of two-byte characters on stdout, one of 200 KB on stderr, then a last line.
    const command = [
      "yes é | head -n 200000 | tr -d '\\n'; echo; echo out-end",
      "yes x | head -n 200000 | tr -d '\\n' >&2; echo >&2; echo err-end >&2",
      'sleep 120',
    ].join('; ');
    const submitted = await service.request(
      'POST',
      '/jobs',
      jobBody(bucket, { source_s3_prefix: 'in/', command }),
    );
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
    const runId = submitted.body.run.id as string;
    await service.waitForRun(runId, (state) => state === 'running');

    let live: { source: string; stdout: string; stderr: string } | undefined;
    for (let i = 0; i < 100; i += 1) {
      live = (await service.request('GET', `/runs/${runId}/logs`)).body;
      if (live?.stdout.endsWith('out-end\n') && live.stderr.endsWith('err-end\n')) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(live!.source).toBe('live');
    expect(live!.stdout.endsWith('é\nout-end\n')).toBe(true);
    expect(live!.stderr.endsWith('x\nerr-end\n')).toBe(true);
    expect(Buffer.byteLength(live!.stdout)).toBeLessThanOrEqual(4096);
    expect(Buffer.byteLength(live!.stdout)).toBeGreaterThan(4000);
    expect(Buffer.byteLength(live!.stderr)).toBeLessThanOrEqual(4096);
    expect(Buffer.byteLength(live!.stderr)).toBeGreaterThan(4000);

    // A smaller tailBytes holds too; a cut inside a character starts at the next whole one.
    const tail = (await service.request('GET', `/runs/${runId}/logs?tailBytes=1001`)).body;
    expect(tail.source).toBe('live');
    expect(Buffer.byteLength(tail.stdout)).toBeLessThanOrEqual(1001);
    expect(tail.stdout).toMatch(/^é+\nout-end\n$/);

    expect((await service.request('POST', `/runs/${runId}/cancel`)).status).toBe(202);
    await service.waitForRun(runId, undefined, 60_000);
  });
});
