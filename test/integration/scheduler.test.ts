import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JobSpec } from '../../src/jobs/job-spec.js';
import { resultsPrefix } from '../../src/runs/results-layout.js';
import { newRunId } from '../../src/runs/run-repository.js';
import { fireOnTime } from '../../src/scheduler/schedule-repository.js';
import {
  createBucket,
  jobBody,
  startTestService,
  until as pollUntil,
  type TestService,
} from '../support/harness.js';

/**
 * The scheduler against a real Postgres. No worker runs here, so runs stay queued: a queued run
 * counts as the previous run still going, which is what the overlap policies look at.
 */

let bucket: string;
const started: TestService[] = [];

async function start(options: Parameters<typeof startTestService>[0] = {}) {
  const service = await startTestService({ roles: ['api', 'scheduler'], ...options });
  started.push(service);
  return service;
}

beforeAll(async () => {
  bucket = await createBucket();
});

afterEach(async () => {
  for (const service of started.splice(0)) await service.close();
});

afterAll(async () => {
  for (const service of started.splice(0)) await service.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function submit(service: TestService, overrides: Record<string, unknown>) {
  const { status, body } = await service.request('POST', '/jobs', jobBody(bucket, overrides));
  expect(status, JSON.stringify(body)).toBe(202);
  return body.job.id as string;
}

async function runsOf(service: TestService, jobId: string) {
  return service.db.query<{
    id: string;
    state: string;
    trigger: string;
    scheduled_for: Date;
    waits: boolean;
    failure_message: string | null;
  }>(
    `SELECT id, state, trigger, scheduled_for, waits_for_previous AS waits, failure_message
     FROM runs WHERE job_id = $1::uuid ORDER BY scheduled_for NULLS LAST, queued_at`,
    [jobId],
  );
}

async function firesOf(service: TestService, jobId: string) {
  return service.db.query<{ fire_at: Date; outcome: string; run_id: string | null; detail: string | null }>(
    'SELECT fire_at, outcome, run_id, detail FROM schedule_fires WHERE job_id = $1::uuid ORDER BY fire_at',
    [jobId],
  );
}

/** Waits for a state of the schedule's, polled every 50 ms (fire times come every second here). */
const until = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000) =>
  pollUntil(what, probe, timeoutMs, 50);

/** Where a run of the job should deliver its results: the same folder a posted run gets. */
async function expectedPrefix(service: TestService, jobId: string, runId: string): Promise<string> {
  const [job] = await service.db.query<{ spec: JobSpec }>('SELECT spec FROM jobs WHERE id = $1::uuid', [
    jobId,
  ]);
  return resultsPrefix(job!.spec, runId);
}

describe('registering a recurring job', () => {
  it('stores the schedule and shows it in words with its next fire times', async () => {
    const service = await start();
    const { status, body } = await service.request(
      'POST',
      '/jobs',
      jobBody(bucket, { cron: '0 2 * * *', timezone: 'Europe/Paris' }),
    );
    expect(status).toBe(202);
    expect(body.run).toBeNull();
    const { body: read } = await service.request('GET', `/jobs/${body.job.id}`);
    expect(read.job.schedule).toMatchObject({
      cron: '0 2 * * *',
      timezone: 'Europe/Paris',
      description: 'At 02:00 (Europe/Paris)',
      overlapPolicy: 'skip',
      catchUpPolicy: 'latest',
      paused: false,
      recentFires: [],
    });
    const next: string[] = read.job.schedule.nextFireTimes;
    expect(next).toHaveLength(5);
    for (const time of next) {
      const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', timeStyle: 'short' }).format(
        new Date(time),
      );
      expect(local).toBe('02:00');
    }
    expect(read.runs).toEqual([]);
  });

  it('refuses an invalid expression, timezone or policy with 400 naming the problem', async () => {
    const service = await start();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ cron: '61 * * * *' }, /cron "61 \* \* \* \*" is not a valid cron expression/],
      [{ cron: '* * *' }, /has 3 fields/],
      [{ cron: '0 0 30 2 *' }, /cron "0 0 30 2 \*"/],
      [{ cron: '0 2 * * *', timezone: 'Europe/Atlantis' }, /timezone "Europe\/Atlantis"/],
      [{ cron: '0 2 * * *', overlap_policy: 'sometimes' }, /overlap_policy/],
      [{ overlap_policy: 'allow' }, /overlap_policy only applies to a job with a cron schedule/],
    ];
    for (const [overrides, message] of cases) {
      const { status, body } = await service.request('POST', '/jobs', jobBody(bucket, overrides));
      expect(status, JSON.stringify(overrides)).toBe(400);
      expect(body.message).toMatch(message);
    }
  });
});

