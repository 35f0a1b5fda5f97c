import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteBucketCommand, DeleteObjectCommand } from '@aws-sdk/client-s3';
import {
  createBucket,
  jobBody,
  putObject,
  s3Client,
  startTestService,
  type TestService,
} from '../support/harness.js';

let service: TestService;
let bucket: string;

async function countRows(): Promise<{ jobs: number; runs: number }> {
  const [row] = await service.db.query<{ jobs: number; runs: number }>(
    'SELECT (SELECT count(*)::int FROM jobs) AS jobs, (SELECT count(*)::int FROM runs) AS runs',
  );
  return row!;
}

beforeAll(async () => {
  // The API alone: submitted runs stay queued, which is what these tests look at.
  service = await startTestService({ roles: ['api'] });
  bucket = await createBucket();
  await putObject(bucket, 'inputs/data.csv', 'a,b\n1,2\n');
});

afterAll(async () => {
  await service?.close();
});

describe('POST /jobs', () => {
  it('accepts the body frontends send and queues a run whose results go under <prefix>/<uniqueId>/<runId>/', async () => {
    const body = jobBody(bucket, {
      userId: 'akhil-test',
      uniqueId: 'akhil-test-uid',
      source_s3_prefix: '',
      destination_s3_prefix: '/out/',
      command: "python3 -c 'print(56789)'",
      linux_dependencies: ['git', 'curl', 'python3'],
    });
    const { status, body: answer } = await service.request('POST', '/jobs', body);
    expect(status).toBe(202);
    expect(answer.created).toBe(true);
    expect(answer.job.spec).toMatchObject({
      userId: 'akhil-test',
      uniqueId: 'akhil-test-uid',
      source_s3_prefix: '',
      destination_s3_prefix: 'out/',
      linux_dependencies: ['curl', 'git', 'python3'],
      timeout_seconds: 3600,
    });
    expect(answer.run.state).toBe('queued');
    expect(answer.run.results.prefix).toBe(`out/akhil-test-uid/${answer.run.id}/`);
    expect(answer.run.results.uri).toBe(`s3://${bucket}/out/akhil-test-uid/${answer.run.id}/`);

    // The answer to the POST is what is stored: the same as reading the job and run back.
    const job = await service.request('GET', `/jobs/${answer.job.id}`);
    expect(job.status).toBe(200);
    expect(job.body.runs).toEqual([answer.run]);
    expect(job.body.job).toEqual(answer.job);

    const run = await service.request('GET', `/runs/${answer.run.id}`);
    const { history, ...stored } = run.body;
    expect(stored).toEqual(answer.run);
    expect(history.map((e: { state: string }) => e.state)).toEqual(['queued']);
    expect(history[0].detail).toEqual({ trigger: 'submit' });
  });

  it('returns the existing job when the same userId and uniqueId are posted again, and never makes a second', async () => {
    const body = jobBody(bucket);
    const first = await service.request('POST', '/jobs', body);
    const before = await countRows();
    const again = await Promise.all([1, 2, 3].map(() => service.request('POST', '/jobs', body)));
    for (const answer of again) {
      expect(answer.status).toBe(200);
      expect(answer.body.created).toBe(false);
      expect(answer.body.job.id).toBe(first.body.job.id);
      expect(answer.body.run.id).toBe(first.body.run.id);
    }
    expect(await countRows()).toEqual(before);
  });

  it('answers a repeated post from what is stored, even when the bucket has gone since', async () => {
    const gone = await createBucket();
    const body = jobBody(gone);
    const first = await service.request('POST', '/jobs', body);
    expect(first.status).toBe(202);
    await s3Client().send(new DeleteBucketCommand({ Bucket: gone }));
    const again = await service.request('POST', '/jobs', body);
    expect(again.status).toBe(200);
    expect(again.body.job.id).toBe(first.body.job.id);
    const fresh = await service.request('POST', '/jobs', {
      ...body,
      uniqueId: `${body.uniqueId as string}-new`,
    });
    expect(fresh.status).toBe(422);
  });

  it('accepts a job as soon as its inputs are there, having refused it while they were missing', async () => {
    const body = jobBody(bucket, { source_s3_prefix: 'arriving/' });
    const early = await service.request('POST', '/jobs', body);
    expect(early.status).toBe(422);
    expect(early.body.message).toMatch(/no objects under/);
    await putObject(bucket, 'arriving/data.csv', 'a\n1\n');
    const ready = await service.request('POST', '/jobs', body);
    expect(ready.status).toBe(202);
    // A prefix found to hold objects is taken to hold them for a few seconds: the next job over
    // the same inputs is accepted without asking the store again (its run would fail staging).
    await s3Client().send(new DeleteObjectCommand({ Bucket: bucket, Key: 'arriving/data.csv' }));
    const next = await service.request('POST', '/jobs', {
      ...body,
      uniqueId: `${body.uniqueId as string}-next`,
    });
    expect(next.status).toBe(202);
  });

  it('answers 409 when a uniqueId is reused for a different job', async () => {
    const body = jobBody(bucket);
    await service.request('POST', '/jobs', body);
    const { status, body: answer } = await service.request('POST', '/jobs', {
      ...body,
      command: 'echo other',
    });
    expect(status).toBe(409);
    expect(answer.message).toMatch(/already used/);
  });

  it('takes the same uniqueId for two different users as two jobs', async () => {
    const body = jobBody(bucket);
    const a = await service.request('POST', '/jobs', body);
    const b = await service.request('POST', '/jobs', { ...body, userId: 'another-user' });
    expect(a.status).toBe(202);
    expect(b.status).toBe(202);
    expect(a.body.job.id).not.toBe(b.body.job.id);
  });

  const rejected: [string, (b: Record<string, unknown>) => unknown, number, RegExp][] = [
    ['a body that is not JSON', () => '{"userId": ', 400, /JSON/],
    ['an unknown field', (b) => ({ ...b, colour: 'blue' }), 400, /unknown field "colour"/],
    ['a missing command', ({ command: _c, ...b }) => b, 400, /missing required field "command"/],
    ['a missing bucket', ({ s3_bucket: _b, ...b }) => b, 400, /missing required field "s3_bucket"/],
    [
      'a missing source prefix',
      ({ source_s3_prefix: _p, ...b }) => b,
      400,
      /missing required field "source_s3_prefix"/,
    ],
    [
      'a missing destination prefix',
      ({ destination_s3_prefix: _p, ...b }) => b,
      400,
      /"destination_s3_prefix"/,
    ],
    [
      'a package that is shell syntax',
      (b) => ({ ...b, linux_dependencies: ['curl && rm -rf /'] }),
      400,
      /linux_dependencies\[0\] "curl && rm -rf \/" is not allowed: a plain package name/,
    ],
    [
      'a package with $()',
      (b) => ({ ...b, linux_dependencies: ['git', '$(reboot)'] }),
      400,
      /linux_dependencies\[1\]/,
    ],
    [
      'a source prefix with ..',
      (b) => ({ ...b, source_s3_prefix: 'in/../secrets' }),
      400,
      /source_s3_prefix .* must not contain/,
    ],
    [
      'a destination prefix with ..',
      (b) => ({ ...b, destination_s3_prefix: '../x' }),
      400,
      /destination_s3_prefix/,
    ],
    [
      'an absurdly long command',
      (b) => ({ ...b, command: 'x'.repeat(20_000) }),
      400,
      /command is too long: at most 16384/,
    ],
    ['an empty command', (b) => ({ ...b, command: '' }), 400, /command/],
    ['a number for a string', (b) => ({ ...b, command: 42 }), 400, /command must be string/],
    ['an invalid bucket name', (b) => ({ ...b, s3_bucket: 'Not_A_Bucket' }), 400, /s3_bucket/],
    [
      'a bucket that does not exist',
      (b) => ({ ...b, s3_bucket: 'no-such-bucket-here' }),
      422,
      /bucket "no-such-bucket-here" does not exist/,
    ],
    [
      'a source prefix with no objects',
      (b) => ({ ...b, source_s3_prefix: 'nothing-here/' }),
      422,
      /no objects under/,
    ],
    ['an invalid cron expression', (b) => ({ ...b, cron: 'every day' }), 400, /cron "every day"/],
    [
      'an unknown timezone',
      (b) => ({ ...b, cron: '0 2 * * *', timezone: 'Mars/Base' }),
      400,
      /timezone "Mars\/Base"/,
    ],
    [
      'a reserved env name',
      (b) => ({ ...b, env: { TDS_METRICS_FILE: '/etc/passwd' } }),
      400,
      /TDS_METRICS_FILE/,
    ],
    ['a CPU limit of zero', (b) => ({ ...b, cpus: 0 }), 400, /cpus/],
    ['a userId with a slash', (b) => ({ ...b, userId: 'a/b' }), 400, /userId "a\/b" is not allowed/],
  ];

  it.each(rejected)(
    'refuses %s with a clear 4xx and stores nothing',
    async (_name, make, status, message) => {
      const before = await countRows();
      const answer = await service.request(
        'POST',
        '/jobs',
        make(jobBody(bucket, { source_s3_prefix: 'inputs' })),
      );
      expect(answer.status).toBe(status);
      expect(answer.body.message).toMatch(message);
      expect(typeof answer.body.error).toBe('string');
      expect(await countRows()).toEqual(before);
    },
  );
});

