import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBucket, jobBody, startTestService, type TestService } from '../support/harness.js';

/**
 * A fire decided ahead of its time, against the database's wall clock: the test must see the
 * decided fire and act within the second before its fire time. It runs with the files that are
 * kept alone (vitest.config.ts), so other files' load cannot use up that second.
 */

let bucket: string;
let service: TestService;

beforeAll(async () => {
  bucket = await createBucket();
  service = await startTestService({ roles: ['api', 'scheduler'] });
});

afterAll(async () => {
  await service?.close();
});

async function submit(service: TestService, overrides: Record<string, unknown>) {
  const { status, body } = await service.request('POST', '/jobs', jobBody(bucket, overrides));
  expect(status, JSON.stringify(body)).toBe(202);
  return body.job.id as string;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('firing schedules prepared ahead of their fire time', () => {
  it('makes runs fired ahead appear at their fire time; a pause or a run by hand meanwhile comes after the fire', async () => {
    const clock = async () =>
      (await service.db.query<{ t: Date }>('SELECT clock_timestamp() AS t'))[0]!.t.getTime();
    const at = new Date(Math.ceil(((await clock()) + 4000) / 1000) * 1000);
    const cron = `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} * * *`;
    const [plain, paused, busy] = [
      await submit(service, { cron, timezone: 'UTC', overlap_policy: 'allow' }),
      await submit(service, { cron, timezone: 'UTC', overlap_policy: 'allow' }),
      await submit(service, { cron, timezone: 'UTC', overlap_policy: 'skip' }),
    ];
    const all = [plain, paused, busy];
    const visible = async () =>
      (
        await service.db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM runs WHERE job_id = ANY($1::uuid[])',
          [all],
        )
      )[0]!.n;

    // Up to a second ahead, the scheduler fires them in a transaction that waits for the fire time
    // (its last statement checked the constraints that would otherwise be checked at commit).
    await until(
      'the fires to be decided',
      async () => {
        const [row] = await service.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND state = 'idle in transaction'
             AND query LIKE 'SET CONSTRAINTS%'`,
        );
        return row!.n > 0 ? true : undefined;
      },
      10_000,
    );
    expect(await visible()).toBe(0);
    const asked = await clock();
    const [pausing, triggering] = await Promise.all([
      service.request('POST', `/jobs/${paused}/pause`),
      service.request('POST', `/jobs/${busy}/trigger`),
    ]);
    expect(asked).toBeLessThan(at.getTime());
    expect(pausing.status).toBe(200);
    expect(triggering.status).toBe(202);

    for (const jobId of all) {
      const runs = await service.db.query<{ trigger: string; scheduled_for: Date | null; queued_at: Date }>(
        'SELECT trigger, scheduled_for, queued_at FROM runs WHERE job_id = $1::uuid ORDER BY queued_at',
        [jobId],
      );
      // Fired at its fire time, and counted as queued then; the run by hand came after it.
      expect(runs[0]).toMatchObject({ trigger: 'schedule', scheduled_for: at, queued_at: at });
      expect(runs.slice(1).map((r) => r.trigger)).toEqual(jobId === busy ? ['manual'] : []);
      if (jobId === busy) expect(runs[1]!.queued_at.getTime()).toBeGreaterThanOrEqual(at.getTime());
    }
    const [schedule] = await service.db.query<{ paused: boolean; last_fire_at: Date }>(
      'SELECT paused, last_fire_at FROM schedules WHERE job_id = $1::uuid',
      [paused],
    );
    expect(schedule).toMatchObject({ paused: true, last_fire_at: at });
  });
});
