import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/key-repository.js';
import { createBucket, jobBody, startTestService, type TestService } from '../support/harness.js';

/** The summaries the dashboard's front page and job list read: per user, or every user's for an operator. */
let service: TestService;
let bucket: string;
const keys: Record<string, string> = {};
const as = (who: string) => ({ authorization: `Bearer ${keys[who]}` });

beforeAll(async () => {
  service = await startTestService({ env: { TDS_AUTH: 'on' } });
  bucket = await createBucket();
  keys.operator = (await createApiKey(service.db, { operator: true }, 'ops')).key;
  for (const user of ['olive', 'oscar']) {
    keys[user] = (await createApiKey(service.db, { userId: user }, '')).key;
    await service.request('PUT', `/admin/users/${user}`, { allowedBuckets: [bucket] }, as('operator'));
  }
});

afterAll(async () => {
  await service?.close();
});

async function submit(user: string, overrides: Record<string, unknown>) {
  const { status, body } = await service.request(
    'POST',
    '/jobs',
    jobBody(bucket, { userId: user, ...overrides }),
    as(user),
  );
  expect(status, JSON.stringify(body)).toBe(202);
  return body;
}

/** Polls the run (with the operator's key) until `until` holds for its state. */
async function waitFor(runId: string, until: (state: string) => boolean) {
  for (let i = 0; i < 900; i += 1) {
    const { body } = await service.request('GET', `/runs/${runId}`, undefined, as('operator'));
    if (until(body.state)) return body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`run ${runId} did not reach the state in time`);
}
const ended = (state: string) => ['succeeded', 'failed', 'cancelled', 'timed_out'].includes(state);

