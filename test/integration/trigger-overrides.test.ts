import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  createBucket,
  getText,
  jobBody,
  putObject,
  startTestService,
  uniqueName,
  type TestService,
} from '../support/harness.js';

/**
 * Trigger overrides (env, source_s3_prefix, a workflow's params) and backfill, against the real
 * service, Docker, Postgres and S3; the workflow's params set through the real `tds`.
 */

const execute = promisify(execFile);
const TDS = path.resolve('bin/tds.js');
/** Small, so that a day of an hourly cron passes it. */
const BACKFILL_MAX_RUNS = 5;

let service: TestService;
let bucket: string;

beforeAll(async () => {
  service = await startTestService({
    env: { TDS_MAX_CONCURRENT_RUNS: '4', TDS_BACKFILL_MAX_RUNS: String(BACKFILL_MAX_RUNS) },
  });
  bucket = await createBucket();
  await putObject(bucket, 'in/x.txt', 'from-the-job');
  await putObject(bucket, 'alt/x.txt', 'from-the-trigger');
});

afterAll(async () => {
  await service?.close();
});

async function postJob(overrides: Record<string, unknown>): Promise<string> {
  const posted = await service.request('POST', '/jobs', jobBody(bucket, overrides));
  if (posted.status >= 300) throw new Error(`POST /jobs: ${posted.status} ${JSON.stringify(posted.body)}`);
  return posted.body.job.id as string;
}