describe('firing', () => {
  it('queues a run for every fire time of a per-second schedule, each with its own results folder', async () => {
    const service = await start();
    const jobId = await submit(service, { cron: '* * * * * *', overlap_policy: 'allow' });
    const runs = await until('four runs', async () => {
      const rows = await runsOf(service, jobId);
      return rows.length >= 4 ? rows : undefined;
    });
    const seconds = runs.map((r) => r.scheduled_for.getTime());
    for (let i = 1; i < seconds.length; i += 1) expect(seconds[i]! - seconds[i - 1]!).toBe(1000);
    expect(new Set(runs.map((r) => r.id)).size).toBe(runs.length);
    expect(runs.every((r) => r.trigger === 'schedule' && r.state === 'queued')).toBe(true);
    const fires = await firesOf(service, jobId);
    expect(fires.slice(0, runs.length).map((f) => f.outcome)).toEqual(runs.map(() => 'queued'));
    const { body } = await service.request('GET', `/runs/${runs[0]!.id}`);
    expect(body.results.prefix).toBe(await expectedPrefix(service, jobId, runs[0]!.id));
    expect(body.scheduledFor).toBe(runs[0]!.scheduled_for.toISOString());
  });

  it('skips a fire time while the previous run is unfinished, and records it (overlap "skip")', async () => {
    const service = await start();
    const jobId = await submit(service, { cron: '* * * * * *' });
    const fires = await until('three fire times', async () => {
      const rows = await firesOf(service, jobId);
      return rows.length >= 3 ? rows : undefined;
    });
    expect(fires[0]!.outcome).toBe('queued');
    const first = fires[0]!.run_id!;
    for (const fire of fires.slice(1)) {
      expect(fire.outcome).toBe('skipped_overlap');
      expect(fire.run_id).toBeNull();
      expect(fire.detail).toBe(`run ${first} was still queued`);
    }
    expect((await runsOf(service, jobId)).map((r) => r.id)).toEqual([first]);
  });

  it('buffers one run to follow the unfinished one, and skips beyond that (overlap "queue_one")', async () => {
    const service = await start();
    const jobId = await submit(service, { cron: '* * * * * *', overlap_policy: 'queue_one' });
    const fires = await until('three fire times', async () => {
      const rows = await firesOf(service, jobId);
      return rows.length >= 3 ? rows : undefined;
    });
    expect(fires.map((f) => f.outcome).slice(0, 3)).toEqual(['queued', 'queued', 'skipped_buffer_full']);
    const runs = await runsOf(service, jobId);
    expect(runs.map((r) => r.waits)).toEqual([false, true]);
  });

  it('cancels the unfinished run for the new one (overlap "replace")', async () => {
    const service = await start();
    const jobId = await submit(service, { cron: '* * * * * *', overlap_policy: 'replace' });
    await until('three fire times', async () => {
      const rows = await firesOf(service, jobId);
      return rows.length >= 3 ? rows : undefined;
    });
    const runs = await runsOf(service, jobId);
    const live = runs.filter((r) => r.state === 'queued');
    expect(live).toHaveLength(1);
    expect(live[0]).toBe(runs[runs.length - 1]);
    for (const replaced of runs.slice(0, -1)) {
      expect(replaced.state).toBe('cancelled');
      expect(replaced.failure_message).toMatch(/^replaced by the run fired at /);
    }
  });
});