describe('GET /overview and GET /job-summaries', () => {
  it("count a user's runs by state, list their failures, running runs and next fires, and no one else's", async () => {
    const ok = await submit('olive', { uniqueId: 'nightly-ok', command: 'echo fine' });
    const bad = await submit('olive', { uniqueId: 'nightly-bad', command: 'exit 4' });
    const long = await submit('olive', { uniqueId: 'long', command: 'sleep 30' });
    await submit('olive', { uniqueId: 'every-hour', cron: '0 * * * *', timezone: 'Europe/Paris' });
    const flow = await service.request(
      'POST',
      '/workflows',
      {
        userId: 'olive',
        uniqueId: 'daily-flow',
        s3_bucket: bucket,
        source_s3_prefix: '',
        destination_s3_prefix: 'flows/',
        cron: '45 4 * * *',
        steps: [{ name: 'only', command: 'true' }],
      },
      as('olive'),
    );
    expect(flow.status, JSON.stringify(flow.body)).toBe(202);
    await submit('oscar', { uniqueId: 'oscar-job', command: 'exit 1' });
    await waitFor(ok.run.id, ended);
    await waitFor(bad.run.id, ended);
    await waitFor(long.run.id, (state) => state === 'running');

    const { status, body } = await service.request('GET', '/overview?userId=olive', undefined, as('olive'));
    expect(status).toBe(200);
    expect(body.runsByState.succeeded).toBe(1);
    expect(body.runsByState.failed).toBe(1);
    expect(body.successRate).toBe(0.5);
    expect(body.running.map((run: { runId: string }) => run.runId)).toEqual([long.run.id]);
    expect(body.running[0].elapsedSeconds).toBeGreaterThanOrEqual(0);
    expect(body.recentFailures).toEqual([
      expect.objectContaining({ runId: bad.run.id, uniqueId: 'nightly-bad', reason: 'exit_code' }),
    ]);
    // An hourly schedule fires 23 or 24 times in the next 24 h, in order; the daily workflow once.
    type Fire = { fireAt: string; jobId: string | null; workflowId: string | null; uniqueId: string };
    const nextFires = body.nextFires as Fire[];
    expect(nextFires.map((fire) => fire.fireAt)).toEqual(nextFires.map((fire) => fire.fireAt).sort());
    const fires = nextFires.filter((fire) => fire.jobId !== null).map((fire) => fire.fireAt);
    expect(fires.length).toBeGreaterThanOrEqual(23);
    expect(nextFires.find((fire) => fire.jobId !== null)!.uniqueId).toBe('every-hour');
    const flowFires = nextFires.filter((fire) => fire.workflowId !== null);
    expect(flowFires).toEqual([
      {
        jobId: null,
        workflowId: flow.body.workflow.id,
        uniqueId: 'daily-flow',
        userId: 'olive',
        fireAt: expect.stringMatching(/T04:45:00/),
      },
    ]);

    // A user key names its own user; another's is refused; an operator sees everyone's.
    expect((await service.request('GET', '/overview', undefined, as('olive'))).status).toBe(400);
    expect((await service.request('GET', '/overview?userId=oscar', undefined, as('olive'))).status).toBe(403);
    const all = await service.request('GET', '/overview', undefined, as('operator'));
    expect(all.body.runsByState.failed + all.body.runsByState.running).toBeGreaterThanOrEqual(2);

    const jobs = await service.request('GET', '/job-summaries?userId=olive', undefined, as('olive'));
    expect(jobs.body.jobs.map((job: { uniqueId: string }) => job.uniqueId).sort()).toEqual([
      'every-hour',
      'long',
      'nightly-bad',
      'nightly-ok',
    ]);
    const failed = await service.request(
      'GET',
      '/job-summaries?userId=olive&state=failed,timed_out',
      undefined,
      as('olive'),
    );
    expect(failed.body.jobs.map((job: { uniqueId: string }) => job.uniqueId)).toEqual(['nightly-bad']);
    expect(failed.body.jobs[0].lastRun).toMatchObject({ id: bad.run.id, state: 'failed', exitCode: 4 });
    const named = await service.request(
      'GET',
      '/job-summaries?userId=olive&name=NIGHTLY',
      undefined,
      as('olive'),
    );
    expect(named.body.jobs).toHaveLength(2);
    const hourly = jobs.body.jobs.find((job: { uniqueId: string }) => job.uniqueId === 'every-hour');
    expect(hourly).toMatchObject({ cron: '0 * * * *', timezone: 'Europe/Paris', paused: false });
    expect(hourly.nextFireAt).toBe(fires[0]);
    expect(
      (await service.request('GET', '/job-summaries?userId=olive&state=nope', undefined, as('olive'))).status,
    ).toBe(400);

    // Workflows are summed up alike (the dashboard's workflow pages test them with workflows).
    const workflows = await service.request(
      'GET',
      '/workflow-summaries?userId=olive&name=x&state=failed,cancelled',
      undefined,
      as('olive'),
    );
    expect(workflows.body).toEqual({ workflows: [] });
    const recurring = await service.request(
      'GET',
      '/workflow-summaries?userId=olive',
      undefined,
      as('olive'),
    );
    expect(recurring.body.workflows).toEqual([
      expect.objectContaining({
        uniqueId: 'daily-flow',
        cron: '45 4 * * *',
        timezone: 'UTC',
        paused: false,
        nextFireAt: flowFires[0]!.fireAt,
        lastRun: null,
      }),
    ]);
    const unknownState = await service.request(
      'GET',
      '/workflow-summaries?userId=olive&state=timed_out',
      undefined,
      as('olive'),
    );
    expect(unknownState.status).toBe(400);
    expect(unknownState.body.message).toContain('unknown workflow run state "timed_out"');
    expect((await service.request('GET', '/workflow-summaries', undefined, as('olive'))).status).toBe(400);

    // A fire time that came while no scheduler acted on it yet (this service runs none) is still
    // the schedule's next, in both views: first among the next fires, then those from now on.
    const [due] = await service.db.query<{ at: Date }>(
      `UPDATE schedules SET next_fire_at = date_trunc('hour', now()) - interval '1 hour'
       WHERE job_id = $1::uuid RETURNING next_fire_at AS at`,
      [hourly.id],
    );
    const dueAt = new Date(due!.at).toISOString();
    const late = await service.request('GET', '/overview?userId=olive', undefined, as('olive'));
    const lateFires = (late.body.nextFires as Fire[]).filter((fire) => fire.jobId !== null);
    expect(lateFires[0]!.fireAt).toBe(dueAt);
    expect(Date.parse(lateFires[1]!.fireAt)).toBeGreaterThan(Date.now() - 1000);
    const lateJobs = await service.request(
      'GET',
      '/job-summaries?userId=olive&name=every',
      undefined,
      as('olive'),
    );
    expect(lateJobs.body.jobs[0].nextFireAt).toBe(dueAt);

    const me = await service.request('GET', '/whoami', undefined, as('olive'));
    expect(me.body).toEqual({ authEnabled: true, kind: 'user', userId: 'olive', operator: false });
    expect((await service.request('GET', '/whoami')).status).toBe(401);
    await service.request('POST', `/runs/${long.run.id}/cancel`, undefined, as('olive'));
  });
});
