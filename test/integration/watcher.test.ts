import { afterEach, describe, expect, it } from 'vitest';
import {
  createBucket,
  createTestDatabase,
  getText,
  jobBody,
  startTestService,
  uniqueName,
  type TestService,
} from '../support/harness.js';

const started: TestService[] = [];

async function start(options: Parameters<typeof startTestService>[0]) {
  const service = await startTestService(options);
  started.push(service);
  return service;
}

afterEach(async () => {
  for (const service of started.splice(0)) await service.close().catch(() => undefined);
});

describe('noticing that containers exit', () => {
  it('finishes runs through the periodic reconcile when no Docker event arrives', async () => {
    const service = await start({ followDockerEvents: false });
    const bucket = await createBucket();
    const { body } = await service.request('POST', '/jobs', jobBody(bucket, { command: 'echo reconciled' }));
    const run = await service.waitForRun(body.run.id, undefined, 60_000);
    expect(run.state).toBe('succeeded');
    expect(await getText(bucket, `${run.results.prefix}stdout.log`)).toBe('reconciled\n');
  });

  it('adopts a container still running after its worker restarts, and uploads its results once', async () => {
    const databaseUrl = await createTestDatabase();
    const workerId = uniqueName('restarting-worker');
    const first = await start({ databaseUrl, workerId });
    const bucket = await createBucket();
    const { body } = await first.request(
      'POST',
      '/jobs',
      jobBody(bucket, { command: 'echo begun; sleep 3; echo adopted' }),
    );
    await first.waitForRun(body.run.id, (state) => state === 'running');
    await first.close();

    const second = await start({ databaseUrl, workerId });
    const run = await second.waitForRun(body.run.id, undefined, 60_000);
    expect(run.state).toBe('succeeded');
    expect(await getText(bucket, `${run.results.prefix}stdout.log`)).toBe('begun\nadopted\n');
    expect(run.history.map((e: { state: string }) => e.state)).toEqual([
      'queued',
      'staging',
      'building',
      'running',
      'uploading',
      'succeeded',
    ]);
  });

  it('puts a run interrupted while staging back in the queue when its worker restarts', async () => {
    const databaseUrl = await createTestDatabase();
    const workerId = uniqueName('requeue-worker');
    const api = await start({ databaseUrl, roles: ['api'] });
    const bucket = await createBucket();
    const { body } = await api.request('POST', '/jobs', jobBody(bucket, { command: 'echo requeued' }));
    // A worker that died after claiming: the run is left in staging under its id.
    await api.db.query(
      "UPDATE runs SET state = 'staging', worker_id = $2, claimed_at = now() WHERE id = $1::uuid",
      [body.run.id, workerId],
    );
    const worker = await start({ databaseUrl, workerId });
    const run = await worker.waitForRun(body.run.id, undefined, 60_000);
    expect(run.state).toBe('succeeded');
    expect(run.history.map((e: { state: string }) => e.state)).toEqual([
      'queued',
      'queued',
      'staging',
      'building',
      'running',
      'uploading',
      'succeeded',
    ]);
  });
});