describe('fire times missed while no scheduler ran', () => {
  // A fake "now" stands in for the database's clock, so an outage of minutes takes no time.
  let now = new Date('2026-01-01T00:00:00Z');
  const N = new Date('2026-06-01T10:00:00Z');
  const minutes = (m: number, s = 0) => new Date(N.getTime() + m * 60_000 + s * 1000);

  async function catchUpCase(policy: Record<string, unknown>, expectedFires = 10) {
    now = new Date('2026-01-01T00:00:00Z');
    const service = await start({
      schedulerClock: () => now,
      env: { TDS_MISFIRE_TOLERANCE_MS: '5000', TDS_SCHEDULER_IDLE_MS: '50' },
    });
    const jobId = await submit(service, { cron: '* * * * *', ...policy });
    await service.db.query('UPDATE schedules SET next_fire_at = $2::timestamptz WHERE job_id = $1::uuid', [
      jobId,
      N,
    ]);
    // Down from N until 9 min 30 s later: ten fire times (N ... N+9m) came due and were all missed.
    now = minutes(9, 30);
    const fires = await until('the fire times to be recorded', async () => {
      const rows = await firesOf(service, jobId);
      return rows.length >= expectedFires ? rows : undefined;
    });
    const [schedule] = await service.db.query<{ next_fire_at: Date }>(
      'SELECT next_fire_at FROM schedules WHERE job_id = $1::uuid',
      [jobId],
    );
    expect(schedule!.next_fire_at.toISOString()).toBe(minutes(10).toISOString());
    return { fires, runs: await runsOf(service, jobId) };
  }

  const summary = (fires: { fire_at: Date; outcome: string }[]) =>
    fires.map((f) => `${(f.fire_at.getTime() - N.getTime()) / 60_000}:${f.outcome}`);

  it('runs the latest missed fire time by default, and records the others as missed', async () => {
    const { fires, runs } = await catchUpCase({});
    expect(summary(fires)).toEqual([...[0, 1, 2, 3, 4, 5, 6, 7, 8].map((m) => `${m}:missed`), '9:caught_up']);
    expect(runs.map((r) => [r.trigger, r.scheduled_for.toISOString()])).toEqual([
      ['catch_up', minutes(9).toISOString()],
    ]);
  });

  it('runs every missed fire time within the window, up to the limit, one after another ("all")', async () => {
    const { fires, runs } = await catchUpCase({ catch_up_policy: 'all', catch_up_limit: 3 });
    expect(summary(fires)).toEqual([
      ...[0, 1, 2, 3, 4, 5, 6].map((m) => `${m}:missed`),
      '7:caught_up',
      '8:caught_up',
      '9:caught_up',
    ]);
    expect(runs.map((r) => r.scheduled_for.toISOString())).toEqual(
      [minutes(7), minutes(8), minutes(9)].map((d) => d.toISOString()),
    );
    expect(runs.every((r) => r.waits)).toBe(true);
  });

  it('catches up only within the window, recording the older stretch as missed', async () => {
    const { fires, runs } = await catchUpCase({ catch_up_policy: 'all', catch_up_window_seconds: 120 }, 3);
    expect(summary(fires)).toEqual(['0:missed', '8:caught_up', '9:caught_up']);
    expect(fires[0]!.detail).toMatch(/^this and every fire time until .* were missed/);
    expect(runs).toHaveLength(2);
  });

  it('runs none of them with "skip", and records every one', async () => {
    const { fires, runs } = await catchUpCase({ catch_up_policy: 'skip' });
    expect(summary(fires)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((m) => `${m}:missed`));
    expect(runs).toEqual([]);
  });
});