async function postWorkflow(body: Record<string, unknown>) {
  return service.request('POST', '/workflows', {
    userId: 'test-user',
    uniqueId: uniqueName('wf'),
    s3_bucket: bucket,
    source_s3_prefix: 'in',
    destination_s3_prefix: '/wf/',
    ...body,
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function waitForWorkflowRun(id: string): Promise<any> {
  const deadline = Date.now() + 150_000;
  let last: unknown;
  while (Date.now() < deadline) {
    const { body } = await service.request('GET', `/workflow-runs/${id}`);
    last = body;
    if (['succeeded', 'failed', 'cancelled'].includes(body.state as string)) return body;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`workflow run ${id} did not end in time; last seen ${JSON.stringify(last)}`);
}

const problemPaths = (body: { problems?: { path: string }[] }) =>
  (body.problems ?? []).map((p) => p.path).sort();

describe.concurrent('trigger overrides', () => {
  it("runs a job once with an env value and an input folder of the trigger's, and records them", async ({
    expect,
  }) => {
    const jobId = await postJob({
      cron: '0 0 1 1 *',
      source_s3_prefix: 'in/',
      env: { COLOR: 'red', SHAPE: 'square' },
      command: 'echo "color=$COLOR shape=$SHAPE input=$(cat /job/input/x.txt)"',
    });
    const triggered = await service.request('POST', `/jobs/${jobId}/trigger`, {
      env: { COLOR: 'blue' },
      source_s3_prefix: '/alt',
    });
    expect(triggered.status, JSON.stringify(triggered.body)).toBe(202);
    expect(triggered.body.overrides).toEqual({ env: { COLOR: 'blue' }, source_s3_prefix: 'alt/' });
    const run = await service.waitForRun(triggered.body.id as string);
    expect(run.state, JSON.stringify(run.failure)).toBe('succeeded');
    expect(run.overrides).toEqual({ env: { COLOR: 'blue' }, source_s3_prefix: 'alt/' });
    expect(await getText(bucket, `${run.results.prefix}stdout.log`)).toBe(
      'color=blue shape=square input=from-the-trigger\n',
    );
    // The job itself is unchanged: a trigger without a body runs it as defined.
    const plain = await service.request('POST', `/jobs/${jobId}/trigger`);
    expect(plain.status).toBe(202);
    expect(plain.body.overrides).toBeNull();
    const again = await service.waitForRun(plain.body.id as string);
    expect(await getText(bucket, `${again.results.prefix}stdout.log`)).toBe(
      'color=red shape=square input=from-the-job\n',
    );
    const audit = await service.db.query<{ summary: Record<string, unknown> }>(
      "SELECT summary FROM audit_log WHERE action = 'job.triggered' AND target_id = $1 ORDER BY id",
      [jobId],
    );
    expect(audit.map((a) => a.summary.overrides ?? null)).toEqual([
      { env: ['COLOR'], source_s3_prefix: 'alt/' },
      null,
    ]);
  });

  it('refuses overrides a definition would not be allowed, each problem at its field, and queues nothing', async ({
    expect,
  }) => {
    const jobId = await postJob({ cron: '0 0 1 1 *', secrets: [] });
    const bad = await service.request('POST', `/jobs/${jobId}/trigger`, {
      env: { TDS_RUN_DATE: 'x', OK: 'y' },
      source_s3_prefix: 'a/../b',
      params: { day: '1' },
    });
    expect(bad.status).toBe(400);
    expect(problemPaths(bad.body)).toEqual(['/env/TDS_RUN_DATE', '/params/day', '/source_s3_prefix']);
    expect(bad.body.message).toContain('reserved');
    const unknown = await service.request('POST', `/jobs/${jobId}/trigger`, { envs: {} });
    expect(unknown.status).toBe(400);
    const runs = await service.db.query('SELECT 1 FROM runs WHERE job_id = $1::uuid', [jobId]);
    expect(runs).toHaveLength(0);
  });

  it('runs a workflow with the params set by tds trigger --set, their defaults for the rest, and shows them', async ({
    expect,
  }) => {
    const posted = await postWorkflow({
      params: {
        greeting: { type: 'string', description: 'what to say' },
        times: { type: 'number', default: 2 },
        loud: { type: 'boolean', default: false },
      },
      steps: [
        { name: 'say', command: 'echo "{{params.greeting}} x{{ params.times }} loud={{params.loud}}"' },
      ],
    });
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    // A param without a default has no value until a trigger gives one: nothing ran.
    expect(posted.body.workflowRun).toBeNull();
    const workflowId = posted.body.workflow.id as string;

    const { stdout } = await execute(
      'node',
      [TDS, 'trigger', workflowId, '--set', 'greeting=hola', '--set', 'times=3', '--output', 'json'],
      { env: { ...process.env, TDS_URL: service.apiUrl }, timeout: 150_000 },
    );
    const answer = JSON.parse(stdout) as { id: string; params: unknown };
    expect(answer.params).toEqual({ greeting: 'hola', times: 3, loud: false });
    const run = await waitForWorkflowRun(answer.id);
    expect(run.state).toBe('succeeded');
    expect(run.params).toEqual({ greeting: 'hola', times: 3, loud: false });
    expect(run.steps[0].result).toBe('hola x3 loud=false');
    // A retry runs with the params of the run it retries.
    const retried = await service.request('POST', `/workflow-runs/${answer.id}/retry?from=say`);
    expect(retried.status, JSON.stringify(retried.body)).toBe(202);
    expect(retried.body.params).toEqual({ greeting: 'hola', times: 3, loud: false });
    expect((await waitForWorkflowRun(retried.body.id as string)).steps[0].result).toBe('hola x3 loud=false');

    // Unknown, of the wrong type, missing: each named, nothing started.
    const bad = await service.request('POST', `/workflows/${workflowId}/trigger`, {
      params: { times: 'many', colour: 'red' },
    });
    expect(bad.status).toBe(400);
    expect(problemPaths(bad.body)).toEqual(['/params/colour', '/params/greeting', '/params/times']);
    expect(bad.body.message).toMatch(/"greeting" \(string\) has no default and must be given/);
    const runs = await service.db.query('SELECT 1 FROM workflow_runs WHERE workflow_id = $1::uuid', [
      workflowId,
    ]);
    expect(runs).toHaveLength(2);
  });

  it("fans a step out over a list param: its default, then tds trigger --set's list", async ({ expect }) => {
    const posted = await postWorkflow({
      params: { files: { type: 'list', default: ['a'] } },
      steps: [{ name: 'each', for_each: '{{params.files}}', command: 'echo item-{{item}}' }],
    });
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    const first = await waitForWorkflowRun(posted.body.workflowRun.id as string);
    expect(first.state).toBe('succeeded');
    expect(JSON.parse(first.steps[0].result as string)).toEqual(['item-a']);
    const { stdout } = await execute(
      'node',
      [TDS, 'trigger', posted.body.workflow.id as string, '--set', 'files=["x","y"]', '--output', 'json'],
      { env: { ...process.env, TDS_URL: service.apiUrl }, timeout: 150_000 },
    );
    const run = await waitForWorkflowRun((JSON.parse(stdout) as { id: string }).id);
    expect(run.state).toBe('succeeded');
    expect(JSON.parse(run.steps[0].result as string)).toEqual(['item-x', 'item-y']);
  });

  it('refuses a placeholder naming an undeclared param, and a recurring workflow whose param has no default', async ({
    expect,
  }) => {
    const undeclared = await postWorkflow({ steps: [{ name: 'a', command: 'echo {{params.nope}}' }] });
    expect(undeclared.status).toBe(400);
    expect(problemPaths(undeclared.body)).toEqual(['/steps/0/command']);
    const recurring = await postWorkflow({
      cron: '0 6 * * *',
      params: { day: { type: 'string' }, n: { type: 'number', default: 'x' } },
      steps: [{ name: 'a', command: 'echo {{params.day}} {{params.n}}' }],
    });
    expect(recurring.status).toBe(400);
    expect(problemPaths(recurring.body)).toEqual(['/params/day', '/params/n/default']);
  });
});

describe.concurrent('backfill', () => {
  it('queues one run per daily fire time of a past period, each with its own date', async ({ expect }) => {
    const jobId = await postJob({
      cron: '0 6 * * *',
      timezone: 'UTC',
      overlap_policy: 'allow',
      command: 'echo "report for ${TODAY} at $TDS_SCHEDULED_FOR ($TDS_RUN_DATE)"',
    });
    const period = { from: '2026-03-01T00:00:00Z', to: '2026-03-04T00:00:00Z' };
    const dry = await service.request('POST', `/jobs/${jobId}/backfill?dry_run=true`, period);
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body.runs.map((r: { id: string | null }) => r.id)).toEqual([null, null, null]);
    expect((await service.db.query('SELECT 1 FROM runs WHERE job_id = $1::uuid', [jobId])).length).toBe(0);

    const queued = await service.request('POST', `/jobs/${jobId}/backfill`, period);
    expect(queued.status, JSON.stringify(queued.body)).toBe(202);
    expect(queued.body.count).toBe(3);
    const days = ['2026-03-01', '2026-03-02', '2026-03-03'];
    expect(queued.body.runs.map((r: { scheduledFor: string }) => r.scheduledFor)).toEqual(
      days.map((d) => `${d}T06:00:00.000Z`),
    );
    const outputs = await Promise.all(
      queued.body.runs.map(async (r: { id: string }) => {
        const run = await service.waitForRun(r.id);
        expect(run.state, JSON.stringify(run.failure)).toBe('succeeded');
        expect(run.trigger).toBe('backfill');
        return getText(bucket, `${run.results.prefix}stdout.log`);
      }),
    );
    expect(outputs).toEqual(days.map((d) => `report for ${d} at ${d}T06:00:00Z (${d})\n`));
    const audit = await service.db.query<{ summary: Record<string, unknown> }>(
      "SELECT summary FROM audit_log WHERE action = 'job.backfilled' AND target_id = $1",
      [jobId],
    );
    expect(audit.map((a) => a.summary.runs)).toEqual([3]);
  });

  it(`refuses a period of more than TDS_BACKFILL_MAX_RUNS (${BACKFILL_MAX_RUNS}) fire times, one in the future, and a definition with no schedule`, async ({
    expect,
  }) => {
    const jobId = await postJob({ cron: '0 * * * *', command: 'true' });
    const over = await service.request('POST', `/jobs/${jobId}/backfill`, {
      from: '2026-03-01T00:00:00Z',
      to: '2026-03-01T06:00:00Z',
    });
    expect(over.status).toBe(400);
    expect(over.body.message).toContain('TDS_BACKFILL_MAX_RUNS');
    expect(over.body.message).toContain(String(BACKFILL_MAX_RUNS));
    const exactly = await service.request('POST', `/jobs/${jobId}/backfill?dry_run=true`, {
      from: '2026-03-01T00:00:00Z',
      to: '2026-03-01T05:00:00Z',
    });
    expect(exactly.status).toBe(200);
    expect(exactly.body.count).toBe(BACKFILL_MAX_RUNS);
    const future = await service.request('POST', `/jobs/${jobId}/backfill`, {
      from: '2026-03-01T00:00:00Z',
      to: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(future.status).toBe(400);
    expect(future.body.message).toContain('after now');
    const backwards = await service.request('POST', `/jobs/${jobId}/backfill`, {
      from: '2026-03-02T00:00:00Z',
      to: '2026-03-01T00:00:00Z',
    });
    expect(backwards.status).toBe(400);
    expect((await service.db.query('SELECT 1 FROM runs WHERE job_id = $1::uuid', [jobId])).length).toBe(0);

    const once = await postJob({ command: 'true' });
    const none = await service.request('POST', `/jobs/${once}/backfill`, {
      from: '2026-03-01T00:00:00Z',
      to: '2026-03-02T00:00:00Z',
    });
    expect(none.status).toBe(409);
    expect(none.body.message).toContain('no cron schedule');
  });

  it('starts a workflow run per fire time, one after another under the default overlap policy', async ({
    expect,
  }) => {
    const posted = await postWorkflow({
      cron: '30 6 * * *',
      timezone: 'Europe/Paris',
      params: { who: { type: 'string', default: 'world' } },
      steps: [{ name: 'a', command: 'echo "{{params.who}} ${TODAY}"' }],
    });
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    const answer = await service.request('POST', `/workflows/${posted.body.workflow.id}/backfill`, {
      from: '2026-03-01T00:00:00+01:00',
      to: '2026-03-03T00:00:00+01:00',
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    expect(answer.body.runs.map((r: { scheduledFor: string }) => r.scheduledFor)).toEqual([
      '2026-03-01T05:30:00.000Z',
      '2026-03-02T05:30:00.000Z',
    ]);
    const waits = await service.db.query<{ waits_for_previous: boolean; trigger: string }>(
      'SELECT waits_for_previous, trigger FROM workflow_runs WHERE workflow_id = $1::uuid ORDER BY queued_at',
      [posted.body.workflow.id],
    );
    expect(waits).toEqual([
      { waits_for_previous: true, trigger: 'backfill' },
      { waits_for_previous: true, trigger: 'backfill' },
    ]);
    const runs = [];
    for (const r of answer.body.runs as { id: string }[]) runs.push(await waitForWorkflowRun(r.id));
    expect(runs.map((r) => [r.state, r.params, r.steps[0].result])).toEqual([
      ['succeeded', { who: 'world' }, 'world 2026-03-01'],
      ['succeeded', { who: 'world' }, 'world 2026-03-02'],
    ]);
  });
});
