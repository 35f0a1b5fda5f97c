import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/key-repository.js';
import { recordEvents } from '../../src/events/outbox.js';
import {
  createBucket,
  jobBody,
  putObject,
  startTestService,
  uniqueName,
  type TestService,
} from '../support/harness.js';

/**
 * The audit log (docs/audit.md): every operator and owner action recorded with who, what, when and
 * from where, in the transaction of its change; read through GET /audit, a page at a time, an
 * operator everything and a user's key its own things.
 */

let service: TestService;
let bucket: string;
let operator: { id: string; key: string };
const keys: Record<string, { id: string; key: string }> = {};
const PAGE_MAX = 5;

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const as = (who: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
  service.request(method, url, body, {
    ...bearer(who === 'operator' ? operator.key : keys[who]!.key),
    ...headers,
  });

interface Entry {
  id: string;
  at: string;
  actor: { kind: string; keyId: string | null; userId: string | null; address: string | null };
  action: string;
  target: { kind: string; id: string };
  ownerId: string | null;
  summary: Record<string, unknown>;
}

/** Every entry `who` reads for `query`, following the pages. */
async function audit(who: string, query = ''): Promise<Entry[]> {
  const entries: Entry[] = [];
  let cursor: string | null = null;
  do {
    const page = await as(
      who,
      'GET',
      `/audit?limit=${PAGE_MAX}${query ? `&${query}` : ''}${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    entries.push(...(page.body.entries as Entry[]));
    cursor = page.body.nextCursor as string | null;
  } while (cursor);
  return entries;
}

beforeAll(async () => {
  service = await startTestService({
    env: { TDS_AUTH: 'on', TDS_AUDIT_PAGE_MAX: String(PAGE_MAX), TDS_WEBHOOK_ALLOW_PRIVATE: 'true' },
  });
  bucket = await createBucket();
  await putObject(bucket, 'in/data.txt', 'hello\n');
  // The first operator key as `npm run keys` makes it: straight into the database.
  const made = await createApiKey(service.db, { operator: true }, 'bootstrap');
  operator = { id: made.record.id, key: made.key };
  for (const user of ['alice', 'bob']) {
    const created = await as('operator', 'POST', '/admin/keys', { userId: user, name: `${user}'s key` });
    expect(created.status).toBe(201);
    keys[user] = { id: created.body.apiKey.id, key: created.body.key };
  }
  // Runs stay queued: the one worker is drained (and that is audited too).
  const workers = await as('operator', 'GET', '/admin/workers');
  const workerId = workers.body.workers[0].id as string;
  expect((await as('operator', 'POST', `/admin/workers/${workerId}/drain`)).status).toBe(202);
});

afterAll(async () => {
  await service?.close();
});

describe('the audit log', () => {
  it('records API keys made and revoked: by whom, from where, never the key', async () => {
    const spare = await as('operator', 'POST', '/admin/keys', { userId: 'carol' });
    expect((await as('operator', 'DELETE', `/admin/keys/${spare.body.apiKey.id}`)).status).toBe(200);
    const entries = await audit('operator', 'action=api_key.*');
    expect(entries.map((e) => [e.action, e.ownerId])).toEqual([
      ['api_key.revoked', 'carol'],
      ['api_key.created', 'carol'],
      ['api_key.created', 'bob'],
      ['api_key.created', 'alice'],
    ]);
    for (const entry of entries) {
      expect(entry.actor).toEqual({
        kind: 'operator',
        keyId: operator.id,
        userId: null,
        address: '127.0.0.1',
      });
      expect(Date.now() - Date.parse(entry.at)).toBeLessThan(10 * 60_000);
    }
    expect(entries[3]!.target).toEqual({ kind: 'api_key', id: keys.alice!.id });
    expect(entries[3]!.summary).toEqual({ operator: false, forUser: 'alice', name: "alice's key" });
    const text = JSON.stringify(entries);
    for (const key of [operator.key, keys.alice!.key, keys.bob!.key, spare.body.key as string]) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(key.slice(4, 14));
    }
  });

  it("records a user's ceilings and allow-list before and after", async () => {
    expect((await as('operator', 'PUT', '/admin/users/alice', { allowedBuckets: [bucket] })).status).toBe(
      200,
    );
    expect((await as('operator', 'PUT', '/admin/users/alice', { maxCpus: 1.5 })).status).toBe(200);
    const [second, first] = await audit('operator', 'action=user.settings_changed&target=alice');
    expect(first!.summary.before).toBeNull();
    expect(first!.summary.after).toMatchObject({ allowedBuckets: [bucket], maxCpus: null });
    expect(second!.summary.before).toMatchObject({ allowedBuckets: [bucket], maxCpus: null });
    expect(second!.summary.after).toMatchObject({ allowedBuckets: [bucket], maxCpus: 1.5 });
    expect(second!.ownerId).toBe('alice');
  });

  it('records workers drained and undrained, for operators only; an unknown worker leaves no row', async () => {
    const drained = await audit('operator', 'action=worker.*');
    expect(drained.map((e) => e.action)).toEqual(['worker.drained']);
    // Undrained and drained again before the next test queues a run: nothing can be claimed meanwhile.
    const workerId = drained[0]!.target.id;
    expect((await as('operator', 'POST', `/admin/workers/${workerId}/undrain`)).status).toBe(202);
    expect((await as('operator', 'POST', `/admin/workers/${workerId}/drain`)).status).toBe(202);
    const entries = await audit('operator', 'action=worker.*');
    expect(entries.map((e) => [e.action, e.target])).toEqual([
      ['worker.drained', { kind: 'worker', id: workerId }],
      ['worker.undrained', { kind: 'worker', id: workerId }],
      ['worker.drained', { kind: 'worker', id: workerId }],
    ]);
    expect((await as('operator', 'POST', '/admin/workers/no-such-worker/drain')).status).toBe(404);
    expect(await audit('operator', 'action=worker.*')).toHaveLength(3);
    expect(entries.every((e) => e.ownerId === null)).toBe(true);
    expect(await audit('alice', 'action=worker.*')).toEqual([]);
  });

  it("records a job's life: created, updated, schedule changed, paused, resumed, triggered, its run cancelled, deleted", async () => {
    const body = jobBody(bucket, { userId: 'alice', uniqueId: uniqueName('audited'), cron: '0 3 * * *' });
    const created = await as('alice', 'POST', '/jobs', body);
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const id = created.body.job.id as string;
    expect((await as('alice', 'PUT', `/jobs/${id}`, { ...body, command: 'echo changed' })).status).toBe(200);
    expect((await as('alice', 'PATCH', `/jobs/${id}`, { cron: '0 4 * * *' })).status).toBe(200);
    expect((await as('alice', 'POST', `/jobs/${id}/pause`)).status).toBe(200);
    expect((await as('alice', 'POST', `/jobs/${id}/resume`)).status).toBe(200);
    const triggered = await as('alice', 'POST', `/jobs/${id}/trigger`);
    expect(triggered.status).toBe(202);
    expect((await as('alice', 'POST', `/runs/${triggered.body.id}/cancel`)).status).toBe(202);
    expect((await as('alice', 'DELETE', `/jobs/${id}`)).status).toBe(200);

    const entries = await audit('alice', `target=${id}`);
    expect(entries.map((e) => e.action).reverse()).toEqual([
      'job.created',
      'job.updated',
      'job.schedule_changed',
      'job.paused',
      'job.resumed',
      'job.triggered',
      'job.deleted',
    ]);
    for (const entry of entries) {
      expect(entry.actor).toEqual({
        kind: 'user',
        keyId: keys.alice!.id,
        userId: 'alice',
        address: '127.0.0.1',
      });
      expect(entry.ownerId).toBe('alice');
    }
    expect(entries.at(-1)!.summary).toMatchObject({ uniqueId: body.uniqueId, cron: '0 3 * * *' });
    expect(entries.find((e) => e.action === 'job.triggered')!.summary).toEqual({
      started: triggered.body.id,
    });
    const [cancelled] = await audit('alice', `target=${triggered.body.id}`);
    expect(cancelled).toMatchObject({ action: 'run.cancelled', summary: { jobId: id, state: 'queued' } });
    // A pause refused (the job is deleted) is no action and leaves no row.
    expect((await as('alice', 'POST', `/jobs/${id}/pause`)).status).toBe(409);
    expect(await audit('alice', `target=${id}`)).toHaveLength(entries.length);
  });

  it("records a workflow's life, and its runs cancelled and retried", async () => {
    const created = await as('alice', 'POST', '/workflows', {
      userId: 'alice',
      uniqueId: uniqueName('audited-wf'),
      s3_bucket: bucket,
      source_s3_prefix: 'in/',
      destination_s3_prefix: '/wf/',
      steps: [{ name: 'only', command: 'echo one' }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const id = created.body.workflow.id as string;
    const runId = created.body.workflowRun.id as string;
    expect((await as('alice', 'POST', `/workflow-runs/${runId}/cancel`)).status).toBe(202);
    const retried = await as('alice', 'POST', `/workflow-runs/${runId}/retry`);
    expect(retried.status, JSON.stringify(retried.body)).toBe(202);
    expect((await as('alice', 'DELETE', `/workflows/${id}`)).status).toBe(200);

    expect((await audit('alice', `target=${id}`)).map((e) => e.action).reverse()).toEqual([
      'workflow.created',
      'workflow.deleted',
    ]);
    const runEntries = await audit('alice', `target=${runId}`);
    expect(runEntries.map((e) => e.action).reverse()).toEqual([
      'workflow_run.cancelled',
      'workflow_run.retried',
    ]);
    expect(runEntries[0]!.summary).toMatchObject({ workflowId: id, retriedAs: retried.body.id });
  });

  it("records a recurring workflow's changes: updated, schedule changed, paused, resumed, triggered", async () => {
    const body = {
      userId: 'alice',
      uniqueId: uniqueName('audited-cron-wf'),
      s3_bucket: bucket,
      source_s3_prefix: 'in/',
      destination_s3_prefix: '/wf/',
      cron: '0 3 * * *',
      steps: [{ name: 'only', command: 'echo one' }],
    };
    const created = await as('alice', 'POST', '/workflows', body);
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const id = created.body.workflow.id as string;
    const updated = await as('alice', 'PUT', `/workflows/${id}`, {
      ...body,
      steps: [{ name: 'only', command: 'echo two' }],
    });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    const changed = await as('alice', 'PATCH', `/workflows/${id}`, { cron: '0 4 * * *' });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect((await as('alice', 'POST', `/workflows/${id}/pause`)).status).toBe(200);
    expect((await as('alice', 'POST', `/workflows/${id}/resume`)).status).toBe(200);
    const triggered = await as('alice', 'POST', `/workflows/${id}/trigger`);
    expect(triggered.status, JSON.stringify(triggered.body)).toBe(202);

    const entries = await audit('alice', `target=${id}`);
    expect(entries.map((e) => e.action).reverse()).toEqual([
      'workflow.created',
      'workflow.updated',
      'workflow.schedule_changed',
      'workflow.paused',
      'workflow.resumed',
      'workflow.triggered',
    ]);
    for (const entry of entries) {
      expect(entry.actor).toMatchObject({ kind: 'user', keyId: keys.alice!.id, userId: 'alice' });
      expect(entry.ownerId).toBe('alice');
    }
    // Paused and deleted; a resume refused then (409) is no action and leaves no row.
    expect((await as('alice', 'POST', `/workflows/${id}/pause`)).status).toBe(200);
    expect((await as('alice', 'DELETE', `/workflows/${id}`)).status).toBe(200);
    expect((await as('alice', 'POST', `/workflows/${id}/resume`)).status).toBe(409);
    expect((await audit('alice', `target=${id}`)).map((e) => e.action).slice(0, 2)).toEqual([
      'workflow.deleted',
      'workflow.paused',
    ]);
  });

  it("records webhook endpoints and secrets by name, never a secret's value", async () => {
    const made = await as('alice', 'POST', '/webhooks', {
      userId: 'alice',
      url: 'http://127.0.0.1:9/hook',
      events: ['run.failed'],
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const webhookId = made.body.webhook.id as string;
    const rotated = await as('alice', 'POST', `/webhooks/${webhookId}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect((await as('alice', 'POST', `/webhooks/${webhookId}/enable`)).status).toBe(200);
    // One delivery to it, sent again by its owner; an unknown delivery is refused and leaves no row.
    await recordEvents(service.db, [{ type: 'run.failed', userId: 'alice', data: { audited: true } }]);
    const deliveries = await as('alice', 'GET', `/webhooks/${webhookId}/deliveries`);
    expect(deliveries.status).toBe(200);
    const [delivery] = deliveries.body.deliveries as { id: string }[];
    expect((await as('alice', 'POST', `/webhook-deliveries/${delivery!.id}/redeliver`)).status).toBe(202);
    const unknownDelivery = '01890000-0000-7000-8000-000000000000';
    expect((await as('alice', 'POST', `/webhook-deliveries/${unknownDelivery}/redeliver`)).status).toBe(404);
    expect((await as('alice', 'DELETE', `/webhooks/${webhookId}`)).status).toBe(204);
    const value = `s3cr3t-${uniqueName('value')}`;
    expect((await as('alice', 'PUT', '/secrets/API_TOKEN', { value })).status).toBe(201);
    expect((await as('alice', 'DELETE', '/secrets/API_TOKEN')).status).toBe(204);

    const hooks = await audit('alice', `action=webhook.*`);
    expect(hooks.map((e) => e.action).reverse()).toEqual([
      'webhook.created',
      'webhook.secret_rotated',
      'webhook.enabled',
      'webhook.redelivered',
      'webhook.deleted',
    ]);
    expect(hooks.find((e) => e.action === 'webhook.redelivered')!.summary).toEqual({
      deliveryId: delivery!.id,
    });
    const secrets = await audit('alice', `action=secret.*`);
    expect(secrets.map((e) => [e.action, e.target.id, e.summary.name])).toEqual([
      ['secret.deleted', 'alice/API_TOKEN', 'API_TOKEN'],
      ['secret.set', 'alice/API_TOKEN', 'API_TOKEN'],
    ]);
    const everything = JSON.stringify(await audit('operator'));
    expect(everything).not.toContain(value);
    expect(everything).not.toContain(made.body.secret);
    expect(everything).not.toContain(rotated.body.secret);
  });

  it("shows a user's key only the actions on its own things; filters by actor, time and action", async () => {
    expect((await as('operator', 'PUT', '/admin/users/bob', { allowedBuckets: [bucket] })).status).toBe(200);
    const body = jobBody(bucket, { userId: 'bob', uniqueId: uniqueName('bobs'), cron: '0 3 * * *' });
    expect((await as('bob', 'POST', '/jobs', body)).status).toBe(202);
    const alices = await audit('alice');
    expect(alices.length).toBeGreaterThan(10);
    expect(alices.every((e) => e.ownerId === 'alice')).toBe(true);
    const bobs = await audit('bob');
    expect(bobs.map((e) => e.action).sort()).toEqual([
      'api_key.created',
      'job.created',
      'user.settings_changed',
    ]);
    // The operator's changes to alice's things are alice's to read; the bootstrap key's other rows are not.
    expect(alices.some((e) => e.actor.kind === 'operator' && e.action === 'user.settings_changed')).toBe(
      true,
    );
    expect(await audit('alice', `actor=${keys.bob!.id}`)).toEqual([]);
    expect((await audit('operator', 'actor=bob')).map((e) => e.action)).toEqual(['job.created']);
    const all = await audit('operator');
    const middle = all[Math.floor(all.length / 2)]!;
    const since = await audit('operator', `from=${encodeURIComponent(middle.at)}`);
    const before = await audit('operator', `to=${encodeURIComponent(middle.at)}`);
    expect(since.length + before.length).toBe(all.length);
    expect(since.every((e) => e.at >= middle.at) && before.every((e) => e.at < middle.at)).toBe(true);
  });

  it('pages without skipping or repeating, and refuses a page over TDS_AUDIT_PAGE_MAX or a made-up cursor', async () => {
    const all = await audit('operator');
    const [stored] = await service.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log');
    expect(all.length).toBe(stored!.n);
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    const ids = all.map((e) => BigInt(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? 1 : -1)));
    const first = await as('operator', 'GET', '/audit');
    expect(first.body.entries).toHaveLength(PAGE_MAX);
    const over = await as('operator', 'GET', `/audit?limit=${PAGE_MAX + 1}`);
    expect(over.status).toBe(400);
    expect(over.body.message).toContain('TDS_AUDIT_PAGE_MAX');
    const forged = await as('operator', 'GET', '/audit?cursor=bm90LWEtY3Vyc29y');
    expect(forged.status).toBe(400);
    expect(forged.body.message).toMatch(/nextCursor/);
    const backwards = await as('operator', 'GET', '/audit?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z');
    expect(backwards.status).toBe(400);
    expect((await service.request('GET', '/audit')).status).toBe(401);
  });

  it('writes no change without its record: the change fails with its audit row', async () => {
    await service.db.query('ALTER TABLE audit_log RENAME TO audit_log_away');
    try {
      const refused = await as('operator', 'PUT', '/admin/users/dave', { maxCpus: 1 });
      expect(refused.status).toBe(500);
    } finally {
      await service.db.query('ALTER TABLE audit_log_away RENAME TO audit_log');
    }
    expect(await service.db.query("SELECT 1 FROM users WHERE user_id = 'dave'")).toEqual([]);
    expect(await audit('operator', 'target=dave')).toEqual([]);
  });

  it("prunes, in the housekeeper's retention pass, the rows older than the retention, and only those", async () => {
    const all = await audit('operator');
    const [oldest, nextOldest] = [all.at(-1)!, all.at(-2)!];
    await service.db.query("UPDATE audit_log SET at = now() - interval '400 days' WHERE id = $1::bigint", [
      oldest.id,
    ]);
    // A day within TDS_AUDIT_RETENTION_DAYS (365 by default): kept.
    await service.db.query("UPDATE audit_log SET at = now() - interval '364 days' WHERE id = $1::bigint", [
      nextOldest.id,
    ]);
    expect(service.config.audit.retentionDays).toBe(365);
    // Its timer stopped, the pass below is the housekeeper's only one: no other holds the lock.
    await service.housekeeper!.stop();
    const report = await service.housekeeper!.sweep();
    expect(report.retentionHeldElsewhere).toBe(false);
    expect(report.pruned.audit).toBe(1);
    expect((await audit('operator')).map((e) => e.id)).toEqual(all.slice(0, -1).map((e) => e.id));
  });
});

describe('the client address, with and without TDS_TRUST_PROXY', () => {
  const lines: string[] = [];
  let proxied: TestService;

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    proxied = await startTestService({
      roles: ['api'],
      logger: pino({ level: 'info' }, sink),
      env: { TDS_AUTH: 'on', TDS_TRUST_PROXY: '127.0.0.1' },
    });
  });

  afterAll(async () => {
    await proxied?.close();
  });

  it('records and logs the address a trusted proxy names, and ignores the header from anyone else', async () => {
    const forwarded = { 'x-forwarded-for': '203.0.113.7' };
    const key = (await createApiKey(proxied.db, { operator: true }, '')).key;
    const made = await proxied.request(
      'POST',
      '/admin/keys',
      { userId: 'erin' },
      { ...bearer(key), ...forwarded },
    );
    expect(made.status).toBe(201);
    const read = await proxied.request('GET', '/audit', undefined, bearer(key));
    expect(read.body.entries[0].actor.address).toBe('203.0.113.7');
    const logged = lines.filter((line) => line.includes('"url":"/admin/keys"'));
    expect(logged.some((line) => line.includes('"remoteAddress":"203.0.113.7"'))).toBe(true);

    // The service without TDS_TRUST_PROXY: the header is anyone's to write, so the socket's address counts.
    const forged = await as('operator', 'POST', '/admin/keys', { userId: 'frank' }, forwarded);
    expect(forged.status).toBe(201);
    const [entry] = await audit('operator', `target=${forged.body.apiKey.id}`);
    expect(entry!.actor.address).toBe('127.0.0.1');
  });

  it('counts requests by the socket address without TDS_TRUST_PROXY, whatever X-Forwarded-For says', async () => {
    const limited = await startTestService({
      roles: ['api'],
      env: { TDS_AUTH: 'on', TDS_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '3' },
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const response = await limited.request('GET', '/docs/json', undefined, {
          'x-forwarded-for': `198.51.100.${i + 1}`,
        });
        statuses.push(response.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
    } finally {
      await limited.close();
    }
  });
});