describe('daylight-saving changes', () => {
  let now = new Date('2026-01-01T00:00:00Z');

  async function scheduleAt(cron: string, timezone: string, nextFireAt: string) {
    const service = await start({
      schedulerClock: () => now,
      env: { TDS_MISFIRE_TOLERANCE_MS: '5000', TDS_SCHEDULER_IDLE_MS: '50' },
    });
    now = new Date('2026-01-01T00:00:00Z');
    const jobId = await submit(service, { cron, timezone, overlap_policy: 'allow' });
    await service.db.query('UPDATE schedules SET next_fire_at = $2::timestamptz WHERE job_id = $1::uuid', [
      jobId,
      new Date(nextFireAt),
    ]);
    return { service, jobId };
  }

  /** Moves the fake clock to each instant in turn and returns the fire times recorded. */
  async function walk(service: TestService, jobId: string, instants: string[]) {
    for (const instant of instants) {
      now = new Date(instant);
      // The scheduler has handled an instant once the schedule's next fire time lies after it.
      await until(`the scheduler to handle ${instant}`, async () => {
        const [row] = await service.db.query<{ next: Date | null }>(
          'SELECT next_fire_at AS next FROM schedules WHERE job_id = $1::uuid',
          [jobId],
        );
        return row && (row.next === null || row.next > now) ? true : undefined;
      });
    }
    return (await firesOf(service, jobId)).map((f) => f.fire_at.toISOString());
  }

  it('fires a time skipped by spring-forward just after the jump (02:30 Paris → 03:30 CEST)', async () => {
    const { service, jobId } = await scheduleAt('30 2 * * *', 'Europe/Paris', '2026-03-28T01:30:00Z');
    const fired = await walk(service, jobId, [
      '2026-03-28T01:30:01Z',
      '2026-03-29T01:30:01Z',
      '2026-03-30T00:30:01Z',
    ]);
    expect(fired).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:30:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
  });

  it('fires a time that occurs twice in the autumn once (01:30 New York)', async () => {
    const { service, jobId } = await scheduleAt('30 1 * * *', 'America/New_York', '2026-11-01T05:30:00Z');
    const fired = await walk(service, jobId, [
      '2026-11-01T05:30:01Z',
      '2026-11-01T06:30:01Z',
      '2026-11-02T06:30:01Z',
    ]);
    expect(fired).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
  });

  it('does not fire an hourly job twice in the repeated hour', async () => {
    const { service, jobId } = await scheduleAt('0 * * * *', 'America/New_York', '2026-11-01T04:00:00Z');
    const fired = await walk(service, jobId, [
      '2026-11-01T04:00:01Z',
      '2026-11-01T05:00:01Z',
      '2026-11-01T06:00:01Z',
      '2026-11-01T07:00:01Z',
    ]);
    expect(fired).toEqual([
      '2026-11-01T04:00:00.000Z',
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T07:00:00.000Z',
    ]);
  });
});

