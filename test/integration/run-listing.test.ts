import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/key-repository.js';
import { createBucket, jobBody, startTestService, type TestService } from '../support/harness.js';

/** GET /jobs/:id/runs and GET /runs: runs a page at a time, filtered, each user seeing only their own. */
let service: TestService;
let bucket: string;
let operator: Record<string, string>;
const keys: Record<string, Record<string, string>> = {};
/** alice's two jobs: one run once, one triggered again and again. */
let onceJob: string;
let busyJob: string;
/** Runs of busyJob queued in 2020: five within its first millisecond, the sixth at 00:00:00.001. */
let moved: string[];

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function get(url: string, who: Record<string, string>) {
  return service.request('GET', url, undefined, who);
}

/** Every run a listing gives from `start` on, page after page of `limit`, checking each page's size. */
async function readAll(
  url: string,
  who: Record<string, string>,
  limit: number,
  start: string | null = null,
): Promise<string[]> {
  const ids: string[] = [];
  let cursor = start;
  for (let pages = 0; pages < 100; pages++) {
    const sep = url.includes('?') ? '&' : '?';
    const answer = await get(`${url}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, who);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.runs.length).toBeLessThanOrEqual(limit);
    ids.push(...answer.body.runs.map((r: { id: string }) => r.id));
    cursor = answer.body.nextCursor;
    if (cursor === null) return ids;
    expect(answer.body.runs).toHaveLength(limit);
  }
  throw new Error(`${url} did not end in 100 pages`);
}

/** The ids a listing must give, newest first, straight from the database. */
async function expected(where: string, params: unknown[]): Promise<string[]> {
  const rows = await service.db.query<{ id: string }>(
    `SELECT id FROM runs WHERE ${where} ORDER BY queued_at DESC, id DESC`,
    params,
  );
  return rows.map((r) => r.id);
}

beforeAll(async () => {
  // The API alone: runs stay queued unless cancelled, so their states are the test's to set.
  service = await startTestService({ roles: ['api'], env: { TDS_AUTH: 'on' } });
  bucket = await createBucket();
  operator = bearer((await createApiKey(service.db, { operator: true }, 'ops')).key);
  for (const user of ['alice', 'bob']) {
    keys[user] = bearer((await createApiKey(service.db, { userId: user }, '')).key);
    await service.request('PUT', `/admin/users/${user}`, { allowedBuckets: [bucket] }, operator);
  }
  const submit = async (user: string) => {
    const answer = await service.request('POST', '/jobs', jobBody(bucket, { userId: user }), keys[user]);
    expect(answer.status).toBe(202);
    return answer.body as { job: { id: string }; run: { id: string } };
  };
  onceJob = (await submit('alice')).job.id;
  busyJob = (await submit('alice')).job.id;
  for (let i = 0; i < 6; i++) {
    expect((await service.request('POST', `/jobs/${busyJob}/trigger`, undefined, keys.alice)).status).toBe(
      202,
    );
  }
  await submit('bob');
  await submit('bob');
  // Runs queued in the same microsecond, and a microsecond apart within one millisecond, as a
  // scheduler's batch can queue them: pages must still neither skip nor repeat one. They and one
  // more are moved back to 2020, to filter on times.
  const busyRuns = await expected('job_id = $1::uuid', [busyJob]);
  await service.db.query(
    `UPDATE runs SET queued_at = '2020-01-01T00:00:00.000500Z'::timestamptz
       - (CASE WHEN id = ANY($1::uuid[]) THEN 0 ELSE 1 END) * interval '1 microsecond'
     WHERE id = ANY($2::uuid[])`,
    [busyRuns.slice(0, 3), busyRuns.slice(0, 5)],
  );
  await service.db.query(
    `UPDATE runs SET queued_at = '2020-01-01T00:00:00.001Z'::timestamptz WHERE id = $1::uuid`,
    [busyRuns[5]],
  );
  moved = busyRuns.slice(0, 6);
  // Two of them cancelled: a second state to filter on.
  for (const id of busyRuns.slice(1, 3)) {
    expect((await service.request('POST', `/runs/${id}/cancel`, undefined, keys.alice)).status).toBe(202);
  }
});

afterAll(async () => {
  await service?.close();
});

describe("GET /jobs/:id/runs: a job's runs", () => {
  it('gives every run of the job, newest first, a page at a time, with no gap and no repeat', async () => {
    const all = await expected('job_id = $1::uuid', [busyJob]);
    expect(all).toHaveLength(7);
    for (const limit of [1, 2, 3, 7, 50]) {
      expect(await readAll(`/jobs/${busyJob}/runs`, keys.alice!, limit)).toEqual(all);
    }
    const first = await get(`/jobs/${busyJob}/runs`, keys.alice!);
    expect(first.body.nextCursor).toBeNull();
    expect(first.body.runs[0]).toMatchObject({
      jobId: busyJob,
      state: expect.any(String),
      results: { bucket },
    });
    const once = await get(`/jobs/${onceJob}/runs`, keys.alice!);
    expect(once.body.runs.map((r: { jobId: string }) => r.jobId)).toEqual([onceJob]);
  });

  it('keeps its pages in place while runs are queued between them', async () => {
    const before = await expected('job_id = $1::uuid', [busyJob]);
    const page = await get(`/jobs/${busyJob}/runs?limit=3`, keys.alice!);
    const triggered = await service.request('POST', `/jobs/${busyJob}/trigger`, undefined, keys.alice);
    expect(triggered.status).toBe(202);
    const rest = await readAll(`/jobs/${busyJob}/runs`, keys.alice!, 2, page.body.nextCursor);
    expect([...page.body.runs.map((r: { id: string }) => r.id), ...rest]).toEqual(before);
    expect(await readAll(`/jobs/${busyJob}/runs`, keys.alice!, 4)).toEqual([triggered.body.id, ...before]);
  });

  it('filters by state, comma-separated or repeated', async () => {
    const cancelled = await expected("job_id = $1::uuid AND state = 'cancelled'", [busyJob]);
    expect(cancelled).toHaveLength(2);
    expect(await readAll(`/jobs/${busyJob}/runs?state=cancelled`, keys.alice!, 1)).toEqual(cancelled);
    const both = await expected("job_id = $1::uuid AND state IN ('cancelled', 'queued')", [busyJob]);
    expect(await readAll(`/jobs/${busyJob}/runs?state=cancelled,queued`, keys.alice!, 2)).toEqual(both);
    expect(await readAll(`/jobs/${busyJob}/runs?state=queued&state=cancelled`, keys.alice!, 3)).toEqual(both);
    expect(await readAll(`/jobs/${busyJob}/runs?state=failed,timed_out`, keys.alice!, 3)).toEqual([]);
  });

  it("answers another user's job exactly as an unknown one, and lets an operator read it", async () => {
    const theirs = await get(`/jobs/${busyJob}/runs`, keys.bob!);
    const unknown = await get('/jobs/01900000-0000-7000-8000-000000000000/runs', keys.bob!);
    const malformed = await get('/jobs/not-a-job/runs', keys.bob!);
    for (const answer of [theirs, unknown, malformed]) {
      expect(answer.status).toBe(404);
      expect(answer.body.error).toBe('not_found');
      expect(answer.body.message).toMatch(/^no job with id/);
    }
    expect((await get('/jobs/01900000-0000-7000-8000-000000000000/runs', operator)).status).toBe(404);
    const read = await get(`/jobs/${busyJob}/runs?limit=200`, operator);
    expect(read.status).toBe(200);
    expect(read.body.runs).toHaveLength((await expected('job_id = $1::uuid', [busyJob])).length);
  });
});

describe("GET /runs: a user's runs across their jobs", () => {
  it("gives a user's runs of every job, newest first, page after page, and an operator everyone's", async () => {
    const alices = await expected("user_id = 'alice'", []);
    expect(alices.length).toBeGreaterThanOrEqual(8);
    expect(alices.slice(-6)).toEqual([moved[5], ...moved.slice(0, 5)]);
    for (const limit of [1, 2, 4, 50]) {
      expect(await readAll('/runs?userId=alice', keys.alice!, limit)).toEqual(alices);
    }
    expect(await readAll('/runs?userId=alice', operator, 3)).toEqual(alices);
    expect(await readAll('/runs?userId=bob', keys.bob!, 1)).toEqual(await expected("user_id = 'bob'", []));
    expect(await readAll('/runs', operator, 4)).toEqual(await expected('true', []));
  });

  it('filters by state and by when runs were queued', async () => {
    expect(await readAll('/runs?userId=alice&state=cancelled', keys.alice!, 1)).toEqual(
      await expected("user_id = 'alice' AND state = 'cancelled'", []),
    );
    expect(await readAll('/runs?state=queued', operator, 5)).toEqual(await expected("state = 'queued'", []));
    // since is inclusive, until exclusive, both to the millisecond.
    const at = '2020-01-01T00:00:00.001Z';
    const since = await readAll(`/runs?userId=alice&since=${at}`, keys.alice!, 2);
    expect(since).toEqual(await expected("user_id = 'alice' AND queued_at >= $1::timestamptz", [at]));
    expect(since).toContain(moved[5]);
    expect(since).not.toContain(moved[4]);
    expect(await readAll(`/runs?userId=alice&until=${at}`, keys.alice!, 2)).toEqual(moved.slice(0, 5));
    // A time with an offset: 01:00 at +01:00 is midnight UTC, before any of them.
    expect(
      await readAll(
        '/runs?userId=alice&since=2019-12-31T23:00:00Z&until=2020-01-01T01:00:00%2B01:00',
        keys.alice!,
        1,
      ),
    ).toEqual([]);
    expect(
      await readAll(
        '/runs?userId=alice&since=2019-12-31T23:00:00Z&until=2020-01-02T00:00:00Z&state=cancelled',
        keys.alice!,
        1,
      ),
    ).toEqual(moved.slice(1, 3));
  });

  it("keeps a user's key to its own runs", async () => {
    const theirs = await get('/runs?userId=alice', keys.bob!);
    expect(theirs.status).toBe(403);
    expect(theirs.body.error).toBe('forbidden');
    expect(theirs.body.message).toContain('belongs to user "bob"');
    const everyone = await get('/runs', keys.bob!);
    expect(everyone.status).toBe(400);
    expect(everyone.body.message).toMatch(/userId is required .*userId=bob/);
    expect((await service.request('GET', '/runs?userId=alice')).status).toBe(401);
  });
});

describe('run listings refuse what they cannot read', () => {
  const cases: [string, string, RegExp][] = [
    [
      'a state that is not one',
      '/runs?userId=alice&state=done',
      /^state "done" is not a run state: use one or more of queued, staging/,
    ],
    ['an empty state', '/runs?userId=alice&state=queued,', /^state "" is not a run state/],
    [
      'a bad state among good ones',
      '/jobs/JOB/runs?state=queued&state=Failed',
      /^state "Failed" is not a run state/,
    ],
    [
      'a cursor that is not one',
      '/runs?userId=alice&cursor=garbage',
      /^cursor is not one this service returned/,
    ],
    ['a job cursor that is not one', '/jobs/JOB/runs?cursor=eyJ4IjoxfQ', /^cursor is not one/],
    [
      'a cursor with an impossible date',
      `/runs?userId=alice&cursor=${Buffer.from(JSON.stringify({ queuedAt: '2030-02-30T00:00:00.000000Z', id: '01900000-0000-7000-8000-000000000000' })).toString('base64url')}`,
      /^cursor is not one/,
    ],
    [
      'a cursor with an id that is not one',
      `/runs?userId=alice&cursor=${Buffer.from(JSON.stringify({ queuedAt: '2030-01-01T00:00:00.000000Z', id: "'; DROP TABLE runs; --" })).toString('base64url')}`,
      /^cursor is not one/,
    ],
    ['a since that is not a time', '/runs?userId=alice&since=yesterday', /since/],
    [
      'a since in year 0',
      '/runs?userId=alice&since=0000-06-01T00:00:00Z',
      /^since "0000-06-01T00:00:00Z" is not a time/,
    ],
    ['an until that is not a time', '/runs?userId=alice&until=2030-13-01T00:00:00Z', /until/],
    [
      'since after until',
      '/runs?userId=alice&since=2030-01-02T00:00:00Z&until=2030-01-01T00:00:00Z',
      /^since .* must be before until/,
    ],
    ['a limit of 0', '/runs?userId=alice&limit=0', /limit/],
    ['a limit over 200', '/jobs/JOB/runs?limit=201', /limit/],
    ['an unknown parameter', '/runs?userId=alice&sort=asc', /sort/],
  ];
  it.each(cases)('refuses %s with 400 naming the parameter', async (_name, url, message) => {
    const answer = await get(url.replace('JOB', busyJob), keys.alice!);
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(answer.body.error).toBe('invalid_request');
    expect(answer.body.message).toMatch(message);
  });
});

describe('the OpenAPI document', () => {
  it('describes both listings, their parameters and their answers', async () => {
    const { body } = await service.request('GET', '/docs/json');
    for (const [path, params] of [
      ['/jobs/{id}/runs', ['id', 'state', 'limit', 'cursor']],
      ['/runs', ['userId', 'state', 'since', 'until', 'limit', 'cursor']],
    ] as const) {
      const operation = body.paths[path].get;
      expect(operation.summary).toMatch(/newest first, a page at a time/);
      expect(operation.description.length).toBeGreaterThan(50);
      expect(operation.parameters.map((p: { name: string }) => p.name).sort()).toEqual([...params].sort());
      for (const parameter of operation.parameters.filter((p: { in: string }) => p.in === 'query')) {
        expect(
          parameter.schema.description ?? parameter.description,
          `${path} ${parameter.name}`,
        ).toBeTruthy();
      }
      const page = operation.responses['200'].content['application/json'].schema;
      expect(Object.keys(page.properties)).toEqual(['runs', 'nextCursor']);
    }
  });
});
