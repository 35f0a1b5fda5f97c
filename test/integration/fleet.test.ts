import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgetGoneWorkers, oldestHeartbeatAgeSeconds } from '../../src/fleet/worker-registry.js';
import {
  createBucket,
  createTestDatabase,
  eventually,
  jobBody,
  startTestService,
  type TestService,
} from '../support/harness.js';

/**
 * The fleet on one engine: two workers with different tags sharing one database with an API. Jobs
 * go to the worker holding their `requires`; a run no worker can take says what it waits for; a
 * drained worker claims nothing and finishes what it holds. (Separate engines: fleet-hosts.test.ts.)
 */
let api: TestService;
let gpu: TestService;
let plain: TestService;
let bucket: string;

beforeAll(async () => {
  const databaseUrl = await createTestDatabase();
  api = await startTestService({ databaseUrl, roles: ['api'] });
  const worker = (workerId: string, tags: string) =>
    startTestService({ databaseUrl, roles: ['worker'], workerId, env: { TDS_WORKER_TAGS: tags } });
  [gpu, plain] = await Promise.all([worker('fleet-gpu', 'gpu, zone-a'), worker('fleet-plain', 'zone-a')]);
  bucket = await createBucket();
});

afterAll(async () => {
  await Promise.all([gpu?.close(), plain?.close()]);
  await api?.close();
});

const workers = async () =>
  (await api.request('GET', '/admin/workers')).body.workers as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
const workerOf = async (id: string) => (await workers()).find((w) => w.id === id)!;

async function submit(overrides: Record<string, unknown>) {
  const { status, body } = await api.request('POST', '/jobs', jobBody(bucket, overrides));
  expect(status, JSON.stringify(body)).toBe(202);
  return body;
}