describe('managing a recurring job', () => {
  it('pauses, resumes, triggers, reschedules and deletes', async () => {
    const service = await start();
    const { body: posted } = await service.request(
      'POST',
      '/jobs',
      jobBody(bucket, { cron: '* * * * * *', overlap_policy: 'allow' }),
    );
    const jobId: string = posted.job.id;
    await until('a first run', async () => ((await runsOf(service, jobId)).length > 0 ? true : undefined));

    const paused = await service.request('POST', `/jobs/${jobId}/pause`);
    expect(paused.status).toBe(200);
    expect(paused.body.schedule).toMatchObject({ paused: true, nextFireTimes: [] });
    // A fire under way holds the schedule's row until it commits, and the pause waited for it.
    const before = (await runsOf(service, jobId)).length;
    await sleep(2200); // two fire times or more pass, and queue nothing
    expect((await runsOf(service, jobId)).length).toBe(before);

    const resumed = await service.request('POST', `/jobs/${jobId}/resume`);
    expect(resumed.body.schedule.paused).toBe(false);
    await until('runs again', async () =>
      (await runsOf(service, jobId)).length > before ? true : undefined,
    );

    const triggered = await service.request('POST', `/jobs/${jobId}/trigger`);
    expect(triggered.status).toBe(202);
    expect(triggered.body).toMatchObject({ trigger: 'manual', state: 'queued', scheduledFor: null });

    const changed = await service.request('PATCH', `/jobs/${jobId}`, {
      cron: '0 9 * * 1',
      timezone: 'Asia/Tokyo',
    });
    expect(changed.status).toBe(200);
    expect(changed.body.schedule).toMatchObject({ cron: '0 9 * * 1', timezone: 'Asia/Tokyo' });
    expect(changed.body.schedule.description).toContain('Monday');
    for (const time of changed.body.schedule.nextFireTimes as string[]) {
      const parts = new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Asia/Tokyo',
        weekday: 'long',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }).format(new Date(time));
      expect(parts).toBe('Monday 09:00');
    }
    const bad = await service.request('PATCH', `/jobs/${jobId}`, { cron: 'nope' });
    expect(bad.status).toBe(400);
    expect((await service.request('PATCH', `/jobs/${jobId}`, {})).status).toBe(400);
    expect((await service.request('PATCH', `/jobs/${jobId}`, { command: 'rm -rf /' })).body.message).toMatch(
      /unknown field "command"/,
    );

    const deleted = await service.request('DELETE', `/jobs/${jobId}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.deletedAt).not.toBeNull();
    expect(deleted.body.schedule.cron).toBe('0 9 * * 1');
    const runs = await runsOf(service, jobId);
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.every((r) => r.state === 'cancelled')).toBe(true);
    expect((await service.db.query('SELECT 1 FROM schedules WHERE job_id = $1::uuid', [jobId])).length).toBe(
      0,
    );

    const read = await service.request('GET', `/jobs/${jobId}`);
    expect(read.status).toBe(200);
    expect(read.body.runs.length).toBe(Math.min(runs.length, 10));
    expect(
      (await service.request('GET', `/jobs?userId=test-user`)).body.jobs.map((j: { id: string }) => j.id),
    ).not.toContain(jobId);
    expect((await service.request('POST', `/jobs/${jobId}/trigger`)).status).toBe(409);
    expect(
      (await service.request('POST', '/jobs', jobBody(bucket, { uniqueId: posted.job.uniqueId }))).status,
    ).toBe(409);
  });

  it('refuses to pause a job without a schedule, and answers 404 for unknown jobs', async () => {
    const service = await start();
    const { body } = await service.request('POST', '/jobs', jobBody(bucket));
    const pause = await service.request('POST', `/jobs/${body.job.id}/pause`);
    expect(pause.status).toBe(409);
    expect(pause.body.message).toMatch(/has no cron schedule/);
    expect((await service.request('POST', '/jobs/00000000-0000-0000-0000-000000000000/resume')).status).toBe(
      404,
    );
    expect((await service.request('DELETE', '/jobs/nope')).status).toBe(404);
  });
});

describe('many schedules', () => {
  it('finds due schedules through the index on the next fire time, with 100,000 registered', async () => {
    const service = await start({ roles: ['api'] });
    const { body } = await service.request('POST', '/jobs', jobBody(bucket, { cron: '0 0 1 1 *' }));
    const template = body.job.spec;
    await service.db.query(
      `WITH made AS (
         INSERT INTO jobs (id, user_id, unique_id, spec, cron, timezone)
         SELECT gen_random_uuid(), 'bulk', 'bulk-' || i, $1::jsonb, '0 0 1 1 *', 'UTC' FROM generate_series(1, 100000) AS i
         RETURNING id)
       INSERT INTO schedules (job_id, cron, timezone, overlap_policy, catch_up_policy, catch_up_window_seconds,
                              catch_up_limit, next_fire_at)
       SELECT id, '0 0 1 1 *', 'UTC', 'skip', 'latest', 3600, 10, now() + (random() * interval '365 days') FROM made`,
      [JSON.stringify(template)],
    );
    await service.db.query('ANALYZE schedules');
    const plan = await service.db.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT s.*, j.spec FROM schedules s JOIN jobs j ON j.id = s.job_id
       WHERE NOT s.paused AND s.next_fire_at IS NOT NULL AND s.next_fire_at <= now()
       ORDER BY s.next_fire_at LIMIT 500 FOR UPDATE OF s SKIP LOCKED`,
    );
    const text = plan.map((row) => row['QUERY PLAN']).join('\n');
    expect(text).toMatch(/Index Scan (using|on) schedules_due/);
    expect(text).not.toMatch(/Seq Scan on schedules/);
  });
});

