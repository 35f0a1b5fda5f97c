import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBucket, getText, jobBody, startTestService, type TestService } from '../support/harness.js';

/**
 * A run's metrics against the limits its container ran under. The CPU a busy loop gets at
 * --cpus 0.5 is only its limit while the machine has a core to give it: this file runs with the
 * files kept alone (vitest.config.ts).
 */

let service: TestService;
let bucket: string;

beforeAll(async () => {
  service = await startTestService();
  bucket = await createBucket();
});

afterAll(async () => {
  await service?.close();
});

async function runToEnd(overrides: Record<string, unknown>) {
  const { status, body } = await service.request('POST', '/jobs', jobBody(bucket, overrides));
  expect(status, JSON.stringify(body)).toBe(202);
  const run = await service.waitForRun(body.run.id);
  return { run, prefix: body.run.results.prefix as string };
}

describe('metrics of a run', () => {
  it('agree with the limits the container ran under: a busy loop at --cpus 0.5, and 100 MiB held', async () => {
    const { run, prefix } = await runToEnd({
      command:
        'a=$(head -c 104857600 /dev/zero | tr "\\0" x); end=$(($(date +%s) + 4)); while [ $(date +%s) -lt $end ]; do :; done; echo ${#a}',
      cpus: 0.5,
      memory_mb: 512,
      metrics_interval_seconds: 0.5,
    });
    expect(run.state).toBe('succeeded');
    expect(await getText(bucket, `${prefix}stdout.log`)).toBe('104857600\n');
    const metrics = JSON.parse((await getText(bucket, `${prefix}metrics.json`))!);
    expect(metrics.samples).toBeGreaterThanOrEqual(5);
    expect(metrics.cpu_percent_avg).toBeGreaterThan(35);
    expect(metrics.cpu_percent_avg).toBeLessThan(62);
    expect(metrics.memory_bytes_peak).toBeGreaterThan(95 * 1024 * 1024);
    expect(metrics.memory_bytes_peak).toBeLessThan(260 * 1024 * 1024);
  });
});