describe('a fleet of workers with tags', () => {
  it('lists every worker with its tags, platform, version, capacity, runs in hand and state', async () => {
    const listed = await workers();
    const gpuWorker = listed.find((w) => w.id === 'fleet-gpu')!;
    expect(gpuWorker).toMatchObject({
      state: 'active',
      drained: false,
      capacity: 2,
      runsInHand: 0,
      version: '0.1.0',
      drainRequestedAt: null,
      stoppedAt: null,
    });
    expect(gpuWorker.platform).toMatch(/^linux\/[a-z0-9]+$/);
    expect(gpuWorker.tags).toEqual(['gpu', gpuWorker.platform, 'zone-a'].sort());
    expect(listed.find((w) => w.id === 'fleet-plain')!.tags).not.toContain('gpu');
    expect(Date.parse(gpuWorker.lastHeartbeatAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('runs a job only on a worker holding every tag it requires', async () => {
    const submitted = await Promise.all([
      ...[1, 2, 3].map(() => submit({ requires: ['gpu', 'zone-a'], command: 'echo gpu' })),
      submit({ requires: ['zone-a'], command: 'echo any' }),
    ]);
    for (const body of submitted) expect(body.warnings).toEqual([]);
    const ended = await Promise.all(submitted.map((body) => api.waitForRun(body.run.id)));
    for (const run of ended.slice(0, 3))
      expect(run).toMatchObject({ state: 'succeeded', workerId: 'fleet-gpu' });
    expect(ended[3].state).toBe('succeeded');
    expect(submitted[0].job.spec.requires).toEqual(['gpu', 'zone-a']);
  });

  it('warns of tags no worker ever advertised, and a run no worker can take says what it waits for', async () => {
    const body = await submit({ requires: ['tpu', 'gpu'], command: 'echo tpu' });
    expect(body.warnings).toHaveLength(1);
    expect(body.warnings[0]).toContain('"tpu"');
    const { body: run } = await api.request('GET', `/runs/${body.run.id}`);
    expect(run).toMatchObject({ state: 'queued', waiting_for: ['tpu'] });
    expect((await api.request('POST', `/runs/${body.run.id}/cancel`)).status).toBe(202);

    // The platform is a tag as any other: another platform's job waits for it.
    const { platform } = await workerOf('fleet-gpu');
    const other = platform === 'linux/arm64' ? 'linux/amd64' : 'linux/arm64';
    const elsewhere = await submit({ requires: [other] });
    expect((await api.request('GET', `/runs/${elsewhere.run.id}`)).body.waiting_for).toEqual([other]);
    await api.request('POST', `/runs/${elsewhere.run.id}/cancel`);
    const here = await submit({ requires: [platform] });
    expect(here.warnings).toEqual([]);
    expect((await api.waitForRun(here.run.id)).state).toBe('succeeded');
  });

  it('drains a worker: it finishes what it runs, claims nothing new until undrained', async () => {
    const long = await submit({ requires: ['gpu'], command: 'sleep 3; echo done' });
    await api.waitForRun(long.run.id, (state) => state === 'running');

    const { status, body: draining } = await api.request('POST', '/admin/workers/fleet-gpu/drain');
    expect(status).toBe(202);
    expect(draining).toMatchObject({ id: 'fleet-gpu', state: 'draining', runsInHand: 1, drained: false });

    // New gpu work waits, and says why; work the other worker can do goes there.
    const waiting = await submit({ requires: ['gpu'], command: 'echo after' });
    const elsewhere = await submit({ requires: ['zone-a'], command: 'echo elsewhere' });
    expect((await api.request('GET', `/runs/${waiting.run.id}`)).body.waiting_for).toEqual(['gpu']);
    expect(await api.waitForRun(elsewhere.run.id)).toMatchObject({
      state: 'succeeded',
      workerId: 'fleet-plain',
    });

    // The run it held ran to its end, uninterrupted.
    const finished = await api.waitForRun(long.run.id);
    expect(finished).toMatchObject({ state: 'succeeded', exitCode: 0, workerId: 'fleet-gpu' });
    expect(finished.history.filter((e: { state: string }) => e.state === 'queued')).toHaveLength(1);
    await eventually('the worker to be drained', async () => (await workerOf('fleet-gpu')).drained === true);
    expect((await api.request('GET', `/runs/${waiting.run.id}`)).body.state).toBe('queued');

    const undrained = await api.request('POST', '/admin/workers/fleet-gpu/undrain');
    expect(undrained).toMatchObject({ status: 202, body: { state: 'active', drainRequestedAt: null } });
    expect(await api.waitForRun(waiting.run.id)).toMatchObject({ state: 'succeeded', workerId: 'fleet-gpu' });
  });

  it('retires a worker that died without stopping, so its silence no longer counts; a live one is refused', async () => {
    // A worker killed with its host: its row says neither stopped nor heartbeating, for an hour.
    await api.db.query(
      `INSERT INTO workers (id, host, tags, platform, version, capacity, heartbeat_at)
       VALUES ('fleet-dead', 'lost-host', '[]'::jsonb, 'linux/amd64', '0', 1, now() - interval '1 hour')`,
    );
    expect(await oldestHeartbeatAgeSeconds(api.db)).toBeGreaterThan(3500);
    expect(await workerOf('fleet-dead')).toMatchObject({ state: 'gone', stoppedAt: null });

    const live = await api.request('POST', '/admin/workers/fleet-gpu/retire');
    expect(live.status).toBe(409);
    expect(live.body.message).toMatch(/worker fleet-gpu heartbeat \d+ s ago: it is not gone/);
    expect((await workerOf('fleet-gpu')).state).not.toBe('gone');

    const retired = await api.request('POST', '/admin/workers/fleet-dead/retire');
    expect(retired.status, JSON.stringify(retired.body)).toBe(202);
    expect(retired.body).toMatchObject({ id: 'fleet-dead', state: 'gone', stoppedAt: expect.any(String) });
    // What the heartbeat-age gauge reads: the live workers' heartbeats alone.
    expect(await oldestHeartbeatAgeSeconds(api.db)).toBeLessThan(60);
    // Recorded once in the audit log, with the worker it retired; the refusal recorded nothing.
    const audit = await api.request('GET', '/audit?action=worker.retired');
    expect(audit.body.entries.map((e: { target: unknown }) => e.target)).toEqual([
      { kind: 'worker', id: 'fleet-dead' },
    ]);
    // Retiring it again answers it as it is.
    expect((await api.request('POST', '/admin/workers/fleet-dead/retire')).body.stoppedAt).toBe(
      retired.body.stoppedAt,
    );
    await api.db.query("DELETE FROM workers WHERE id = 'fleet-dead'");
  });

  it('answers 404 for a worker it does not know', async () => {
    for (const action of ['drain', 'undrain', 'retire']) {
      const { status, body } = await api.request('POST', `/admin/workers/no-such-worker/${action}`);
      expect(status).toBe(404);
      expect(body.message).toContain('no-such-worker');
    }
  });

  it('shows a stopped worker as gone at once, and forgets one gone past the retention', async () => {
    await plain.close();
    expect(await workerOf('fleet-plain')).toMatchObject({ state: 'gone' });
    expect((await workerOf('fleet-gpu')).state).toBe('active');

    await api.db.query("UPDATE workers SET stopped_at = now() - interval '31 days' WHERE id = 'fleet-plain'");
    expect(await forgetGoneWorkers(api.db, 30)).toBe(1);
    expect((await workers()).map((w) => w.id)).toEqual(['fleet-gpu']);

    // A live worker whose row went missing registers again at its next heartbeat.
    await api.db.query("DELETE FROM workers WHERE id = 'fleet-gpu'");
    await eventually('the worker to register again', async () => (await workers()).length === 1, 5_000);
    expect(await workerOf('fleet-gpu')).toMatchObject({
      state: 'active',
      tags: expect.arrayContaining(['gpu']),
    });
  });
});
