import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBucket,
  createTestDatabase,
  getText,
  startTestService,
  uniqueName,
  until,
  type TestService,
} from '../support/harness.js';
import { removeDir, startServiceProcess, type ServiceProcess } from '../support/service-process.js';
import { isUnfinishedWorkflowRun } from '../../src/workflows/workflow-states.js';

/**
 * Recurring workflows: whole workflow runs fired on a cron schedule, with the overlap policies,
 * pause, resume, trigger and delete that jobs have, exactly once per fire time across a scheduler
 * killed between fires. `withWorker` runs the steps in Docker; `withoutWorker` (no worker) leaves
 * every step run queued, so a workflow run stays unfinished for the overlap policies to weigh.
 */

let bucket: string;
let withWorker: TestService;
let withoutWorker: TestService;
const processes: ServiceProcess[] = [];

beforeAll(async () => {
  bucket = await createBucket();
  [withWorker, withoutWorker] = await Promise.all([
    startTestService({ roles: ['api', 'worker', 'scheduler'], env: { TDS_MAX_CONCURRENT_RUNS: '4' } }),
    startTestService({ roles: ['api', 'scheduler'] }),
  ]);
});

afterAll(async () => {
  for (const instance of processes) {
    await instance.kill();
    await removeDir(instance.dataDir);
  }
  await withWorker?.close();
  await withoutWorker?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits for a state (a fire time recorded, a workflow run in a state), never a fixed time: the
 * crons here fire every second or two, so it is polled every 100 ms, with the suite's patience
 * (`waitForRun`'s 150 s) since a workflow run's steps build and run in Docker on a loaded machine.
 */
const waitFor = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 150_000) =>
  until(what, probe, timeoutMs, 100);

function workflowBody(steps: unknown[], overrides: Record<string, unknown> = {}) {
  return {
    userId: 'test-user',
    uniqueId: uniqueName('cron-wf'),
    s3_bucket: bucket,
    source_s3_prefix: '',
    destination_s3_prefix: '/cron-wf/',
    steps,
    ...overrides,
  };
}

async function post(service: TestService, body: Record<string, unknown>) {
  const { status, body: answer } = await service.request('POST', '/workflows', body);
  expect(status, JSON.stringify(answer)).toBe(202);
  return answer;
}

interface WorkflowRunRow {
  id: string;
  state: string;
  trigger: string;
  scheduled_for: Date | null;
  waits_for_previous: boolean;
}

async function workflowRunsOf(service: TestService, workflowId: string) {
  return service.db.query<WorkflowRunRow>(
    `SELECT id, state, trigger, scheduled_for, waits_for_previous FROM workflow_runs
     WHERE workflow_id = $1::uuid ORDER BY queued_at, id`,
    [workflowId],
  );
}

/**
 * Ends a workflow's schedule and every workflow run it started, and waits until none is under way:
 * a cron of every second or two fires many workflow runs while a test lasts (more on a busy
 * machine), and the other test's runs on the same worker must not queue behind them.
 */
async function settle(service: TestService, workflowId: string): Promise<void> {
  expect((await service.request('DELETE', `/workflows/${workflowId}`)).status).toBe(200);
  const unfinished = (runs: WorkflowRunRow[]) => runs.filter((run) => isUnfinishedWorkflowRun(run.state));
  for (const run of unfinished(await workflowRunsOf(service, workflowId))) {
    await service.request('POST', `/workflow-runs/${run.id}/cancel`);
  }
  await waitFor('the workflow runs to end', async () =>
    unfinished(await workflowRunsOf(service, workflowId)).length === 0 ? true : undefined,
  );
}

async function firesOf(service: TestService, workflowId: string) {
  return service.db.query<{
    fire_at: Date;
    outcome: string;
    workflow_run_id: string | null;
    detail: string | null;
  }>(
    'SELECT fire_at, outcome, workflow_run_id, detail FROM schedule_fires WHERE workflow_id = $1::uuid ORDER BY fire_at',
    [workflowId],
  );
}

/*
 * The tests run side by side: each checks workflows, workflow runs and fire times of its own, by
 * their ids, and waits for the states it needs; the ones with services of their own (a database,
 * a fake clock, scheduler processes) share nothing with the others.
 */
describe.concurrent('a recurring workflow', () => {
  it('fires whole workflow runs on its cron that finish, and shows its schedule in words', async () => {
    const posted = await post(
      withWorker,
      workflowBody(
        [
          { name: 'a', command: 'echo 20' },
          { name: 'b', command: 'echo $(( {{steps.a.result}} + 1 ))' },
        ],
        { cron: '*/2 * * * * *', timezone: 'Europe/Paris', overlap_policy: 'allow' },
      ),
    );
    expect(posted.workflowRun).toBeNull();
    expect(posted.created).toBe(true);
    const workflowId: string = posted.workflow.id;
    expect(posted.workflow.schedule).toMatchObject({
      cron: '*/2 * * * * *',
      timezone: 'Europe/Paris',
      overlapPolicy: 'allow',
      catchUpPolicy: 'latest',
      paused: false,
    });
    expect(posted.workflow.schedule.description).toMatch(/every 2 seconds/i);
    const upcoming = (posted.workflow.schedule.nextFireTimes as string[]).map((t) => Date.parse(t));
    expect(upcoming).toHaveLength(5);
    for (let i = 1; i < upcoming.length; i += 1) expect(upcoming[i]! - upcoming[i - 1]!).toBe(2000);

    // Paused once two fire times have started workflow runs: under "allow" every further fire time
    // would start two more steps in Docker while these run, work that proves nothing more.
    await waitFor('two fire times to start workflow runs', async () =>
      (await firesOf(withWorker, workflowId)).filter((f) => f.workflow_run_id !== null).length >= 2
        ? true
        : undefined,
    );
    expect((await withWorker.request('POST', `/workflows/${workflowId}/pause`)).status).toBe(200);
    const finished = await waitFor('two scheduled workflow runs to succeed', async () => {
      const runs = (await workflowRunsOf(withWorker, workflowId)).filter((r) => r.state === 'succeeded');
      return runs.length >= 2 ? runs : undefined;
    });
    for (const row of finished) {
      expect(row.trigger).toBe('schedule');
      expect(row.scheduled_for!.getTime() % 2000).toBe(0);
      const { body: run } = await withWorker.request('GET', `/workflow-runs/${row.id}`);
      expect(run.scheduledFor).toBe(row.scheduled_for!.toISOString());
      expect(run.steps.map((s: { result: string }) => s.result)).toEqual(['20', '21']);
    }
    // One workflow run per fire time, each recorded with it.
    const fires = await firesOf(withWorker, workflowId);
    const started = (await workflowRunsOf(withWorker, workflowId)).length;
    expect(fires.filter((f) => f.workflow_run_id !== null)).toHaveLength(started);

    const { body: read } = await withWorker.request('GET', `/workflows/${workflowId}`);
    expect(read.workflow.schedule.lastFireAt).not.toBeNull();
    const recent = read.workflow.schedule.recentFires as { outcome: string; workflowRunId?: string }[];
    expect(recent.some((f) => f.outcome === 'queued' && finished.some((r) => r.id === f.workflowRunId))).toBe(
      true,
    );
    await settle(withWorker, workflowId);
  });

  it('skips a fire time while its previous workflow run is under way (overlap "skip"), and says so', async () => {
    const posted = await post(
      withWorker,
      workflowBody([{ name: 'slow', command: 'sleep 3; echo done' }], { cron: '* * * * * *' }),
    );
    const workflowId: string = posted.workflow.id;
    const first = await waitFor('the first workflow run to end', async () => {
      const runs = await workflowRunsOf(withWorker, workflowId);
      return runs[0] && runs[0].state === 'succeeded' ? runs : undefined;
    });
    // Fire times while the first ran started nothing: they were skipped, naming it.
    const fires = await firesOf(withWorker, workflowId);
    const firstFire = fires.findIndex((f) => f.workflow_run_id === first[0]!.id);
    const nextFire = fires.findIndex((f, i) => i > firstFire && f.outcome === 'queued');
    const between = fires.slice(firstFire + 1, nextFire === -1 ? undefined : nextFire);
    expect(between.length).toBeGreaterThanOrEqual(2);
    expect(between.every((f) => f.outcome === 'skipped_overlap' && f.workflow_run_id === null)).toBe(true);
    expect(between[0]!.detail).toContain(first[0]!.id);
    const [ended] = await withWorker.db.query<{ ended_at: Date }>(
      'SELECT ended_at FROM workflow_runs WHERE id = $1::uuid',
      [first[0]!.id],
    );
    // The next workflow run overlaps it in nothing: its step starts after the first ended (a start
    // is recorded after the claim, which the fire's commit precedes). Not that every skipped fire
    // time lies before the recorded end: the end's time is taken inside the transaction that ends
    // it, and a fire decided before that commits still sees it running, rightly skipped.
    const startedAt = await waitFor('a later workflow run to start', async () => {
      const [row] = await withWorker.db.query<{ started_at: Date | null }>(
        `SELECT min(r.started_at) AS started_at FROM workflow_runs w JOIN runs r ON r.workflow_run_id = w.id
          WHERE w.workflow_id = $1::uuid AND w.id <> $2::uuid`,
        [workflowId, first[0]!.id],
      );
      return row?.started_at ?? undefined;
    });
    expect(startedAt.getTime()).toBeGreaterThan(ended!.ended_at.getTime());
    const events = await withWorker.db.query<{ data: { workflowId: string; outcome: string } }>(
      `SELECT data FROM events WHERE type = 'schedule.fire_skipped' AND data ->> 'workflowId' = $1`,
      [workflowId],
    );
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events[0]!.data.outcome).toBe('skipped_overlap');
    await settle(withWorker, workflowId);
  });

  it('buffers one workflow run to follow the unfinished one (queue_one), or replaces it (replace)', async () => {
    const steps = [{ name: 'a', command: 'echo a' }];
    const queueOne = (
      await post(withoutWorker, workflowBody(steps, { cron: '* * * * * *', overlap_policy: 'queue_one' }))
    ).workflow.id as string;
    const replace = (
      await post(withoutWorker, workflowBody(steps, { cron: '* * * * * *', overlap_policy: 'replace' }))
    ).workflow.id as string;
    await waitFor('three fire times of each', async () =>
      (await firesOf(withoutWorker, queueOne)).length >= 3 &&
      (await firesOf(withoutWorker, replace)).length >= 3
        ? true
        : undefined,
    );
    // A pause waits for the schedule's row, which a fire under way holds until it commits: once
    // both are answered, every fire time either schedule will act on is recorded.
    expect((await withoutWorker.request('POST', `/workflows/${queueOne}/pause`)).status).toBe(200);
    expect((await withoutWorker.request('POST', `/workflows/${replace}/pause`)).status).toBe(200);

    const buffered = await workflowRunsOf(withoutWorker, queueOne);
    expect(buffered.map((r) => [r.state, r.waits_for_previous])).toEqual([
      ['running', false],
      ['queued', true],
    ]);
    // The buffered one has started nothing: its steps wait.
    const steps2 = await withoutWorker.db.query<{ state: string }>(
      'SELECT state FROM workflow_steps WHERE workflow_run_id = $1::uuid',
      [buffered[1]!.id],
    );
    expect(steps2.map((s) => s.state)).toEqual(['pending']);
    const outcomes = (await firesOf(withoutWorker, queueOne)).map((f) => f.outcome);
    expect(outcomes.slice(0, 2)).toEqual(['queued', 'queued']);
    expect(outcomes.slice(2).every((o) => o === 'skipped_buffer_full')).toBe(true);

    const replaced = await workflowRunsOf(withoutWorker, replace);
    expect(replaced.length).toBeGreaterThanOrEqual(3);
    expect(replaced.slice(0, -1).every((r) => r.state === 'cancelled')).toBe(true);
    expect(replaced[replaced.length - 1]!.state).toBe('running');
    expect((await firesOf(withoutWorker, replace)).every((f) => f.outcome === 'queued')).toBe(true);

    // Deleting cancels the buffered workflow run; the one under way is left to finish.
    const deleted = await withoutWorker.request('DELETE', `/workflows/${queueOne}`);
    expect(deleted.status).toBe(200);
    expect((await workflowRunsOf(withoutWorker, queueOne)).map((r) => r.state)).toEqual([
      'running',
      'cancelled',
    ]);
  });

  it('pauses, resumes, triggers, reschedules and deletes', async () => {
    const posted = await post(
      withoutWorker,
      workflowBody([{ name: 'a', command: 'echo a' }], { cron: '* * * * * *', overlap_policy: 'allow' }),
    );
    const id: string = posted.workflow.id;
    await waitFor('a first workflow run', async () =>
      (await workflowRunsOf(withoutWorker, id)).length > 0 ? true : undefined,
    );

    const paused = await withoutWorker.request('POST', `/workflows/${id}/pause`);
    expect(paused.status).toBe(200);
    expect(paused.body.schedule).toMatchObject({ paused: true, nextFireTimes: [] });
    // A fire under way holds the schedule's row until it commits, and the pause waited for it.
    const before = (await workflowRunsOf(withoutWorker, id)).length;
    await sleep(2200); // two fire times or more pass, and start nothing
    expect((await workflowRunsOf(withoutWorker, id)).length).toBe(before);

    const resumed = await withoutWorker.request('POST', `/workflows/${id}/resume`);
    expect(resumed.body.schedule.paused).toBe(false);
    await waitFor('workflow runs again', async () =>
      (await workflowRunsOf(withoutWorker, id)).length > before ? true : undefined,
    );

    const triggered = await withoutWorker.request('POST', `/workflows/${id}/trigger`);
    expect(triggered.status).toBe(202);
    expect(triggered.body).toMatchObject({ workflowId: id, trigger: 'manual', scheduledFor: null });

    const changed = await withoutWorker.request('PATCH', `/workflows/${id}`, {
      cron: '0 9 * * 1',
      timezone: 'Asia/Tokyo',
    });
    expect(changed.status).toBe(200);
    expect(changed.body.schedule).toMatchObject({ cron: '0 9 * * 1', timezone: 'Asia/Tokyo' });
    expect(changed.body.schedule.description).toContain('Monday');
    expect(changed.body.schedule.nextFireTimes).toHaveLength(5);
    const bad = await withoutWorker.request('PATCH', `/workflows/${id}`, {
      cron: 'nope',
      timezone: 'Mars/Base',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.problems.map((p: { path: string }) => p.path)).toEqual(['/timezone']);
    expect(
      (await withoutWorker.request('PATCH', `/workflows/${id}`, { cron: '61 * * * *' })).body.problems,
    ).toEqual([{ path: '/cron', message: expect.stringContaining('61') }]);
    expect((await withoutWorker.request('PATCH', `/workflows/${id}`, {})).status).toBe(400);

    // A workflow without a schedule: triggered at will, not paused.
    const once = await withoutWorker.request(
      'POST',
      '/workflows',
      workflowBody([{ name: 'a', command: 'echo' }]),
    );
    expect(once.body.workflow.schedule).toBeNull();
    const onceId: string = once.body.workflow.id;
    expect((await withoutWorker.request('POST', `/workflows/${onceId}/trigger`)).status).toBe(202);
    const refused = await withoutWorker.request('POST', `/workflows/${onceId}/pause`);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/no cron schedule/);
    expect((await withoutWorker.request('POST', `/workflows/${uniqueName('x')}/pause`)).status).toBe(404);

    const deleted = await withoutWorker.request('DELETE', `/workflows/${id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.deletedAt).not.toBeNull();
    expect(
      (await withoutWorker.db.query('SELECT 1 FROM schedules WHERE workflow_id = $1::uuid', [id])).length,
    ).toBe(0);
    const read = await withoutWorker.request('GET', `/workflows/${id}`);
    expect(read.status).toBe(200);
    expect(read.body.workflow.deletedAt).not.toBeNull();
    expect(read.body.runs.length).toBeGreaterThan(0);
    expect((await withoutWorker.request('POST', `/workflows/${id}/trigger`)).status).toBe(409);
    const listed = await withoutWorker.request('GET', '/workflows?userId=test-user&limit=200');
    expect(listed.body.workflows.map((w: { id: string }) => w.id)).not.toContain(id);
  });
});

describe.concurrent('fire times of a workflow missed while no scheduler ran', () => {
  it('catches up the latest ones within the limit ("all"), one workflow run after another', async () => {
    // A fake "now" stands in for the database's clock, so an outage of minutes takes no time.
    let now = new Date('2026-01-01T00:00:00Z');
    const N = new Date('2026-06-01T10:00:00Z');
    const minutes = (m: number) => new Date(N.getTime() + m * 60_000);
    const service = await startTestService({
      roles: ['api', 'scheduler'],
      schedulerClock: () => now,
      env: { TDS_MISFIRE_TOLERANCE_MS: '5000', TDS_SCHEDULER_IDLE_MS: '50' },
    });
    try {
      const posted = await post(
        service,
        workflowBody([{ name: 'a', command: 'echo a' }], {
          cron: '* * * * *',
          catch_up_policy: 'all',
          catch_up_limit: 3,
        }),
      );
      const id: string = posted.workflow.id;
      await service.db.query(
        'UPDATE schedules SET next_fire_at = $2::timestamptz WHERE workflow_id = $1::uuid',
        [id, N],
      );
      // Down from N until 9 min 30 s later: ten fire times came due and were missed.
      now = new Date(minutes(9).getTime() + 30_000);
      const fires = await waitFor('the fire times to be recorded', async () => {
        const rows = await firesOf(service, id);
        return rows.length >= 10 ? rows : undefined;
      });
      expect(fires.map((f) => `${(f.fire_at.getTime() - N.getTime()) / 60_000}:${f.outcome}`)).toEqual([
        ...[0, 1, 2, 3, 4, 5, 6].map((m) => `${m}:missed`),
        '7:caught_up',
        '8:caught_up',
        '9:caught_up',
      ]);
      const runs = await workflowRunsOf(service, id);
      expect(runs.map((r) => [r.trigger, r.scheduled_for!.toISOString(), r.state])).toEqual([
        ['catch_up', minutes(7).toISOString(), 'running'],
        ['catch_up', minutes(8).toISOString(), 'queued'],
        ['catch_up', minutes(9).toISOString(), 'queued'],
      ]);
      // The end of one starts the next, and only the next.
      const cancelled = await service.request('POST', `/workflow-runs/${runs[0]!.id}/cancel`);
      expect(cancelled.body.state).toBe('cancelled');
      expect((await workflowRunsOf(service, id)).map((r) => r.state)).toEqual([
        'cancelled',
        'running',
        'queued',
      ]);
    } finally {
      await service.close();
    }
  });
});

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.on('exit', () => resolve()));

describe.concurrent('a recurring workflow across scheduler instances', () => {
  it('starts one workflow run per fire time, while a scheduler is killed between fires and another starts', async () => {
    const databaseUrl = await createTestDatabase();
    const api = await startTestService({ databaseUrl, roles: ['api'] });
    try {
      const posted = await post(
        api,
        workflowBody([{ name: 'a', command: 'echo a' }], { cron: '* * * * * *', overlap_policy: 'allow' }),
      );
      const workflowId: string = posted.workflow.id;
      const start = async (name: string) => {
        const instance = await startServiceProcess(databaseUrl, {
          TDS_ROLES: 'scheduler',
          TDS_WORKER_ID: name,
        });
        processes.push(instance);
        return instance.child;
      };
      const firesAtLeast = (count: number) =>
        waitFor(`${count} fire times recorded`, async () => {
          const fires = await firesOf(api, workflowId);
          return fires.length >= count ? fires.length : undefined;
        });
      const [a, b] = await Promise.all([start('scheduler-a'), start('scheduler-b')]);
      await firesAtLeast(2);
      a!.kill('SIGKILL');
      await exited(a!);
      const late = await start('scheduler-c');
      // Fire times after the late one is up, with the killed one gone.
      await firesAtLeast((await firesOf(api, workflowId)).length + 2);
      for (const child of [b!, late]) child.kill('SIGTERM');
      await Promise.all([b!, late].map(exited));

      const runs = await api.db.query<{ at: Date; n: number }>(
        `SELECT scheduled_for AS at, count(*)::int AS n FROM workflow_runs WHERE workflow_id = $1::uuid
         GROUP BY 1 ORDER BY 1`,
        [workflowId],
      );
      expect(runs.length).toBeGreaterThanOrEqual(4);
      expect(runs.filter((r) => r.n !== 1)).toEqual([]);
      // No fire time between the first and the last was lost.
      const times = runs.map((r) => r.at.getTime());
      for (let i = 1; i < times.length; i += 1) expect(times[i]! - times[i - 1]!).toBe(1000);
      const fires = await firesOf(api, workflowId);
      expect(fires.length).toBe(runs.length);
      expect(fires.every((f) => f.outcome === 'queued' && f.workflow_run_id !== null)).toBe(true);
      // Each workflow run started its step.
      const steps = await api.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM runs r JOIN workflow_runs w ON w.id = r.workflow_run_id
         WHERE w.workflow_id = $1::uuid`,
        [workflowId],
      );
      expect(steps[0]!.n).toBe(runs.length);
    } finally {
      await api.close();
    }
  });
});

