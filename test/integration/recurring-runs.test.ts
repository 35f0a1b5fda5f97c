import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBucket,
  getText,
  jobBody,
  listKeys,
  startTestService,
  until,
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
    // Until a second run is queued behind the first and a fire time after it found the buffer full.
    await until(
      'two runs and a fire time skipped with the buffer full',
      async () => {
        const [row] = await service.db.query<{ runs: number; skipped: number }>(
          `SELECT (SELECT count(*)::int FROM runs WHERE job_id = $1::uuid) AS runs,
                  (SELECT count(*)::int FROM schedule_fires
                    WHERE job_id = $1::uuid AND outcome = 'skipped_buffer_full') AS skipped`,
          [jobId],
        );
        return row!.runs >= 2 && row!.skipped > 0 ? true : undefined;
      },
      150_000,
      100,
    );
    expect((await service.request('POST', `/jobs/${jobId}/pause`)).status).toBe(200);

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

describe('the dates of each fire', () => {
  let clock = new Date('2026-01-01T00:00:00Z');
  let dated: TestService | undefined;

  afterAll(async () => {
    await dated?.close();
  });

  /** The runs of `jobId` with the given trigger, waited for until there are `count` and all have ended. */
  async function endedRuns(jobId: string, count: number) {
    const deadline = Date.now() + 150_000;
    while (Date.now() < deadline) {
      const { body } = await dated!.request('GET', `/jobs/${jobId}/runs?limit=50`);
      const runs = (body.runs as { id: string; state: string }[]) ?? [];
      const ended = runs.filter((r) => ['succeeded', 'failed', 'cancelled', 'timed_out'].includes(r.state));
      if (runs.length >= count && ended.length === runs.length) return runs;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`the runs of job ${jobId} did not end in time`);
  }

  it('gives a retry the date and time of the run it retries', async () => {
    const { body } = await service.request(
      'POST',
      '/jobs',
      jobBody(bucket, {
        // Running past a second, so that the retry, queued as it ends, is queued in a later second
        // than the first: a retry given its own time would show it.
        command: 'sleep 1.2; echo "$TDS_SCHEDULED_FOR ${NOW} $TDS_RUN_DATE"; exit 7',
        max_attempts: 2,
        retry_on_exit_code: true,
        retry_backoff_seconds: 1,
      }),
    );
    const jobId: string = body.job.id;
    const deadline = Date.now() + 150_000;
    let runs: {
      id: string;
      state: string;
      attempt: number;
      timings: { queuedAt: string };
      results: { prefix: string };
    }[] = [];
    while (Date.now() < deadline) {
      runs = (await service.request('GET', `/jobs/${jobId}/runs?limit=50`)).body.runs;
      if (runs.length === 2 && runs.every((r) => r.state === 'failed')) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    runs.sort((a, b) => a.attempt - b.attempt);
    expect(runs.map((r) => [r.attempt, r.state])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
    ]);
    const first = new Date(runs[0]!.timings.queuedAt);
    // The retry was queued once the first had run: over a second later, so its own time would show.
    expect(new Date(runs[1]!.timings.queuedAt).getTime() - first.getTime()).toBeGreaterThan(1000);
    const now = first.toISOString().replace(/\.\d{3}Z$/, 'Z');
    for (const run of runs) {
      expect(await getText(bucket, `${run.results.prefix}stdout.log`)).toBe(
        `${now} ${now} ${first.toISOString().slice(0, 10)}\n`,
      );
    }
  });

  it("gives each fire its own date and time: ${TODAY} and ${NOW} in the command and env, TDS_RUN_DATE and TDS_SCHEDULED_FOR, a trigger its queue time's", async () => {
    dated = await startTestService({
      roles: ['api', 'worker', 'scheduler'],
      schedulerClock: () => clock,
      env: { TDS_MISFIRE_TOLERANCE_MS: '5000', TDS_SCHEDULER_IDLE_MS: '50' },
    });
    // 00:30 in Paris is 23:30 UTC the day before: the date is the definition's timezone's.
    const command =
      'echo "today=${TODAY} now=${NOW} run_date=$TDS_RUN_DATE scheduled_for=$TDS_SCHEDULED_FOR day=$DAY" \'literal=$${TODAY}\'';
    const { status, body } = await dated.request(
      'POST',
      '/jobs',
      jobBody(bucket, { cron: '30 0 * * *', timezone: 'Europe/Paris', command, env: { DAY: '${TODAY}' } }),
    );
    expect(status).toBe(202);
    const jobId: string = body.job.id;
    await dated.db.query('UPDATE schedules SET next_fire_at = $2::timestamptz WHERE job_id = $1::uuid', [
      jobId,
      new Date('2026-03-03T23:30:00Z'),
    ]);

    const fires = ['2026-03-03T23:30:00Z', '2026-03-04T23:30:00Z'];
    for (const [index, fire] of fires.entries()) {
      clock = new Date(new Date(fire).getTime() + 1000);
      await endedRuns(jobId, index + 1);
    }
    const outputs = async () => {
      const { body: listed } = await dated!.request('GET', `/jobs/${jobId}/runs?limit=50`);
      const runs = listed.runs as { id: string }[];
      return Promise.all(
        runs.map(async ({ id }) => {
          const run = (await dated!.request('GET', `/runs/${id}`)).body;
          expect(run.state).toBe('succeeded');
          return {
            trigger: run.trigger as string,
            scheduledFor: run.scheduledFor as string | null,
            queuedAt: run.timings.queuedAt as string,
            stdout: await getText(bucket, `${run.results.prefix}stdout.log`),
          };
        }),
      );
    };
    const scheduled = (await outputs()).sort((a, b) => a.scheduledFor!.localeCompare(b.scheduledFor!));
    expect(scheduled.map((r) => [r.trigger, r.scheduledFor, r.stdout])).toEqual([
      [
        'schedule',
        '2026-03-03T23:30:00.000Z',
        'today=2026-03-04 now=2026-03-03T23:30:00Z run_date=2026-03-04 scheduled_for=2026-03-03T23:30:00Z day=2026-03-04 literal=${TODAY}\n',
      ],
      [
        'schedule',
        '2026-03-04T23:30:00.000Z',
        'today=2026-03-05 now=2026-03-04T23:30:00Z run_date=2026-03-05 scheduled_for=2026-03-04T23:30:00Z day=2026-03-05 literal=${TODAY}\n',
      ],
    ]);
    // The stored definition is as it was posted, whatever the day.
    const { job } = (await dated.request('GET', `/jobs/${jobId}`)).body;
    expect(job.spec.command).toBe(command);
    expect(job.spec.env).toEqual({ DAY: '${TODAY}' });

    // A run triggered by hand has no fire time: its dates are its queue time's.
    expect((await dated.request('POST', `/jobs/${jobId}/trigger`)).status).toBe(202);
    await endedRuns(jobId, 3);
    const manual = (await outputs()).find((r) => r.trigger === 'manual')!;
    const queued = new Date(manual.queuedAt);
    const now = queued.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const today = queued.toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
    expect(manual.stdout).toBe(
      `today=${today} now=${now} run_date=${today} scheduled_for=${now} day=${today} literal=\${TODAY}\n`,
    );
  });
});
