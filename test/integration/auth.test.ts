import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/key-repository.js';
import { createBucket, jobBody, putObject, startTestService, type TestService } from '../support/harness.js';

let service: TestService;
let bucket: string;
let otherBucket: string;
let operatorKey: string;
const keys: Record<string, string> = {};

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const as = (who: string) => bearer(keys[who]!);

beforeAll(async () => {
  service = await startTestService({ env: { TDS_AUTH: 'on', TDS_USER_MAX_CPUS: '2' } });
  bucket = await createBucket();
  otherBucket = await createBucket();
  await putObject(bucket, 'alice/in/data.txt', 'hello\n');
  // The first operator key comes from the command line tool's code path (straight into the database).
  operatorKey = (await createApiKey(service.db, { operator: true }, 'bootstrap')).key;
  for (const user of ['alice', 'bob']) {
    const made = await service.request('POST', '/admin/keys', { userId: user }, bearer(operatorKey));
    expect(made.status).toBe(201);
    keys[user] = made.body.key;
    const allowed = await service.request(
      'PUT',
      `/admin/users/${user}`,
      { allowedBuckets: [`${bucket}/${user}/`] },
      bearer(operatorKey),
    );
    expect(allowed.status).toBe(200);
  }
});

afterAll(async () => {
  await service?.close();
});

function aliceJob(overrides: Record<string, unknown> = {}) {
  return jobBody(bucket, {
    userId: 'alice',
    source_s3_prefix: 'alice/in/',
    destination_s3_prefix: 'alice/out/',
    command: 'cat input/data.txt',
    ...overrides,
  });
}

async function jobCount(userId: string): Promise<number> {
  const [row] = await service.db.query('SELECT count(*)::int AS n FROM jobs WHERE user_id = $1', [userId]);
  return row!.n as number;
}

describe('authentication', () => {
  it('refuses requests without a key, with a malformed key, or with an unknown one', async () => {
    const none = await service.request('GET', '/jobs?userId=alice');
    expect(none.status).toBe(401);
    expect(none.body.message).toContain('Authorization: Bearer');
    const malformed = await service.request('GET', '/jobs?userId=alice', undefined, {
      authorization: 'Basic YWxpY2U6cGFzcw==',
    });
    expect(malformed.status).toBe(401);
    const unknown = await service.request(
      'GET',
      '/jobs?userId=alice',
      undefined,
      bearer(`tds_${'A'.repeat(43)}`),
    );
    expect(unknown.status).toBe(401);
    expect(unknown.body.message).toContain('not known or has been revoked');
    expect((await service.request('GET', '/healthz')).status).toBe(200);
  });

  it('stores only a hash of each key, and a revoked key stops working at once', async () => {
    const made = await service.request('POST', '/admin/keys', { userId: 'carol' }, bearer(operatorKey));
    const key = made.body.key as string;
    expect(key).toMatch(/^tds_/);
    const stored = await service.db.query('SELECT * FROM api_keys WHERE id = $1::uuid', [
      made.body.apiKey.id,
    ]);
    expect(JSON.stringify(stored)).not.toContain(key.slice(4));
    expect((await service.request('GET', '/jobs?userId=carol', undefined, bearer(key))).status).toBe(200);
    const revoked = await service.request(
      'DELETE',
      `/admin/keys/${made.body.apiKey.id}`,
      undefined,
      bearer(operatorKey),
    );
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    expect((await service.request('GET', '/jobs?userId=carol', undefined, bearer(key))).status).toBe(401);
  });

  it('keeps key and user management to operators', async () => {
    for (const [method, url, body] of [
      ['POST', '/admin/keys', { userId: 'alice' }],
      ['GET', '/admin/keys', undefined],
      ['PUT', '/admin/users/alice', { allowedBuckets: [otherBucket] }],
      ['GET', '/admin/users/alice', undefined],
    ] as const) {
      const answer = await service.request(method, url, body, as('alice'));
      expect(answer.status, `${method} ${url}`).toBe(403);
      expect(answer.body.message).toContain('operator key');
    }
    const listed = await service.request('GET', '/admin/keys?userId=alice', undefined, bearer(operatorKey));
    expect(listed.body.keys).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(keys.alice!.slice(4));
  });
});