// How runs fired ahead appear at their fire time, against the wall clock: scheduler-ahead.test.ts.
describe('firing schedules prepared ahead of their fire time', () => {
  it('fires each once, and only if not paused, changed or held back by its overlap policy by then', async () => {
    const service = await start({ roles: ['api'] });
    const cron = '0 0 1 1 *';
    const [ready, paused, changed, busy] = [
      await submit(service, { cron, overlap_policy: 'allow' }),
      await submit(service, { cron, overlap_policy: 'allow' }),
      await submit(service, { cron, overlap_policy: 'allow' }),
      await submit(service, { cron, overlap_policy: 'skip' }),
    ];
    const at = new Date('2027-01-01T00:00:00Z');
    const next = new Date('2028-01-01T00:00:00Z');
    const all = [ready, paused, changed, busy];
    await service.db.query(
      'UPDATE schedules SET next_fire_at = $2::timestamptz WHERE job_id = ANY($1::uuid[])',
      [all, at],
    );
    const prepared = all.map((jobId) => ({ jobId, cron, timezone: 'UTC', fireAt: at, nextFireAt: next }));
    // After preparing, before the fire time: one is paused, one gets another expression, one a run.
    await service.db.query('UPDATE schedules SET paused = true WHERE job_id = $1::uuid', [paused]);
    await service.db.query("UPDATE schedules SET cron = '5 0 1 1 *' WHERE job_id = $1::uuid", [changed]);
    const { status } = await service.request('POST', `/jobs/${busy}/trigger`);
    expect(status).toBeLessThan(300);

    const fire = () =>
      fireOnTime(
        service.db,
        new Date(at.getTime() + 5),
        prepared.map((p) => ({ ...p, runId: newRunId() })),
      );
    expect(await fire()).toBe(1);
    expect(await fire()).toBe(0);

    const runs = await runsOf(service, ready);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ state: 'queued', trigger: 'schedule', scheduled_for: at, waits: false });
    const { body } = await service.request('GET', `/runs/${runs[0]!.id}`);
    expect(body.results.prefix).toBe(await expectedPrefix(service, ready, runs[0]!.id));
    const events = await service.db.query<{ state: string }>(
      'SELECT state FROM run_events WHERE run_id = $1::uuid',
      [runs[0]!.id],
    );
    expect(events.map((e) => e.state)).toEqual(['queued']);
    expect(await firesOf(service, ready)).toMatchObject([
      { fire_at: at, outcome: 'queued', run_id: runs[0]!.id },
    ]);
    const schedules = await service.db.query<{
      job_id: string;
      next_fire_at: Date;
      last_fire_at: Date | null;
    }>('SELECT job_id, next_fire_at, last_fire_at FROM schedules WHERE job_id = ANY($1::uuid[])', [all]);
    for (const schedule of schedules) {
      const fired = schedule.job_id === ready;
      expect(schedule.next_fire_at).toEqual(fired ? next : at);
      expect(schedule.last_fire_at).toEqual(fired ? at : null);
    }
    for (const jobId of [paused, changed]) expect(await runsOf(service, jobId)).toEqual([]);
    expect((await runsOf(service, busy)).map((r) => r.trigger)).toEqual(['manual']);
    for (const jobId of [paused, changed, busy]) expect(await firesOf(service, jobId)).toEqual([]);
  });
});
