import { createHash, randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/key-repository.js';
import type { SqlExecutor } from '../../services/db/database.js';
import {
  createBucket,
  createTestDatabase,
  getText,
  jobBody,
  startTestService,
  uniqueName,
  type TestService,
} from '../support/harness.js';
import { openSse, type SseEvent } from '../support/sse.js';

/**
 * Users' secrets, end to end: set, listed by name, used by a job whose container sees the value,
 * which is then found nowhere the service keeps things (no row of any table, not run.json, not the
 * run's image) and masked in its stored and live logs; kept from other users; refused at submit
 * when missing; failing a run cleanly when deleted before it starts or sealed with another key.
 */
let service: TestService;
let bucket: string;
const keys: Record<string, string> = {};
let operatorKey: string;

const VALUE = `S3cr3t-${randomBytes(12).toString('hex')}-v4lue`;
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function as(user: string, method: string, url: string, body?: unknown) {
  return service.request(method, url, body, bearer(keys[user]!));
}

/** Polls the run with `user`'s key until it has ended. */
async function ended(user: string, runId: string) {
  for (const deadline = Date.now() + 150_000; Date.now() < deadline;) {
    const { status, body } = await as(user, 'GET', `/runs/${runId}`);
    expect(status, JSON.stringify(body)).toBe(200);
    if (['succeeded', 'failed', 'cancelled', 'timed_out'].includes(body.state)) return body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`run ${runId} did not end in time`);
}

/** Every row of every table, as text: where a value must never be found. */
async function everyRow(db: SqlExecutor): Promise<string> {
  const tables = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  );
  const texts: string[] = [];
  for (const { table_name: table } of tables) {
    const rows = await db.query<{ row: string }>(`SELECT t::text AS row FROM "${table}" t`);
    texts.push(...rows.map((r) => `${table}: ${r.row}`));
  }
  return texts.join('\n');
}

beforeAll(async () => {
  service = await startTestService({
    env: { TDS_AUTH: 'on', TDS_SECRETS_MAX_PER_USER: '3', TDS_SECRET_MAX_VALUE_BYTES: '100' },
  });
  bucket = await createBucket();
  operatorKey = (await createApiKey(service.db, { operator: true }, 'ops')).key;
  for (const user of ['alice', 'bob', 'carol']) {
    keys[user] = (await createApiKey(service.db, { userId: user }, '')).key;
    const settings = { allowedBuckets: [bucket], ...(user === 'carol' ? { maxConcurrentRuns: 1 } : {}) };
    const set = await service.request('PUT', `/admin/users/${user}`, settings, bearer(operatorKey));
    expect(set.status, JSON.stringify(set.body)).toBe(200);
  }
});

afterAll(async () => {
  await service?.close();
});