describe('reading jobs and runs', () => {
  it("lists a user's jobs newest first, a page at a time", async () => {
    const userId = `pager-${Date.now()}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const { body } = await service.request('POST', '/jobs', jobBody(bucket, { userId }));
      ids.push(body.job.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/jobs?userId=${userId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const { status, body } = await service.request('GET', query);
      expect(status).toBe(200);
      expect(body.jobs.length).toBeLessThanOrEqual(2);
      seen.push(...body.jobs.map((j: { id: string }) => j.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });

  it('pages through jobs made within the same millisecond without skipping one', async () => {
    const userId = `same-ms-${Date.now()}`;
    const ids: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const { body } = await service.request('POST', '/jobs', jobBody(bucket, { userId }));
      ids.push(body.job.id);
    }
    // Microseconds apart within one millisecond, the last two at the same instant.
    await service.db.query(
      `UPDATE jobs SET created_at = '2020-01-01T00:00:00.000900Z'::timestamptz
         - least(array_position($1::uuid[], id), 3) * interval '1 microsecond'
       WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const { status, body } = await service.request(
        'GET',
        `/jobs?userId=${userId}&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(status).toBe(200);
      seen.push(...body.jobs.map((j: { id: string }) => j.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([ids[0], ids[1], ...[ids[2]!, ids[3]!].sort().reverse()]);
  });

  it('refuses a bad cursor or limit with 400', async () => {
    expect((await service.request('GET', '/jobs?userId=x&cursor=garbage')).status).toBe(400);
    for (const made of [
      { at: '2020-01-01T00:00:00.000000Z', id: 'x' },
      { at: '2020-02-30T00:00:00.000000Z', id: '01900000-0000-7000-8000-000000000000' },
      { createdAt: '2020-01-01T00:00:00Z', id: '01900000-0000-7000-8000-000000000000' },
    ]) {
      const cursor = Buffer.from(JSON.stringify(made)).toString('base64url');
      const answer = await service.request('GET', `/jobs?userId=x&cursor=${cursor}`);
      expect(answer.status, JSON.stringify(made)).toBe(400);
      expect(answer.body.message).toMatch(/^cursor is not one this service returned/);
    }
    expect((await service.request('GET', '/jobs?userId=x&limit=0')).status).toBe(400);
    expect((await service.request('GET', '/jobs')).body.message).toMatch(/userId/);
  });

  it('answers 404 with a message for unknown ids, malformed or not', async () => {
    for (const url of [
      '/jobs/00000000-0000-0000-0000-000000000000',
      '/runs/not-a-uuid',
      '/runs/not-a-uuid/logs',
    ]) {
      const { status, body } = await service.request('GET', url);
      expect(status).toBe(404);
      expect(body.message).toMatch(/no (job|run) with id/);
    }
    expect((await service.request('POST', '/runs/00000000-0000-0000-0000-000000000000/cancel')).status).toBe(
      404,
    );
  });

  it('cancels a queued run at once, and refuses to cancel it twice', async () => {
    const { body } = await service.request('POST', '/jobs', jobBody(bucket));
    const cancel = await service.request('POST', `/runs/${body.run.id}/cancel`);
    expect(cancel.status).toBe(202);
    expect(cancel.body.state).toBe('cancelled');
    expect(cancel.body.failure.reason).toBe('cancelled');
    const again = await service.request('POST', `/runs/${body.run.id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/already ended \(cancelled\)/);
  });

  it('serves logs of a run that has none yet as empty', async () => {
    const { body } = await service.request('POST', '/jobs', jobBody(bucket));
    const logs = await service.request('GET', `/runs/${body.run.id}/logs`);
    expect(logs.status).toBe(200);
    expect(logs.body).toMatchObject({ source: 'none', stdout: '', stderr: '' });
  });

  it('serves the OpenAPI document with every route and the job schema', async () => {
    const { status, body } = await service.request('GET', '/docs/json');
    expect(status).toBe(200);
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/jobs',
        '/jobs/{id}',
        '/runs/{id}',
        '/runs/{id}/logs',
        '/runs/{id}/cancel',
        '/healthz',
        '/readyz',
      ]),
    );
    const schema = body.paths['/jobs'].post.requestBody.content['application/json'].schema;
    expect(schema.required).toEqual(expect.arrayContaining(['userId', 'uniqueId', 's3_bucket']));
    // Exactly one of command and image: the rule is checked with the job's other rules (job-spec).
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['command', 'image', 'args']));
    expect(schema.properties.linux_dependencies.items.description).toMatch(/plain package name/);
  });

  it('answers liveness without asking anything, and readiness of the database and the Docker engine', async () => {
    const { status, body } = await service.request('GET', '/healthz');
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'ok' });
    // Authentication is off here: the caller acts as an operator and sees each check.
    const ready = await service.request('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok', checks: { database: 'ok', docker: 'ok' } });
  });

  it('answers unknown routes with 404 and a pointer to the docs', async () => {
    const { status, body } = await service.request('GET', '/nope');
    expect(status).toBe(404);
    expect(body.message).toMatch(/\/docs/);
  });
});
