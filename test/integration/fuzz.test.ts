import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBucket, jobBody, startTestService, type TestService } from '../support/harness.js';

/**
 * Property-based checks of the API against hostile and malformed input: whatever arrives, the
 * answer is never a 5xx, and a refused request leaves nothing behind in the database.
 */
let service: TestService;
let bucket: string;

beforeAll(async () => {
  // The API alone: accepted jobs are stored and queued, and no worker runs them.
  service = await startTestService({ roles: ['api'] });
  bucket = await createBucket();
});

afterAll(async () => {
  await service?.close();
});

async function stored(): Promise<number> {
  const [row] = await service.db.query(
    `SELECT (SELECT count(*) FROM jobs) + (SELECT count(*) FROM runs) + (SELECT count(*) FROM schedules)
       + (SELECT count(*) FROM api_keys) + (SELECT count(*) FROM users) AS n`,
  );
  return Number(row!.n);
}

async function send(method: string, url: string, body?: string) {
  const response = await fetch(`${service.apiUrl}${url}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body,
  });
  const text = await response.text();
  return { status: response.status, text };
}

/** Sends the request and checks the answer: no 5xx, a JSON error with a message, and nothing stored when refused. */
async function check(method: string, url: string, body?: string): Promise<void> {
  const before = await stored();
  const { status, text } = await send(method, url, body);
  expect(status, `${method} ${url} ${body?.slice(0, 300)} → ${text.slice(0, 300)}`).toBeLessThan(500);
  if (status >= 400) {
    const parsed = JSON.parse(text) as { error?: unknown; message?: unknown };
    expect(typeof parsed.error).toBe('string');
    expect(typeof parsed.message).toBe('string');
    expect(await stored(), `${method} ${url} was refused but left rows behind`).toBe(before);
  }
}

const FIELDS = [
  'userId',
  'uniqueId',
  's3_bucket',
  'source_s3_prefix',
  'destination_s3_prefix',
  'command',
  'linux_dependencies',
  'cron',
  'timezone',
  'overlap_policy',
  'catch_up_policy',
  'catch_up_window_seconds',
  'catch_up_limit',
  'max_attempts',
  'retry_on_exit_code',
  'retry_backoff_seconds',
  'timeout_seconds',
  'cpus',
  'memory_mb',
  'env',
  'base_image',
  'metrics_interval_seconds',
];

const nasty = fc.oneof(
  fc.constantFrom(
    '../../etc/passwd',
    '/etc/shadow',
    '..',
    '\u0000',
    'a\nb',
    '$(id)',
    '`id`',
    '"; DROP TABLE jobs; --',
    "' OR '1'='1",
    '%00',
    '\\..\\..\\windows',
    '*/1 * * * * *',
    '60 * * * *',
    'Mars/Olympus',
    'NaN',
    '1e309',
    '-1',
    '__proto__',
    'constructor',
    '\ud800',
    'ℌ𝔢𝔩𝔩𝔬',
    'x'.repeat(20_000),
  ),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.double(),
  fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  fc.bigInt().map(String),
);

/** A valid job body with fields replaced, removed or added. */
const mutatedJob = fc
  .record({
    replace: fc.array(fc.tuple(fc.constantFrom(...FIELDS), nasty), { maxLength: 3 }),
    remove: fc.array(fc.constantFrom(...FIELDS), { maxLength: 2 }),
    extra: fc.option(fc.tuple(fc.string({ maxLength: 20 }), nasty), { nil: undefined }),
  })
  .map(({ replace, remove, extra }) => {
    const body: Record<string, unknown> = jobBody(bucket, { uniqueId: `fuzz-${Math.random()}` });
    for (const [field, value] of replace) body[field] = value;
    for (const field of remove) delete body[field];
    if (extra) body[extra[0]] = extra[1];
    return JSON.stringify(body);
  });

const rawBody = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 300 }),
  fc.constantFrom('', '{', '[]', 'null', '{"__proto__": {"polluted": true}}', '{"a":' + '['.repeat(5000)),
);

const id = fc.oneof(
  fc.uuid(),
  fc.string({ maxLength: 80 }),
  fc.constantFrom('..', '%2e%2e', 'null', '0', '-1', '00000000-0000-0000-0000-000000000000', 'x'.repeat(70)),
);

describe('POST /jobs, fuzzed', () => {
  it('answers every mutated job body without a 5xx, storing nothing when it refuses', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedJob, (body) => check('POST', '/jobs', body)),
      { numRuns: 400 },
    );
  });

  it('answers arbitrary bodies without a 5xx, storing nothing', async () => {
    await fc.assert(
      fc.asyncProperty(rawBody, (body) => check('POST', '/jobs', body)),
      { numRuns: 200 },
    );
  });
});

describe('the other routes, fuzzed', () => {
  it('answer arbitrary ids, query strings and bodies without a 5xx', async () => {
    const route = fc.constantFrom(
      ['GET', '/jobs/:id'],
      ['PATCH', '/jobs/:id'],
      ['DELETE', '/jobs/:id'],
      ['POST', '/jobs/:id/pause'],
      ['POST', '/jobs/:id/resume'],
      ['POST', '/jobs/:id/trigger'],
      ['GET', '/runs/:id'],
      ['GET', '/runs/:id/logs'],
      ['POST', '/runs/:id/cancel'],
      ['GET', '/jobs'],
      ['GET', '/jobs/:id/runs'],
      ['GET', '/runs'],
      ['GET', '/admin/keys'],
      ['POST', '/admin/keys'],
      ['DELETE', '/admin/keys/:id'],
      ['PUT', '/admin/users/:id'],
      ['GET', '/admin/users/:id'],
    );
    const query = fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 }), { maxKeys: 3 });
    await fc.assert(
      fc.asyncProperty(
        route,
        id,
        query,
        fc.option(rawBody, { nil: undefined }),
        async ([method, path], value, q, body) => {
          const url = `${path.replace(':id', encodeURIComponent(value))}?${new URLSearchParams(q).toString()}`;
          await check(method, url, method === 'GET' || method === 'DELETE' ? undefined : body);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('the run listings, fuzzed', () => {
  it('answer arbitrary filters, times and cursors without a 5xx', async () => {
    const { body } = await service.request('POST', '/jobs', jobBody(bucket, { userId: 'fuzz-lister' }));
    const value = fc.oneof(
      nasty.map(String),
      fc.constantFrom(
        'queued',
        'failed,timed_out',
        ',',
        'queued,,',
        '2030-02-30T00:00:00Z',
        '0000-01-01T00:00:00Z',
      ),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc
        .record({
          queuedAt: fc.oneof(fc.string(), fc.date().map(String)),
          id: fc.oneof(fc.uuid(), fc.string()),
        })
        .map((c) => Buffer.from(JSON.stringify(c)).toString('base64url')),
    );
    const query = fc.array(
      fc.tuple(fc.constantFrom('userId', 'state', 'since', 'until', 'limit', 'cursor'), value),
      { maxLength: 4 },
    );
    await fc.assert(
      fc.asyncProperty(fc.boolean(), query, async (ofJob, pairs) => {
        const path = ofJob ? `/jobs/${body.job.id as string}/runs` : '/runs';
        await check('GET', `${path}?${new URLSearchParams(pairs).toString()}`);
      }),
      { numRuns: 300 },
    );
  });
});