describe('secrets', () => {
  it('are set by their user, listed by name only, and kept from other users and operators', async () => {
    const created = await as('alice', 'PUT', '/secrets/API_TOKEN', { value: 'first value' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.name).toBe('API_TOKEN');
    const replaced = await as('alice', 'PUT', '/secrets/API_TOKEN', { value: VALUE });
    expect(replaced.status).toBe(200);

    const listed = await as('alice', 'GET', '/secrets');
    expect(listed.status).toBe(200);
    expect(listed.body.userId).toBe('alice');
    expect(listed.body.secrets.map((s: { name: string }) => s.name)).toEqual(['API_TOKEN']);
    expect(Object.keys(listed.body.secrets[0]).sort()).toEqual(['createdAt', 'name', 'updatedAt']);
    expect(JSON.stringify(listed.body)).not.toContain(VALUE);

    // Bob sees and touches nothing of Alice's.
    expect((await as('bob', 'GET', '/secrets?userId=alice')).status).toBe(403);
    expect((await as('bob', 'PUT', '/secrets/API_TOKEN?userId=alice', { value: 'x' })).status).toBe(403);
    expect((await as('bob', 'DELETE', '/secrets/API_TOKEN?userId=alice')).status).toBe(403);
    expect((await as('bob', 'GET', '/secrets')).body.secrets).toEqual([]);
    const notHis = await as('bob', 'DELETE', '/secrets/API_TOKEN');
    expect(notHis.status).toBe(404);
    expect(notHis.body.message).toBe('user "bob" has no secret named "API_TOKEN"; `GET /secrets` lists them');

    // An operator lists names, and can neither set nor delete.
    const ops = await service.request('GET', '/secrets?userId=alice', undefined, bearer(operatorKey));
    expect(ops.status).toBe(200);
    expect(ops.body.secrets.map((s: { name: string }) => s.name)).toEqual(['API_TOKEN']);
    expect(JSON.stringify(ops.body)).not.toContain(VALUE);
    const opsPut = await service.request(
      'PUT',
      '/secrets/API_TOKEN?userId=alice',
      { value: 'x' },
      bearer(operatorKey),
    );
    expect(opsPut.status).toBe(403);
    expect(opsPut.body.message).toContain('never set or delete');
    const opsList = await service.request('GET', '/secrets', undefined, bearer(operatorKey));
    expect(opsList.status).toBe(400);
    expect(opsList.body.message).toContain('?userId=');
  });

  it('refuse bad names, oversized values and more than the per-user cap, each saying why', async () => {
    const badName = await as('carol', 'PUT', '/secrets/1BAD', { value: 'x' });
    expect(badName.status).toBe(400);
    const reserved = await as('carol', 'PUT', '/secrets/TDS_KEY', { value: 'x' });
    expect(reserved.status).toBe(400);
    expect(reserved.body.message).toContain('reserved');
    const empty = await as('carol', 'PUT', '/secrets/EMPTY', { value: '' });
    expect(empty.status).toBe(400);
    const big = await as('carol', 'PUT', '/secrets/BIG', { value: 'é'.repeat(51) });
    expect(big.status).toBe(400);
    expect(big.body.message).toContain('TDS_SECRET_MAX_VALUE_BYTES');
    expect(big.body.problems[0].path).toBe('/value');
    expect((await as('carol', 'PUT', '/secrets/FITS', { value: 'x'.repeat(100) })).status).toBe(201);

    for (const name of ['TWO', 'THREE']) {
      expect((await as('carol', 'PUT', `/secrets/${name}`, { value: 'v' })).status).toBe(201);
    }
    const over = await as('carol', 'PUT', '/secrets/FOUR', { value: 'v' });
    expect(over.status).toBe(403);
    expect(over.body.message).toContain('TDS_SECRETS_MAX_PER_USER');
    // A name the user has may still be replaced at the cap.
    expect((await as('carol', 'PUT', '/secrets/TWO', { value: 'w' })).status).toBe(200);
    const names = (await as('carol', 'GET', '/secrets')).body.secrets.map((s: { name: string }) => s.name);
    expect(names).toEqual(['FITS', 'THREE', 'TWO']);
    for (const name of ['FITS', 'THREE', 'TWO']) {
      expect((await as('carol', 'DELETE', `/secrets/${name}`)).status).toBe(204);
    }
  });

  it("must exist for the job's user at submit and dry run, for jobs and workflow steps alike", async () => {
    const missing = await as(
      'alice',
      'POST',
      '/jobs',
      jobBody(bucket, { userId: 'alice', secrets: ['NOPE'] }),
    );
    expect(missing.status).toBe(422);
    expect(missing.body.message).toContain('"NOPE"');
    const dry = await as(
      'alice',
      'POST',
      '/jobs?dry_run=true',
      jobBody(bucket, { userId: 'alice', secrets: ['API_TOKEN', 'NOPE'] }),
    );
    expect(dry.status).toBe(422);
    // Bob has no API_TOKEN of his own: Alice's is not his to use.
    const bobs = await as('bob', 'POST', '/jobs', jobBody(bucket, { userId: 'bob', secrets: ['API_TOKEN'] }));
    expect(bobs.status).toBe(422);
    const clash = await as(
      'alice',
      'POST',
      '/jobs',
      jobBody(bucket, { userId: 'alice', secrets: ['API_TOKEN'], env: { API_TOKEN: 'x' } }),
    );
    expect(clash.status).toBe(400);
    expect(clash.body.problems[0].path).toBe('/secrets/0');
    const workflow = await as('alice', 'POST', '/workflows?dry_run=true', {
      userId: 'alice',
      uniqueId: uniqueName('wf'),
      s3_bucket: bucket,
      source_s3_prefix: '',
      destination_s3_prefix: 'wf/',
      steps: [{ name: 'use', command: 'true', secrets: ['NOPE'] }],
    });
    expect(workflow.status).toBe(422);
    expect(workflow.body.message).toContain('"NOPE"');
    const ok = await as(
      'alice',
      'POST',
      '/jobs?dry_run=true',
      jobBody(bucket, { userId: 'alice', secrets: ['API_TOKEN'] }),
    );
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.spec.secrets).toEqual(['API_TOKEN']);
  });

  it('reach the container as environment variables, and nothing the service keeps or shows', async () => {
    const hash = createHash('sha256').update(VALUE).digest('hex');
    // The value is printed whole, to stderr, and in two writes a second apart (two log chunks).
    const command = [
      'echo "plain: $API_TOKEN"',
      'echo "to stderr: $API_TOKEN" >&2',
      'printf "split: %s" "$(printf %s "$API_TOKEN" | cut -c1-10)"',
      'sleep 1',
      'printf "%s\\n" "$(printf %s "$API_TOKEN" | cut -c11-)"',
      'echo "hash: $(printf %s "$API_TOKEN" | sha256sum | cut -c1-64)"',
      'echo "live-check"',
      'sleep 8',
      'echo done',
    ].join('; ');
    const submitted = await as(
      'alice',
      'POST',
      '/jobs',
      jobBody(bucket, { userId: 'alice', command, secrets: ['API_TOKEN'] }),
    );
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
    expect(JSON.stringify(submitted.body)).not.toContain(VALUE);
    const runId = submitted.body.run.id as string;

    // Live: the stream and the logs route show the masked value while the run runs.
    const stream = await openSse(`${service.apiUrl}/runs/${runId}/log-stream`, bearer(keys.alice!));
    const seen: SseEvent[] = [];
    for await (const event of stream.events) {
      seen.push(event);
      if (event.data === 'live-check') break;
    }
    stream.stop();
    const live = seen.filter((e) => e.event === 'stdout' || e.event === 'stderr').map((e) => e.data);
    expect(live).toEqual(expect.arrayContaining(['plain: ***', 'split: ***', `hash: ${hash}`, 'live-check']));
    expect(live.join('\n')).not.toContain(VALUE);
    expect(live.join('\n')).not.toContain(VALUE.slice(10));
    const running = await as('alice', 'GET', `/runs/${runId}`);
    expect(['running', 'uploading']).toContain(running.body.state);
    const logs = await as('alice', 'GET', `/runs/${runId}/logs`);
    expect(logs.status).toBe(200);
    expect(logs.body.source).toBe('live');
    expect(logs.body.stdout).toContain('plain: ***\nsplit: ***\n');
    expect(JSON.stringify(logs.body)).not.toContain(VALUE);

    // The image the run's container was created from: the value is in no layer, no history entry,
    // no config (the run has no image of its own, and the value reaches only its environment).
    const docker = new Docker();
    expect(running.body.image).toMatch(/^tds-packages:/);
    const image = docker.getImage(running.body.image as string);
    const inspected = JSON.stringify(await image.inspect());
    const history = JSON.stringify(await image.history());
    expect(inspected).not.toContain(VALUE);
    expect(history).not.toContain(VALUE);

    const run = await ended('alice', runId);
    expect(run.state, JSON.stringify(run)).toBe('succeeded');
    const prefix = `out/${submitted.body.job.spec.uniqueId}/${runId}/`;
    const stdout = await getText(bucket, `${prefix}stdout.log`);
    const stderr = await getText(bucket, `${prefix}stderr.log`);
    expect(stdout).toBe(`plain: ***\nsplit: ***\nhash: ${hash}\nlive-check\ndone\n`);
    expect(stderr).toBe('to stderr: ***\n');
    const record = await getText(bucket, `${prefix}run.json`);
    expect(record).toContain('"API_TOKEN"');
    expect(record).not.toContain(VALUE);
    const stored = await as('alice', 'GET', `/runs/${runId}/logs`);
    expect(stored.body.source).toBe('stored');
    expect(JSON.stringify(stored.body)).not.toContain(VALUE);
    const job = await as('alice', 'GET', `/jobs/${submitted.body.job.id}`);
    expect(job.body.job.spec.secrets).toEqual(['API_TOKEN']);
    expect(JSON.stringify(job.body)).not.toContain(VALUE);

    // No row of any table holds the value: not the job, its runs, their events, nor the secret's own row.
    const rows = await everyRow(service.db);
    expect(rows).toContain('API_TOKEN');
    expect(rows).not.toContain(VALUE);
  });

  it('fail a run with the reason when deleted before it starts', async () => {
    expect((await as('carol', 'PUT', '/secrets/GONE_SOON', { value: 'short-lived' })).status).toBe(201);
    // Carol runs one job at a time: the second waits, queued, behind the first.
    const first = await as(
      'carol',
      'POST',
      '/jobs',
      jobBody(bucket, { userId: 'carol', command: 'sleep 3' }),
    );
    expect(first.status).toBe(202);
    const second = await as(
      'carol',
      'POST',
      '/jobs',
      jobBody(bucket, { userId: 'carol', command: 'echo "$GONE_SOON"', secrets: ['GONE_SOON'] }),
    );
    expect(second.status).toBe(202);
    expect((await as('carol', 'DELETE', '/secrets/GONE_SOON')).status).toBe(204);
    const run = await ended('carol', second.body.run.id);
    expect(run.state).toBe('failed');
    expect(run.failure.reason).toBe('input_error');
    expect(run.failure.message).toContain('"GONE_SOON"');
    expect(run.failure.message).toContain('tds secrets set');
  });
});