describe('a user sees and touches only their own jobs', () => {
  let jobId: string;
  let runId: string;

  beforeAll(async () => {
    const submitted = await service.request('POST', '/jobs', aliceJob(), as('alice'));
    expect(submitted.status).toBe(202);
    jobId = submitted.body.job.id;
    runId = submitted.body.run.id;
  });

  it("runs the job of the key's own user", async () => {
    let state = '';
    for (let i = 0; i < 600 && !['succeeded', 'failed'].includes(state); i++) {
      state = (await service.request('GET', `/runs/${runId}`, undefined, as('alice'))).body.state;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(state).toBe('succeeded');
    const logs = await service.request('GET', `/runs/${runId}/logs`, undefined, as('alice'));
    expect(logs.body.stdout).toBe('hello\n');
  });

  it("refuses a job, or a listing, in another user's name", async () => {
    const before = await jobCount('alice');
    const posted = await service.request('POST', '/jobs', aliceJob(), as('bob'));
    expect(posted.status).toBe(403);
    expect(posted.body.message).toContain('belongs to user "bob"');
    expect(await jobCount('alice')).toBe(before);
    const listed = await service.request('GET', '/jobs?userId=alice', undefined, as('bob'));
    expect(listed.status).toBe(403);
  });

  it("answers another user's job and run ids exactly as unknown ones, on every route", async () => {
    const attempts: [string, string, unknown?][] = [
      ['GET', `/jobs/${jobId}`],
      ['PATCH', `/jobs/${jobId}`, { timezone: 'UTC' }],
      ['POST', `/jobs/${jobId}/pause`],
      ['POST', `/jobs/${jobId}/resume`],
      ['POST', `/jobs/${jobId}/trigger`],
      ['DELETE', `/jobs/${jobId}`],
      ['GET', `/runs/${runId}`],
      ['GET', `/runs/${runId}/logs`],
      ['POST', `/runs/${runId}/cancel`],
    ];
    for (const [method, url, body] of attempts) {
      const answer = await service.request(method, url, body, as('bob'));
      expect(answer.status, `${method} ${url}`).toBe(404);
      expect(answer.body.message).toMatch(/^no (job|run) with id/);
    }
    // Nothing was changed by those attempts.
    const job = await service.request('GET', `/jobs/${jobId}`, undefined, as('alice'));
    expect(job.status).toBe(200);
    expect(job.body.job.deletedAt ?? null).toBeNull();
    const bobsJobs = await service.request('GET', '/jobs?userId=bob', undefined, as('bob'));
    expect(bobsJobs.body.jobs).toEqual([]);
  });

  it("lets an operator see any user's jobs", async () => {
    expect((await service.request('GET', `/jobs/${jobId}`, undefined, bearer(operatorKey))).status).toBe(200);
    const listed = await service.request('GET', '/jobs?userId=alice', undefined, bearer(operatorKey));
    expect(listed.body.jobs.map((j: { id: string }) => j.id)).toContain(jobId);
  });
});

describe('bucket allow-lists and ceilings', () => {
  it('refuses with 403, before reading anything, a job using a bucket or prefix outside the list', async () => {
    const before = await jobCount('alice');
    const cases = [
      { s3_bucket: otherBucket },
      // A bucket that does not exist: refused for the allow-list, not looked up.
      { s3_bucket: 'no-such-bucket-anywhere' },
      { source_s3_prefix: 'bob/in/' },
      { source_s3_prefix: '' },
      { destination_s3_prefix: 'bob/out/' },
      { destination_s3_prefix: '/' },
    ];
    for (const overrides of cases) {
      const answer = await service.request('POST', '/jobs', aliceJob(overrides), as('alice'));
      expect(answer.status, JSON.stringify(overrides)).toBe(403);
      expect(answer.body.message).toContain(`allowed: ${bucket}/alice/`);
    }
    expect(await jobCount('alice')).toBe(before);
  });

  it('refuses a job asking for more than the user may use, and honours a per-user ceiling', async () => {
    const tooBig = await service.request('POST', '/jobs', aliceJob({ cpus: 3 }), as('alice'));
    expect(tooBig.status).toBe(403);
    expect(tooBig.body.message).toContain('cpus 3 (ceiling 2)');
    await service.request('PUT', '/admin/users/alice', { maxTimeoutSeconds: 60 }, bearer(operatorKey));
    const tooLong = await service.request('POST', '/jobs', aliceJob({ timeout_seconds: 61 }), as('alice'));
    expect(tooLong.status).toBe(403);
    expect(tooLong.body.message).toContain('timeout_seconds 61 (ceiling 60)');
    const user = await service.request('GET', '/admin/users/alice', undefined, bearer(operatorKey));
    expect(user.body).toMatchObject({
      allowedBuckets: [`${bucket}/alice/`],
      ceilings: { maxTimeoutSeconds: 60, maxCpus: null },
      effectiveCeilings: { maxTimeoutSeconds: 60, maxCpus: 2 },
    });
    const bad = await service.request(
      'PUT',
      '/admin/users/alice',
      { allowedBuckets: ['ok-bucket/../etc'] },
      bearer(operatorKey),
    );
    expect(bad.status).toBe(400);
  });
});

describe('health', () => {
  it('shows readiness to anyone, and which check fails and why to operators only', async () => {
    expect(await service.request('GET', '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await service.request('GET', '/readyz')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await service.request('GET', '/readyz', undefined, as('alice'))).toEqual({
      status: 200,
      body: { status: 'ok' },
    });
    expect(await service.request('GET', '/readyz', undefined, bearer(operatorKey))).toEqual({
      status: 200,
      body: { status: 'ok', checks: { database: 'ok', docker: 'ok' } },
    });
    // A key sent is checked, as on every other route.
    const bad = await service.request('GET', '/readyz', undefined, bearer(`tds_${'x'.repeat(43)}`));
    expect(bad.status).toBe(401);
  });
});

describe('hostile requests', () => {
  it('sends security headers', async () => {
    const response = await fetch(`${service.apiUrl}/healthz`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('strict-transport-security')).toBeTruthy();
  });

  it('refuses a body over the size limit with 413', async () => {
    const huge = await service.request(
      'POST',
      '/jobs',
      aliceJob({ command: 'x'.repeat(2 * 1024 * 1024) }),
      as('alice'),
    );
    expect(huge.status).toBe(413);
    expect(huge.body.message).toMatch(/too large/i);
  });
});

describe('rate limiting', () => {
  let limited: TestService;
  beforeAll(async () => {
    limited = await startTestService({
      roles: ['api'],
      // Refusals held 400 ms (1 s by default), so a client sending on past its limit is slowed.
      env: { TDS_AUTH: 'on', TDS_RATE_LIMIT_PER_MINUTE: '5', TDS_RATE_LIMIT_REFUSAL_DELAY_MS: '400' },
    });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('answers 429 with when to retry once a key makes too many requests in a minute, without looking the key up', async () => {
    const key = (await createApiKey(limited.db, { userId: 'dave' }, '')).key;
    const other = (await createApiKey(limited.db, { userId: 'erin' }, '')).key;
    const statuses: number[] = [];
    const refusedAfterMs: number[] = [];
    let last: { status: number; body: { message?: string } } | undefined;
    for (let i = 0; i < 7; i++) {
      const sent = performance.now();
      last = await limited.request('GET', '/jobs?userId=dave', undefined, bearer(key));
      statuses.push(last.status);
      if (last.status === 429) refusedAfterMs.push(performance.now() - sent);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    // Each refusal was held before it was answered.
    for (const ms of refusedAfterMs) expect(ms).toBeGreaterThanOrEqual(395);
    expect(last!.body.message).toMatch(/more than 5 requests in a minute.*retry in \d+ s/);
    // Past its limit the key is not looked up: with the keys' table gone, a lookup would answer 500.
    await limited.db.query('ALTER TABLE api_keys RENAME TO api_keys_away');
    try {
      expect((await limited.request('GET', '/jobs?userId=dave', undefined, bearer(key))).status).toBe(429);
    } finally {
      await limited.db.query('ALTER TABLE api_keys_away RENAME TO api_keys');
    }
    // Another key has its own allowance; the health check is never limited.
    expect((await limited.request('GET', '/jobs?userId=erin', undefined, bearer(other))).status).toBe(200);
    for (let i = 0; i < 7; i++) expect((await limited.request('GET', '/healthz')).status).toBe(200);
  });
});

describe('rate limiting in a second', () => {
  let limited: TestService;
  beforeAll(async () => {
    limited = await startTestService({
      roles: ['api'],
      env: { TDS_AUTH: 'on', TDS_RATE_LIMIT_PER_SECOND: '3' },
    });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it("answers 429 to a key's burst past its second, and answers it again the next second", async () => {
    const key = (await createApiKey(limited.db, { userId: 'gus' }, '')).key;
    // Sent at once: all of them are counted within the same second, however long each takes.
    const burst = await Promise.all(
      Array.from({ length: 6 }, () => limited.request('GET', '/jobs?userId=gus', undefined, bearer(key))),
    );
    expect(burst.map((r) => r.status).sort()).toEqual([200, 200, 200, 429, 429, 429]);
    const refused = burst.find((r) => r.status === 429)!;
    expect(refused.body.message).toMatch(
      /more than 3 requests in a second from this key or address; retry in 1 s/,
    );
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await limited.request('GET', '/jobs?userId=gus', undefined, bearer(key))).status).toBe(200);
  });
});

describe('rate limiting by address, before the key is looked up', () => {
  let limited: TestService;
  beforeAll(async () => {
    limited = await startTestService({
      roles: ['api'],
      env: {
        TDS_AUTH: 'on',
        TDS_AUTH_FAILURES_PER_MINUTE: '3',
        TDS_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '12',
        TDS_RATE_LIMIT_REFUSAL_DELAY_MS: '100',
        // The test is the proxy: a request naming no client is the proxy's own.
        TDS_TRUST_PROXY: '127.0.0.1',
      },
    });
  });
  afterAll(async () => {
    await limited?.close();
  });

  async function send(url: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${limited.apiUrl}${url}`, { headers });
    const body = (await response.json()) as { message?: string };
    return { status: response.status, retryAfter: Number(response.headers.get('retry-after')), body };
  }

  it('answers 429 with Retry-After to an address sending bad keys, without looking them up', async () => {
    const good = (await createApiKey(limited.db, { userId: 'fay' }, '')).key;
    // Well-formed keys the service never issued: each is looked up, until the limit.
    const unknown = (i: number) => bearer(`tds_${'x'.repeat(42)}${i}`);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await send('/jobs?userId=fay', unknown(i))).status);
    expect(statuses).toEqual([401, 401, 401]);
    // Past the limit no key is looked up: with the keys' table gone, a lookup would answer 500.
    await limited.db.query('ALTER TABLE api_keys RENAME TO api_keys_away');
    try {
      for (const headers of [unknown(3), {}, bearer(good)]) {
        const refused = await send('/jobs?userId=fay', headers);
        expect(refused.status).toBe(429);
        expect(refused.retryAfter).toBeGreaterThan(0);
        expect(refused.body.message).toMatch(
          /more than 3 requests without a valid API key in a minute from this address; retry in \d+ s/,
        );
      }
    } finally {
      await limited.db.query('ALTER TABLE api_keys_away RENAME TO api_keys');
    }
  });

  it('answers 429 to an address past its requests a minute, and never to the liveness check', async () => {
    // Twelve a minute from this address, counting those of the test before.
    const statuses: number[] = [];
    for (let i = 0; i < 13; i++) statuses.push((await send('/docs/json')).status);
    const firstRefused = statuses.indexOf(429);
    expect(firstRefused).toBeGreaterThan(0);
    expect(statuses.slice(0, firstRefused).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(firstRefused).every((s) => s === 429)).toBe(true);
    const refused = await send('/docs/json');
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toBeGreaterThan(0);
    expect(refused.body.message).toMatch(
      /more than 12 requests in a minute from this address; retry in \d+ s/,
    );
    for (let i = 0; i < 5; i++) expect((await send('/healthz')).status).toBe(200);
  });

  it('counts each client a trusted proxy names by its own address', async () => {
    expect((await send('/docs/json')).status).toBe(429);
    const client = { 'x-forwarded-for': '203.0.113.9' };
    expect((await send('/docs/json', client)).status).toBe(200);
    // Its bad key is looked up: the failures counted so far were another address's.
    expect((await send('/jobs?userId=fay', { ...client, ...bearer(`tds_${'y'.repeat(43)}`) })).status).toBe(
      401,
    );
  });
});