describe.concurrent("a recurring workflow's dates", () => {
  it("gives every step of each fire that fire's date and time: ${TODAY} and ${NOW}, TDS_RUN_DATE and TDS_SCHEDULED_FOR", async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const service = await startTestService({
      roles: ['api', 'worker', 'scheduler'],
      schedulerClock: () => now,
      env: { TDS_MISFIRE_TOLERANCE_MS: '5000', TDS_SCHEDULER_IDLE_MS: '50' },
    });
    try {
      const posted = await post(
        service,
        workflowBody(
          [
            { name: 'a', command: 'echo "a ${TODAY} ${NOW} $TDS_RUN_DATE $TDS_SCHEDULED_FOR"' },
            { name: 'b', depends_on: ['a'], env: { STAMP: '${NOW}' }, command: 'echo "b $STAMP ${TODAY}"' },
          ],
          // The two fires' workflow runs go side by side: the second need not wait for the first.
          { cron: '0 6 * * *', overlap_policy: 'allow' },
        ),
      );
      const id: string = posted.workflow.id;
      await service.db.query(
        'UPDATE schedules SET next_fire_at = $2::timestamptz WHERE workflow_id = $1::uuid',
        [id, new Date('2026-03-04T06:00:00Z')],
      );
      const fires = ['2026-03-04T06:00:00Z', '2026-03-05T06:00:00Z'];
      for (const [index, fire] of fires.entries()) {
        now = new Date(new Date(fire).getTime() + 1000);
        await waitFor(`the workflow run of ${fire}`, async () =>
          (await workflowRunsOf(service, id)).length === index + 1 ? true : undefined,
        );
      }
      await waitFor(
        'both workflow runs to end',
        async () =>
          (await workflowRunsOf(service, id)).every((r) => !isUnfinishedWorkflowRun(r.state))
            ? true
            : undefined,
        150_000,
      );
      const printed: string[] = [];
      for (const run of await workflowRunsOf(service, id)) {
        expect(run.state).toBe('succeeded');
        const steps = await service.db.query<{ step_name: string; results_prefix: string }>(
          'SELECT step_name, results_prefix FROM runs WHERE workflow_run_id = $1::uuid ORDER BY step_name',
          [run.id],
        );
        for (const step of steps) printed.push((await getText(bucket, `${step.results_prefix}stdout.log`))!);
      }
      expect(printed).toEqual([
        'a 2026-03-04 2026-03-04T06:00:00Z 2026-03-04 2026-03-04T06:00:00Z\n',
        'b 2026-03-04T06:00:00Z 2026-03-04\n',
        'a 2026-03-05 2026-03-05T06:00:00Z 2026-03-05 2026-03-05T06:00:00Z\n',
        'b 2026-03-05T06:00:00Z 2026-03-05\n',
      ]);
    } finally {
      await service.close();
    }
  });
});