describe('secrets under another key', () => {
  it('fail cleanly: the run names the key, the secret can be set again', async () => {
    const databaseUrl = await createTestDatabase();
    const first = await startTestService({ databaseUrl, roles: ['api'] });
    const second = await startTestService({ databaseUrl, roles: ['api', 'worker'] });
    try {
      const other = await createBucket();
      expect((await first.request('PUT', '/secrets/TOKEN?userId=dave', { value: VALUE })).status).toBe(201);
      // Listing and the submit-time check need no key to read names.
      const names = await second.request('GET', '/secrets?userId=dave');
      expect(names.body.secrets.map((s: { name: string }) => s.name)).toEqual(['TOKEN']);
      const job = await second.request(
        'POST',
        '/jobs',
        jobBody(other, { userId: 'dave', command: 'echo "$TOKEN"', secrets: ['TOKEN'] }),
      );
      expect(job.status, JSON.stringify(job.body)).toBe(202);
      const run = await second.waitForRun(job.body.run.id);
      expect(run.state).toBe('failed');
      expect(run.failure.reason).toBe('input_error');
      expect(run.failure.message).toContain('sealed with another key');
      expect(run.failure.message).toContain('TDS_SECRETS_KEY');
      expect(run.failure.message).not.toContain(VALUE);

      // Set again under the second key, it works there.
      expect((await second.request('PUT', '/secrets/TOKEN?userId=dave', { value: 'again' })).status).toBe(
        200,
      );
      const retried = await second.request(
        'POST',
        '/jobs',
        jobBody(other, { userId: 'dave', command: 'echo "$TOKEN" | wc -c', secrets: ['TOKEN'] }),
      );
      const ok = await second.waitForRun(retried.body.run.id);
      expect(ok.state, JSON.stringify(ok)).toBe('succeeded');
    } finally {
      await second.close();
      await first.close();
    }
  });
});

describe('secrets without a key', () => {
  it('are refused with 503 saying how to configure one, on a database of its own (production)', async () => {
    const keyless = await startTestService({ roles: ['api'], env: { TDS_SECRETS_KEY: '' } });
    try {
      const other = await createBucket();
      for (const [method, url, body] of [
        ['PUT', '/secrets/TOKEN?userId=erin', { value: 'v' }],
        ['POST', '/jobs', jobBody(other, { userId: 'erin', secrets: ['TOKEN'] })],
        ['POST', '/jobs?dry_run=true', jobBody(other, { userId: 'erin', secrets: ['TOKEN'] })],
      ] as const) {
        const answer = await keyless.request(method, url, body);
        expect(answer.status, `${method} ${url}`).toBe(503);
        expect(answer.body.error).toBe('secrets_not_configured');
        expect(answer.body.message).toContain('TDS_SECRETS_KEY');
      }
      // Listing names needs no key; jobs without secrets are untouched.
      expect((await keyless.request('GET', '/secrets?userId=erin')).body.secrets).toEqual([]);
      expect((await keyless.request('POST', '/jobs', jobBody(other, { userId: 'erin' }))).status).toBe(202);
    } finally {
      await keyless.close();
    }
  });
});
