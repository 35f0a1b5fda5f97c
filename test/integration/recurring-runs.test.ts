import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBucket,
  getText,
  jobBody,
  listKeys,
  startTestService,
  type TestService,
} from '../support/harness.js';

let service: TestService;
let bucket: string;

beforeAll(async () => {
  service = await startTestService({ roles: ['api', 'worker', 'scheduler'] });
  bucket = await createBucket();
});

afterAll(async () => {
  await service?.close();
});

describe('a recurring job with a worker', () => {
  it('runs one fire time after another without overlap (queue_one), each into its own results folder', async () => {
    const { body } = await service.request(
      'POST',
      '/jobs',
      jobBody(bucket, { cron: '* * * * * *', overlap_policy: 'queue_one', command: 'date +%s%N; sleep 2' }),
    );
    const jobId: string = body.job.id;
    await new Promise((resolve) => setTimeout(resolve, 6000));
    await service.request('POST', `/jobs/${jobId}/pause`);

    const deadline = Date.now() + 150_000;
    let runs: { id: string; state: string; started_at: Date; ended_at: Date; results_prefix: string }[] = [];
    while (Date.now() < deadline) {
      runs = await service.db.query(
        `SELECT id, state, started_at, ended_at, results_prefix FROM runs WHERE job_id = $1::uuid ORDER BY started_at`,
        [jobId],
      );
      if (
        runs.length > 0 &&
        runs.every((r) => ['succeeded', 'failed', 'cancelled', 'timed_out'].includes(r.state))
      )
        break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.map((r) => r.state).filter((state) => state !== 'succeeded')).toEqual([]);
    for (let i = 1; i < runs.length; i += 1) {
      expect(runs[i]!.started_at.getTime()).toBeGreaterThanOrEqual(runs[i - 1]!.ended_at.getTime());
    }
    const prefixes = new Set(runs.map((r) => r.results_prefix));
    expect(prefixes.size).toBe(runs.length);
    for (const run of runs) {
      expect(await listKeys(bucket, `${run.results_prefix}run.json`)).toHaveLength(1);
      expect(await getText(bucket, `${run.results_prefix}stdout.log`)).toMatch(/^\d+\n$/);
    }
    const fires = await service.db.query<{ outcome: string }>(
      'SELECT outcome FROM schedule_fires WHERE job_id = $1::uuid',
      [jobId],
    );
    expect(fires.filter((f) => f.outcome === 'skipped_buffer_full').length).toBeGreaterThan(0);
  });
});
