import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBucket,
  createTestDatabase,
  jobBody,
  startTestService,
  uniqueName,
  type TestService,
} from '../support/harness.js';

/**
 * A worker whose data folder has less free space than TDS_WORKER_MIN_FREE_MB claims nothing, says
 * so in /metrics, and leaves the run to a worker with room.
 */

let full: TestService;
let roomy: TestService | undefined;
let databaseUrl: string;
let bucket: string;

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  // A floor no disk here reaches: 100 TiB.
  full = await startTestService({
    databaseUrl,
    workerId: uniqueName('full-disk'),
    env: { TDS_WORKER_MIN_FREE_MB: String(100 * 1024 * 1024) },
  });
  bucket = await createBucket();
});

afterAll(async () => {
  await roomy?.close();
  await full?.close();
});

describe('a worker below its free-space floor', () => {
  it('claims no run, shows its free space under the floor, and a worker with room runs the job', async () => {
    const { status, body } = await full.request('POST', '/jobs', jobBody(bucket, { command: 'echo ran' }));
    expect(status, JSON.stringify(body)).toBe(202);
    const runId = body.run.id as string;

    // The worker polls every 100 ms: over 2 s it has looked at the queue about 20 times.
    await sleep(2_000);
    expect((await full.request('GET', `/runs/${runId}`)).body.state).toBe('queued');
    const metrics = String((await full.request('GET', '/metrics')).body);
    const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1]);
    expect(gauge('tds_worker_disk_floor_bytes')).toBe(100 * 1024 ** 4);
    expect(gauge('tds_worker_disk_free_bytes')).toBeGreaterThan(0);
    expect(gauge('tds_worker_disk_free_bytes')).toBeLessThan(gauge('tds_worker_disk_floor_bytes'));

    roomy = await startTestService({ databaseUrl, workerId: uniqueName('roomy'), roles: ['worker'] });
    const run = await full.waitForRun(runId);
    expect(run.state, JSON.stringify(run.failure)).toBe('succeeded');
    expect(run.workerId).toBe(roomy.config.workerId);
  });
});
