import net from 'node:net';
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
       + (SELECT count(*) FROM api_keys) + (SELECT count(*) FROM users) + (SELECT count(*) FROM secrets) AS n`,
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
  'image',
  'args',
  'capture_result',
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
  'disk_mb',
  'env',
  'secrets',
  'base_image',
  'metrics_interval_seconds',
  'network',
  'notify_url',
  'requires',
  'gpus',
  'results_retention_days',
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
      ['GET', '/runs/:id/log-stream'],
      ['GET', '/runs/:id/metrics'],
      ['GET', '/overview'],
      ['GET', '/usage'],
      ['GET', '/job-summaries'],
      ['GET', '/whoami'],
      ['POST', '/runs/:id/cancel'],
      ['GET', '/jobs'],
      ['GET', '/jobs/:id/runs'],
      ['GET', '/runs'],
      ['GET', '/admin/keys'],
      ['POST', '/admin/keys'],
      ['DELETE', '/admin/keys/:id'],
      ['PUT', '/admin/users/:id'],
      ['GET', '/admin/users/:id'],
      ['PUT', '/secrets/:id'],
      ['DELETE', '/secrets/:id'],
      ['GET', '/secrets'],
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
      // An object as JSON: String() throws on one whose toString or valueOf is a value ({"toString": 1}).
      nasty.map((v) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v))),
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

/**
 * Fixed cases of the input every route refuses, whatever it is: text no store can hold (lone
 * UTF-16 surrogates, NUL characters) in any part of a request, numbers out of range, bodies nested
 * deep or too large, and keys that name a JavaScript object's internals. Each is answered with a
 * 4xx whose message names the field and shows nothing of the service's insides.
 */
describe('input no route takes', () => {
  const LONE_SURROGATE = '\ud800';
  const NUL = '\u0000';
  /** What a lone surrogate becomes in a URL or header: the bytes ED A0 80, which are not UTF-8. */
  const LONE_SURROGATE_BYTES = '%ED%A0%80';

  interface Operation {
    method: string;
    /** `/jobs/{id}` */
    path: string;
    pathParams: string[];
    queryParams: string[];
    bodyFields: string[];
  }
  let operations: Operation[];

  beforeAll(async () => {
    // Every route the API documents, so a new one is covered the day it is added.
    const { status, body } = await service.request('GET', '/docs/json');
    expect(status).toBe(200);
    operations = [];
    for (const [path, methods] of Object.entries(
      body.paths as Record<string, Record<string, OpenApiOperation>>,
    )) {
      for (const [method, operation] of Object.entries(methods)) {
        const parameters = operation.parameters ?? [];
        const schema = operation.requestBody?.content?.['application/json']?.schema;
        operations.push({
          method: method.toUpperCase(),
          path,
          pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
          queryParams: parameters.filter((p) => p.in === 'query').map((p) => p.name),
          bodyFields: Object.keys(schema?.properties ?? {}),
        });
      }
    }
    expect(operations.length).toBeGreaterThan(10);
  });

  interface OpenApiOperation {
    parameters?: { in: string; name: string }[];
    requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> };
  }

  /** `/jobs/{id}/pause` with each path parameter set to `value` (already encoded for a URL). */
  function pathWith(operation: Operation, value: string, params: Record<string, string> = {}): string {
    return operation.path.replace(/\{([^{}]+)\}/g, (_, name: string) => params[name] ?? value);
  }
  const someId = '00000000-0000-7000-8000-000000000000';

  /** Internal detail that must never reach a caller: framework codes, stack frames, driver messages. */
  const INTERNAL =
    /FST_|Error:|\bat \S+:\d+|node_modules|postgres|jsonb|SQL|syntax error|URI malformed|internal_error|ECONN/i;

  /** Checks a refusal: a 4xx (`status` when given) whose message names `field`, and nothing stored. */
  async function expectRefused(
    what: string,
    send: () => Promise<{ status: number; text: string }>,
    field: string,
    status?: number,
  ): Promise<void> {
    const before = await stored();
    const answer = await send();
    const label = `${what} → ${answer.status} ${answer.text.slice(0, 400)}`;
    if (status !== undefined) expect(answer.status, label).toBe(status);
    expect(answer.status, label).toBeGreaterThanOrEqual(400);
    expect(answer.status, label).toBeLessThan(500);
    const parsed = JSON.parse(answer.text) as { error?: unknown; message?: unknown };
    expect(typeof parsed.error, label).toBe('string');
    expect(typeof parsed.message, label).toBe('string');
    expect(parsed.message as string, label).toContain(field);
    expect(parsed.message as string, label).not.toMatch(INTERNAL);
    expect(await stored(), `${what} was refused but left rows behind`).toBe(before);
  }

  const post = (url: string, body: string) => () => send('POST', url, body);
  const validJob = () => jobBody(bucket, { uniqueId: `fixed-${Math.random()}` });
  /** A job body as JSON text, with `text` spliced in as the value of `field` (numbers written as given). */
  const jobWith = (field: string, json: string) => {
    const body: Record<string, unknown> = validJob();
    delete body[field];
    return JSON.stringify(body).replace(/\}$/, `,${JSON.stringify(field)}:${json}}`);
  };

  it('refuses a lone surrogate or a NUL in each field of a job, naming the field', async () => {
    const fields = operations.find((o) => o.method === 'POST' && o.path === '/jobs')!.bodyFields;
    expect([...fields].sort()).toEqual([...FIELDS].sort());
    for (const [name, bad] of [
      ['a lone surrogate', LONE_SURROGATE],
      ['a NUL', NUL],
    ] as const) {
      for (const field of fields) {
        for (const text of [bad, `ok${bad}`, `${bad}ok`]) {
          await expectRefused(
            `${field} with ${name}`,
            post('/jobs', jobWith(field, JSON.stringify(text))),
            field,
            400,
          );
        }
      }
      await expectRefused(
        `an env value with ${name}`,
        post('/jobs', jobWith('env', JSON.stringify({ FOO: `x${bad}` }))),
        'env.FOO',
        400,
      );
      await expectRefused(
        `an env name with ${name}`,
        post('/jobs', jobWith('env', JSON.stringify({ [`FOO${bad}`]: 'x' }))),
        'in env',
        400,
      );
      await expectRefused(
        `a package with ${name}`,
        post('/jobs', jobWith('linux_dependencies', JSON.stringify(['curl', `git${bad}`]))),
        'linux_dependencies[1]',
        400,
      );
      await expectRefused(
        `a required tag with ${name}`,
        post('/jobs', jobWith('requires', JSON.stringify(['gpu', `zone${bad}`]))),
        'requires[1]',
        400,
      );
      await expectRefused(
        `an unknown field named with ${name}`,
        post('/jobs', jobWith(`x${bad}`, '1')),
        'in the request body',
        400,
      );
    }
    const asBytes = Buffer.concat([
      Buffer.from(jobWith('command', '"echo ').slice(0, -1)),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from('"}'),
    ]);
    await expectRefused(
      'a body with a lone surrogate as raw bytes',
      async () => {
        const response = await fetch(`${service.apiUrl}/jobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: asBytes,
        });
        return { status: response.status, text: await response.text() };
      },
      'the request body holds a lone UTF-16 surrogate at byte',
      400,
    );
  });

  it('refuses a lone surrogate or a NUL in the fields of every other body', async () => {
    const withBody = operations.filter((o) => o.bodyFields.length > 0 && o.path !== '/jobs');
    expect(withBody.length).toBeGreaterThan(0);
    for (const operation of withBody) {
      for (const field of operation.bodyFields) {
        for (const bad of [LONE_SURROGATE, NUL]) {
          await expectRefused(
            `${operation.method} ${operation.path} ${field}`,
            () => send(operation.method, pathWith(operation, someId), JSON.stringify({ [field]: `a${bad}` })),
            field,
            400,
          );
        }
      }
    }
  });

  it('refuses a lone surrogate or a NUL in every path parameter and query parameter', async () => {
    for (const operation of operations) {
      for (const param of operation.pathParams) {
        for (const bad of [LONE_SURROGATE_BYTES, '%00', `ab${LONE_SURROGATE_BYTES}`, 'a%00b']) {
          await expectRefused(
            `${operation.method} ${operation.path} with ${param} ${bad}`,
            () => send(operation.method, pathWith(operation, 'x', { [param]: bad })),
            `path parameter ${param}`,
            400,
          );
        }
      }
      for (const param of [...operation.queryParams, 'unknown']) {
        for (const bad of [LONE_SURROGATE_BYTES, '%00', `ab${LONE_SURROGATE_BYTES}`, 'a%00b']) {
          await expectRefused(
            `${operation.method} ${operation.path}?${param}=${bad}`,
            () => send(operation.method, `${pathWith(operation, someId)}?${param}=${bad}`),
            `query parameter ${param}`,
            400,
          );
        }
        await expectRefused(
          `${operation.method} ${operation.path} with a query parameter named with a lone surrogate`,
          () => send(operation.method, `${pathWith(operation, someId)}?${param}${LONE_SURROGATE_BYTES}=1`),
          'the query parameter name',
          400,
        );
      }
    }
  });

  /** Sends a request as raw bytes (no client would send a NUL in a header) and reads the answer. */
  async function sendRaw(head: string): Promise<{ status: number; text: string }> {
    const url = new URL(service.apiUrl!);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(url.port), url.hostname, () =>
        socket.end(Buffer.from(head, 'latin1')),
      );
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
      socket.on('error', reject);
    });
    const [statusLine = '', ...rest] = answer.split('\r\n\r\n')[0]!.split('\r\n');
    expect(rest.length).toBeGreaterThan(0);
    return { status: Number(statusLine.split(' ')[1]), text: answer.slice(answer.indexOf('\r\n\r\n') + 4) };
  }

  it('refuses a lone surrogate or a NUL in a header value, naming the header', async () => {
    const surrogateBytes = '\u00ed\u00a0\u0080'; // ED A0 80, each byte read as Latin-1
    for (const operation of operations) {
      const url = pathWith(operation, someId);
      for (const header of ['x-note', 'authorization', 'user-agent']) {
        for (const bad of [surrogateBytes, '\u0000']) {
          await expectRefused(
            `${operation.method} ${operation.path} with ${header} holding ${JSON.stringify(bad)}`,
            () =>
              sendRaw(
                `${operation.method} ${url} HTTP/1.1\r\nHost: localhost\r\n${header}: a${bad}b\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
              ),
            `header ${header}`,
            400,
          );
        }
      }
    }
  });

  it('refuses numbers out of range in each numeric field of a job, naming the field', async () => {
    const numeric = [
      'catch_up_window_seconds',
      'catch_up_limit',
      'max_attempts',
      'retry_backoff_seconds',
      'timeout_seconds',
      'cpus',
      'memory_mb',
      'metrics_interval_seconds',
    ];
    for (const field of numeric) {
      for (const number of [
        '1e309',
        '-1e309',
        '1e300',
        '-1e300',
        '9007199254740993',
        '123456789012345678901234567890',
        '-123456789012345678901234567890',
      ]) {
        await expectRefused(`${field} ${number}`, post('/jobs', jobWith(field, number)), field, 400);
      }
    }
    await expectRefused(
      'a huge number in an unknown field',
      post('/jobs', jobWith('extra', '1e309')),
      'extra',
      400,
    );
  });

  it('refuses bodies nested 100,000 deep, at the top and under a field', async () => {
    const deepArray = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    await expectRefused('an array 100,000 deep', post('/jobs', deepArray(100_000)), 'nested too deeply', 400);
    await expectRefused(
      'an object 100,000 deep',
      post('/jobs', deepObject(100_000)),
      'nested too deeply',
      400,
    );
    for (const field of ['env', 'linux_dependencies', 'command', 'unknown']) {
      await expectRefused(
        `${field} as an array 100,000 deep`,
        post('/jobs', jobWith(field, deepArray(100_000))),
        field,
        400,
      );
      await expectRefused(
        `${field} as an object 100,000 deep`,
        post('/jobs', jobWith(field, deepObject(100_000))),
        field,
        400,
      );
    }
    for (const operation of operations.filter((o) => o.method !== 'GET' && o.method !== 'DELETE')) {
      await expectRefused(
        `${operation.method} ${operation.path} with a body 100,000 deep`,
        () => send(operation.method, pathWith(operation, someId), deepObject(100_000)),
        'nested too deeply',
        400,
      );
    }
  });

  it('refuses a body over the size limit, saying so', async () => {
    const limit = service.config.bodyLimitBytes;
    await expectRefused(
      'a body over the limit',
      post('/jobs', jobWith('command', JSON.stringify('x'.repeat(limit + 1)))),
      `the request body is too large: at most ${limit} bytes`,
      413,
    );
  });

  it('refuses a body that is not JSON, naming the Content-Type to send', async () => {
    const withType = (type: string) => async () => {
      const response = await fetch(`${service.apiUrl}/jobs`, {
        method: 'POST',
        headers: { 'content-type': type },
        body: '<job/>',
      });
      return { status: response.status, text: await response.text() };
    };
    await expectRefused('an XML body', withType('application/xml'), 'Content-Type: application/json', 415);
  });

  it('refuses __proto__ and constructor keys, at the top and nested, naming where they are', async () => {
    const cases: [string, string, string][] = [
      ['__proto__ at the top', jobWith('__proto__', '{"polluted":true}'), '"__proto__" in the request body'],
      [
        'constructor at the top',
        jobWith('constructor', '{"prototype":{"polluted":true}}'),
        '"constructor" in the request body',
      ],
      ['a plain constructor at the top', jobWith('constructor', '1'), '"constructor" in the request body'],
      ['__proto__ in env', jobWith('env', '{"__proto__":{"polluted":true}}'), '"__proto__" in env'],
      ['__proto__ as an env name', jobWith('env', '{"__proto__":"x"}'), '"__proto__" in env'],
      [
        'constructor in env',
        jobWith('env', '{"constructor":{"prototype":{"polluted":true}}}'),
        '"constructor" in env',
      ],
      [
        '__proto__ in a list',
        jobWith('linux_dependencies', '[{"__proto__":{"polluted":true}}]'),
        'in linux_dependencies[0]',
      ],
      [
        '__proto__ deep down',
        jobWith('extra', '{"a":{"b":[{"__proto__":{"polluted":true}}]}}'),
        'in extra.a.b[0]',
      ],
      [
        'constructor deep down',
        jobWith('extra', '{"a":{"constructor":{"prototype":{}}}}'),
        '"constructor" in extra.a',
      ],
    ];
    for (const [what, body, field] of cases) {
      await expectRefused(what, post('/jobs', body), field, 400);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
