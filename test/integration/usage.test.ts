import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/key-repository.js';
import {
  createBucket,
  getText,
  jobBody,
  startTestService,
  uniqueName,
  type TestService,
} from '../support/harness.js';

/**
 * GET /usage: what runs used, summed per job, workflow, user and day, against each run's own
 * metrics.json in S3. alice has a busy job (two runs of a busy loop at --cpus 0.5), an idle job
 * (one run holding memory while it sleeps) and a workflow of two steps; bob has one job.
 */
let service: TestService;
let bucket: string;
let operator: Record<string, string>;
const keys: Record<string, Record<string, string>> = {};
const jobs: Record<string, string> = {};
let workflowId: string;

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const GIB = 1024 ** 3;

interface Expected {
  runs: number;
  runSeconds: number;
  cpuSeconds: number;
  memoryByteSeconds: number;
}

/** The sums of the runs' own metrics.json (the runs picked by `where` in the database). */
async function fromMetricsJson(where: string, params: unknown[]): Promise<Expected> {
  const runs = await service.db.query<{ results_bucket: string; results_prefix: string }>(
    `SELECT results_bucket, results_prefix FROM runs WHERE ${where}`,
    params,
  );
  const sum: Expected = { runs: 0, runSeconds: 0, cpuSeconds: 0, memoryByteSeconds: 0 };
  for (const run of runs) {
    const text = await getText(run.results_bucket, `${run.results_prefix}metrics.json`);
    expect(text, `metrics.json of ${run.results_prefix}`).toBeDefined();
    const m = JSON.parse(text!);
    sum.runs += 1;
    sum.runSeconds += m.duration_seconds;
    sum.cpuSeconds += (m.cpu_percent_avg / 100) * m.duration_seconds;
    sum.memoryByteSeconds += m.memory_bytes_avg * m.duration_seconds;
  }
  return sum;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function expectFigures(actual: any, expected: Expected) {
  expect(actual.runs).toBe(expected.runs);
  expect(actual.runSeconds).toBeCloseTo(expected.runSeconds, 2);
  expect(actual.cpuSeconds).toBeCloseTo(expected.cpuSeconds, 2);
  expect(Math.abs(actual.memoryByteSeconds - expected.memoryByteSeconds)).toBeLessThanOrEqual(1);
  expect(actual.memoryGbSeconds).toBeCloseTo(expected.memoryByteSeconds / GIB, 5);
}

async function usage(query: string, who: Record<string, string> = operator) {
  return service.request('GET', `/usage?${query}`, undefined, who);
}

/** Polls the run (with the operator's key) until it has ended. */
async function waitForRun(id: string): Promise<{ state: string }> {
  const deadline = Date.now() + 150_000;
  for (;;) {
    const { status, body } = await service.request('GET', `/runs/${id}`, undefined, operator);
    expect(status, JSON.stringify(body)).toBe(200);
    if (['succeeded', 'failed', 'cancelled', 'timed_out'].includes(body.state)) return body;
    if (Date.now() > deadline) throw new Error(`run ${id} did not end in time: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

async function submitJob(user: string, overrides: Record<string, unknown>) {
  const answer = await service.request(
    'POST',
    '/jobs',
    jobBody(bucket, { userId: user, ...overrides }),
    keys[user],
  );
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  return answer.body as { job: { id: string }; run: { id: string } };
}

/** A range that holds every day the runs ended on (UTC), by the database's clock. */
let range: string;

beforeAll(async () => {
  service = await startTestService({
    env: { TDS_AUTH: 'on', TDS_USAGE_MAX_RANGE_DAYS: '31', TDS_USAGE_MAX_GROUPS: '2' },
  });
  bucket = await createBucket();
  operator = bearer((await createApiKey(service.db, { operator: true }, 'ops')).key);
  for (const user of ['alice', 'bob']) {
    keys[user] = bearer((await createApiKey(service.db, { userId: user }, '')).key);
    await service.request('PUT', `/admin/users/${user}`, { allowedBuckets: [bucket] }, operator);
  }
  const busy = await submitJob('alice', {
    command: "timeout 4 sh -c 'while :; do :; done' || true",
    cpus: 0.5,
    metrics_interval_seconds: 0.5,
  });
  jobs.busy = busy.job.id;
  const idle = await submitJob('alice', {
    // 20 MB held for 5 s: most of its run, however long the machine takes to build it.
    command: 'a=$(head -c 20000000 /dev/zero | tr "\\0" x); sleep 5; echo ${#a}',
    metrics_interval_seconds: 0.5,
  });
  jobs.idle = idle.job.id;
  const bobs = await submitJob('bob', { command: 'sleep 1' });
  jobs.bob = bobs.job.id;
  const workflow = await service.request(
    'POST',
    '/workflows',
    {
      userId: 'alice',
      uniqueId: uniqueName('wf'),
      s3_bucket: bucket,
      source_s3_prefix: '',
      destination_s3_prefix: '/wf/',
      steps: [
        { name: 'first', command: 'sleep 1' },
        { name: 'second', depends_on: ['first'], command: "timeout 1 sh -c 'while :; do :; done' || true" },
      ],
    },
    keys.alice,
  );
  expect(workflow.status, JSON.stringify(workflow.body)).toBe(202);
  workflowId = workflow.body.workflow.id;

  await waitForRun(busy.run.id);
  const again = await service.request('POST', `/jobs/${jobs.busy}/trigger`, undefined, keys.alice);
  expect(again.status, JSON.stringify(again.body)).toBe(202);
  for (const id of [again.body.id, idle.run.id, bobs.run.id]) {
    expect((await waitForRun(id)).state).toBe('succeeded');
  }
  const deadline = Date.now() + 150_000;
  for (;;) {
    const state = (
      await service.request('GET', `/workflow-runs/${workflow.body.workflowRun.id}`, undefined, keys.alice)
    ).body.state;
    if (['succeeded', 'failed', 'cancelled'].includes(state)) {
      expect(state).toBe('succeeded');
      break;
    }
    if (Date.now() > deadline) throw new Error('the workflow run did not end in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const [days] = await service.db.query<{ first: string; after: string }>(
    `SELECT to_char(min(finished_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS first,
            to_char(max(finished_at AT TIME ZONE 'UTC') + interval '1 day', 'YYYY-MM-DD') AS after FROM runs`,
  );
  range = `from=${days!.first}&to=${days!.after}`;
}, 400_000);

afterAll(async () => {
  await service?.close();
});

describe('usage', () => {
  it("per job: each job's runs, summed from their own metrics.json", async () => {
    const answer = await usage(`userId=alice&groupBy=job&${range}`, keys.alice);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const { groups, total, truncated } = answer.body;
    expect(truncated).toBe(false);
    expect(groups.map((g: { key: string }) => g.key).sort()).toEqual([jobs.busy, jobs.idle].sort());
    const busy = groups.find((g: { key: string }) => g.key === jobs.busy);
    const idle = groups.find((g: { key: string }) => g.key === jobs.idle);
    expectFigures(busy, await fromMetricsJson('job_id = $1', [jobs.busy]));
    expectFigures(idle, await fromMetricsJson('job_id = $1', [jobs.idle]));
    expect(busy.runs).toBe(2);
    expect(busy.userId).toBe('alice');
    expect(busy.uniqueId).toEqual(expect.any(String));
    // The busy loop used CPU; the sleeping job held more memory than it (20 MB for most of its run).
    expect(busy.cpuSeconds).toBeGreaterThan(idle.cpuSeconds);
    expect(idle.memoryByteSeconds / idle.runSeconds).toBeGreaterThan(
      2 * (busy.memoryByteSeconds / busy.runSeconds),
    );
    expect(idle.memoryByteSeconds / idle.runSeconds).toBeGreaterThan(8_000_000);
    expectFigures(total, await fromMetricsJson("user_id = 'alice' AND job_id IS NOT NULL", []));
  });

  it("per workflow: the workflow's step runs", async () => {
    const answer = await usage(`userId=alice&groupBy=workflow&${range}`, keys.alice);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.groups).toHaveLength(1);
    expect(answer.body.groups[0].key).toBe(workflowId);
    const expected = await fromMetricsJson(
      'workflow_run_id IN (SELECT id FROM workflow_runs WHERE workflow_id = $1)',
      [workflowId],
    );
    expect(expected.runs).toBe(2);
    expectFigures(answer.body.groups[0], expected);
    const only = await usage(`userId=alice&workflowId=${workflowId}&${range}`, keys.alice);
    expectFigures(only.body.total, expected);
    const job = await usage(`userId=alice&jobId=${jobs.idle}&${range}`, keys.alice);
    expectFigures(job.body.total, await fromMetricsJson('job_id = $1', [jobs.idle]));
  });

  it('per user and per day: every run, for an operator every user', async () => {
    const byUser = await usage(`groupBy=user&${range}`);
    expect(byUser.status, JSON.stringify(byUser.body)).toBe(200);
    expect(byUser.body.userId).toBeNull();
    const alice = byUser.body.groups.find((g: { key: string }) => g.key === 'alice');
    const bob = byUser.body.groups.find((g: { key: string }) => g.key === 'bob');
    expectFigures(alice, await fromMetricsJson("user_id = 'alice'", []));
    expectFigures(bob, await fromMetricsJson("user_id = 'bob'", []));
    expect(alice.runs).toBe(5);
    expectFigures(byUser.body.total, await fromMetricsJson('true', []));

    const byDay = await usage(`userId=alice&groupBy=day&${range}`);
    expect(byDay.status).toBe(200);
    const days = await service.db.query<{ day: string }>(
      `SELECT DISTINCT to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM runs
        WHERE user_id = 'alice' ORDER BY 1`,
    );
    expect(byDay.body.groups.map((g: { key: string }) => g.key)).toEqual(days.map((d) => d.day));
    for (const group of byDay.body.groups) {
      expectFigures(
        group,
        await fromMetricsJson(
          "user_id = 'alice' AND to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') = $1",
          [group.key],
        ),
      );
    }
    expectFigures(byDay.body.total, await fromMetricsJson("user_id = 'alice'", []));

    // A range of days before any run ended counts nothing.
    const before = await usage('userId=alice&from=2020-01-01&to=2020-01-31');
    expect(before.status).toBe(200);
    expect(before.body.groups).toEqual([]);
    expect(before.body.total).toMatchObject({ runs: 0, cpuSeconds: 0, memoryByteSeconds: 0, runSeconds: 0 });
  });

  it('without from and to: the last seven days, today included, by day', async () => {
    const answer = await usage('userId=alice', keys.alice);
    expect(answer.status).toBe(200);
    const [today] = await service.db.query<{ from: string; to: string }>(
      `SELECT to_char((now() AT TIME ZONE 'UTC')::date - 6, 'YYYY-MM-DD') AS from,
              to_char((now() AT TIME ZONE 'UTC')::date + 1, 'YYYY-MM-DD') AS to`,
    );
    expect(answer.body).toMatchObject({ groupBy: 'day', userId: 'alice', from: today!.from, to: today!.to });
  });

  it('past TDS_USAGE_MAX_GROUPS: the groups are cut, the total is not', async () => {
    const answer = await usage(`groupBy=job&${range}`);
    expect(answer.status).toBe(200);
    expect(answer.body.truncated).toBe(true);
    expect(answer.body.groups).toHaveLength(2);
    expectFigures(answer.body.total, await fromMetricsJson('job_id IS NOT NULL', []));
    // The most CPU first.
    expect(answer.body.groups[0].key).toBe(jobs.busy);
  });

  it("a user's key reads its own user's usage only", async () => {
    const mine = await usage(`userId=bob&groupBy=user&${range}`, keys.bob);
    expect(mine.status).toBe(200);
    expect(mine.body.groups.map((g: { key: string }) => g.key)).toEqual(['bob']);
    expectFigures(mine.body.total, await fromMetricsJson("user_id = 'bob'", []));

    const theirs = await usage(`userId=alice&${range}`, keys.bob);
    expect(theirs.status).toBe(403);
    expect(theirs.body.message).toContain('userId');
    const everyone = await usage(range, keys.bob);
    expect(everyone.status).toBe(400);
    expect(everyone.body.message).toContain('userId=bob');
    // alice's job through bob's own usage: nothing of it.
    const job = await usage(`userId=bob&jobId=${jobs.busy}&${range}`, keys.bob);
    expect(job.status).toBe(200);
    expect(job.body.total.runs).toBe(0);
    expect((await service.request('GET', `/usage?${range}`)).status).toBe(401);
  });

  it('refuses what it cannot answer with 400 and what to send instead', async () => {
    const cases: [string, string][] = [
      ['groupBy=week', 'job'],
      ['groupBy=week', 'day'],
      ['from=2025-13-01&to=2025-12-31', 'YYYY-MM-DD'],
      ['from=2025-02-30&to=2025-03-31', 'YYYY-MM-DD'],
      ['from=2025-01-01T00:00:00Z&to=2025-01-31', 'YYYY-MM-DD'],
      ['from=yesterday', 'YYYY-MM-DD'],
      ['from=2025-01-31&to=2025-01-31', 'before'],
      ['from=2025-02-01&to=2025-01-01', 'before'],
      ['from=2025-01-01&to=2025-02-02', 'TDS_USAGE_MAX_RANGE_DAYS'],
      ['from=2025-01-01&to=2025-02-02', '31'],
      ['jobId=not-a-job', 'UUID'],
      ['workflowId=42', 'UUID'],
      ['colour=blue', 'colour'],
    ];
    for (const [query, hint] of cases) {
      const answer = await usage(query);
      expect(answer.status, query).toBe(400);
      expect(answer.body.error, query).toBe('invalid_request');
      expect(answer.body.message, query).toContain(hint);
    }
    // 31 days is within the bound.
    expect((await usage('from=2025-01-01&to=2025-02-01')).status).toBe(200);
  });

  it('tds usage: a table of CPU-hours, GB-hours, runs and run time, and the report as JSON', async () => {
    const tds = async (args: string[], key: Record<string, string>) =>
      promisify(execFile)('node', [path.resolve('bin/tds.js'), ...args], {
        env: {
          ...process.env,
          TDS_URL: service.apiUrl,
          TDS_API_KEY: key.authorization!.slice('Bearer '.length),
        },
        timeout: 60_000,
      });
    const [from, to] = range.split('&').map((p) => p.split('=')[1]!);
    const json = await tds(
      ['usage', '--user', 'alice', '--by', 'job', '--from', from!, '--to', to!, '--output', 'json'],
      keys.alice!,
    );
    const report = JSON.parse(json.stdout);
    const api = await usage(`userId=alice&groupBy=job&${range}`, keys.alice);
    expect(report).toEqual(api.body);

    const text = await tds(
      ['usage', '--user', 'alice', '--by', 'job', '--from', from!, '--to', to!],
      keys.alice!,
    );
    const lines = text.stdout.trim().split('\n');
    expect(lines[1]).toMatch(/^JOB\s+CPU-HOURS\s+GB-HOURS\s+RUNS\s+RUN TIME$/);
    const busy = api.body.groups.find((g: { key: string }) => g.key === jobs.busy);
    const busyLine = lines.find((line) => line.includes(jobs.busy!))!;
    expect(busyLine).toContain(busy.uniqueId);
    const cells = busyLine.split(/\s{2,}/);
    expect(Number(cells[1])).toBeCloseTo(busy.cpuSeconds / 3600, 4);
    expect(Number(cells[2])).toBeCloseTo(busy.memoryGbSeconds / 3600, 4);
    expect(cells[3]).toBe('2');
    // The run time as h:mm:ss of the report's seconds (the runs' own, from start to exit).
    const whole = Math.round(busy.runSeconds);
    expect(cells[4]).toBe(
      `${Math.floor(whole / 3600)}:${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}:${String(whole % 60).padStart(2, '0')}`,
    );
    expect(lines.at(-1)).toMatch(/^TOTAL\s+/);

    const refused = await tds(['usage', '--user', 'alice', '--by', 'week'], keys.alice!).catch((e) => e);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('job, workflow, user, day');
    const notMine = await tds(['usage', '--user', 'alice'], keys.bob!).catch((e) => e);
    expect(notMine.code).not.toBe(0);
    expect(notMine.stderr).toContain('bob');
  });
});
