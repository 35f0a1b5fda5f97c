import { existsSync } from 'node:fs';
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Docker from 'dockerode';
import { describe, it, type TestContext } from 'vitest';
import { RUN_ID_LABEL } from '../../src/runner/image-builder.js';
import {
  createBucket,
  createTestDatabase,
  eventually,
  getText,
  jobBody,
  listKeys,
  startTestService,
  type TestService,
} from '../support/harness.js';
import { startOwnS3 } from '../support/own-s3.js';
import { removeDir, startServiceProcess } from '../support/service-process.js';

const docker = new Docker();

/** A test's `onTestFinished`: what it is given runs when that test ends, last given first. */
type Finished = TestContext['onTestFinished'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The tests of this file run at once: each has its own S3 server, database, services and worker
 * processes, stopped when that test ends, and waits on its own run's states and its own server's
 * outage, so none depends on another's timing.
 */
async function start(finished: Finished, options: Parameters<typeof startTestService>[0]) {
  const service = await startTestService(options);
  finished(() => service.close().catch(() => undefined));
  return service;
}

async function ownS3(finished: Finished) {
  const s3 = await startOwnS3();
  finished(() => s3.close());
  return s3;
}

async function serviceProcess(finished: Finished, ...args: Parameters<typeof startServiceProcess>) {
  const child = await startServiceProcess(...args);
  finished(async () => {
    await child.kill().catch(() => undefined);
    await removeDir(child.dataDir);
  });
  return child;
}

async function runsOfJob(service: TestService, jobId: string) {
  return service.db.query<{ id: string; attempt: number }>(
    'SELECT id, attempt FROM runs WHERE job_id = $1::uuid',
    [jobId],
  );
}

async function containersOf(runId: string) {
  return docker.listContainers({ all: true, filters: { label: [`${RUN_ID_LABEL}=${runId}`] } });
}

describe.concurrent('results that wait for S3', () => {
  it('keeps every result through an outage around the run’s end and a worker crash, and runs the command once', async ({
    expect,
    onTestFinished,
  }) => {
    const s3 = await ownS3(onTestFinished);
    const databaseUrl = await createTestDatabase();
    const api = await start(onTestFinished, {
      databaseUrl,
      roles: ['api'],
      env: { S3_ENDPOINT: s3.endpoint },
    });
    await api.store.createBucket('spooled');
    const workerEnv = {
      TDS_ROLES: 'worker',
      TDS_WORKER_ID: 'spooling-worker',
      S3_ENDPOINT: s3.endpoint,
      TDS_RECONCILE_INTERVAL_MS: '300',
      TDS_LEASE_MS: '1500',
      // Fencing is fencing.test.ts's: a heartbeat held up on a loaded machine must not make this worker stop its run.
      TDS_FENCE_MS: '0',
      // Short back-off, so the test does not wait long once the store is back.
      TDS_S3_RETRY_DELAY_MS: '200',
      TDS_UPLOAD_RETRY_MAX_DELAY_MS: '1000',
    };
    const first = await serviceProcess(onTestFinished, databaseUrl, workerEnv);
    const { body } = await api.request('POST', '/jobs', {
      ...jobBody('spooled'),
      s3_bucket: 'spooled',
      command:
        'echo ran; echo warned >&2; mkdir -p output/deep/er; echo one > output/deep/er/a.txt; head -c 200000 /dev/zero > output/zeros.bin; sleep 2',
    });
    const runId: string = body.run.id;
    await api.waitForRun(runId, (s) => s === 'running', 120_000);
    await s3.stop();
    const outageStarted = Date.now();

    // The results are on the worker's disk and the container is gone, though nothing reached S3.
    const spool = path.join(first.dataDir, 'spool', runId);
    await eventually(
      'the results to be spooled and the container removed',
      async () => existsSync(path.join(spool, 'manifest.json')) && (await containersOf(runId)).length === 0,
      60_000,
    );
    await first.kill('SIGKILL');
    expect((await api.request('GET', `/runs/${runId}`)).body.state).toBe('uploading');

    await serviceProcess(onTestFinished, databaseUrl, workerEnv, first.dataDir);
    // The store stays away for 25 s in all: the restarted worker waits for it, and fails nothing.
    await sleep(Math.max(0, 25_000 - (Date.now() - outageStarted)));
    expect((await api.request('GET', `/runs/${runId}`)).body.state).toBe('uploading');
    await s3.restart();

    const run = await api.waitForRun(runId, undefined, 60_000);
    expect(run.state).toBe('succeeded');
    const prefix: string = run.results.prefix;
    const text = (key: string) => api.store.getObjectText('spooled', `${prefix}${key}`);
    expect(await text('stdout.log')).toBe('ran\n');
    expect(await text('stderr.log')).toBe('warned\n');
    expect(await text('output/deep/er/a.txt')).toBe('one\n');
    expect((await text('output/zeros.bin'))?.length).toBe(200_000);
    expect(await text('metrics.csv')).toMatch(/^timestamp,elapsed_seconds,cpu_percent,memory_bytes\n/);
    expect(JSON.parse((await text('metrics.json'))!).samples).toBeGreaterThan(0);
    const record = JSON.parse((await text('run.json'))!);
    expect(record).toMatchObject({ state: 'succeeded', exitCode: 0, outputs: { files: 2 } });

    // Run once: one run of the job, started once, never retried.
    expect(await runsOfJob(api, body.job.id)).toEqual([{ id: runId, attempt: 1 }]);
    const starts = run.history.filter((e: { state: string }) => e.state === 'running');
    expect(starts).toHaveLength(1);
    await eventually('the spool to be emptied', async () => !existsSync(spool));
  });

  it('delivers what a run kept after giving up, and what an earlier release left in undelivered/', async ({
    expect,
    onTestFinished,
  }) => {
    const s3 = await ownS3(onTestFinished);
    const service = await start(onTestFinished, {
      env: {
        S3_ENDPOINT: s3.endpoint,
        TDS_S3_RETRY_DELAY_MS: '100',
        TDS_UPLOAD_PATIENCE_SECONDS: '2',
      },
    });
    await service.store.createBucket('kept');
    const { body } = await service.request('POST', '/jobs', {
      ...jobBody('kept'),
      s3_bucket: 'kept',
      command: 'echo kept; echo x > output/x.txt; sleep 2',
    });
    await service.waitForRun(body.run.id, (s) => s === 'running');
    await s3.stop();
    const run = await service.waitForRun(body.run.id, undefined, 60_000);
    expect(run.failure.reason).toBe('upload_error');
    expect(run.failure.message).toContain('6 files could not be delivered');
    expect(run.failure.message).toContain('output/x.txt');
    expect(run.failure.message).toContain(path.join(service.config.dataDir, 'spool', run.id));
    expect(await runsOfJob(service, body.job.id)).toHaveLength(1);

    // While the store is away, the metrics are read from the spool on this host.
    const metrics = await service.request('GET', `/runs/${run.id}/metrics`);
    expect(metrics.body.source).toBe('stored');
    expect(metrics.body.samples.length).toBeGreaterThan(0);
    // While the store is still away, housekeeping keeps the results.
    expect((await service.housekeeper!.sweep()).delivered).toBe(0);
    await s3.restart();
    expect((await service.housekeeper!.sweep()).delivered).toBe(1);
    const prefix: string = run.results.prefix;
    expect(await service.store.getObjectText('kept', `${prefix}stdout.log`)).toBe('kept\n');
    expect(await service.store.getObjectText('kept', `${prefix}output/x.txt`)).toBe('x\n');
    const record = JSON.parse((await service.store.getObjectText('kept', `${prefix}run.json`))!);
    expect(record.state).toBe('failed');
    expect(record.failure.reason).toBe('upload_error');
    expect(existsSync(path.join(service.config.dataDir, 'spool', run.id))).toBe(false);

    // Logs an earlier release kept under undelivered/ go to the run's folder, then the folder goes.
    const old = path.join(service.config.dataDir, 'undelivered', run.id);
    await mkdir(old, { recursive: true });
    await writeFile(path.join(old, 'stderr.log'), 'kept by an earlier release\n');
    const gone = path.join(service.config.dataDir, 'undelivered', '0190a4c2-0000-7000-8000-000000000000');
    await mkdir(gone, { recursive: true });
    await writeFile(path.join(gone, 'stdout.log'), 'of a run long pruned\n');
    expect((await service.housekeeper!.sweep()).delivered).toBe(2);
    expect(await service.store.getObjectText('kept', `${prefix}stderr.log`)).toBe(
      'kept by an earlier release\n',
    );
    expect(existsSync(old)).toBe(false);
    expect(existsSync(gone)).toBe(false);
  });

  it('removes kept results still undelivered past TDS_KEPT_RESULTS_RETENTION_DAYS, and keeps younger ones', async ({
    expect,
    onTestFinished,
  }) => {
    const s3 = await ownS3(onTestFinished);
    const service = await start(onTestFinished, {
      env: {
        S3_ENDPOINT: s3.endpoint,
        TDS_S3_RETRY_DELAY_MS: '100',
        TDS_UPLOAD_PATIENCE_SECONDS: '2',
        TDS_KEPT_RESULTS_RETENTION_DAYS: '1',
      },
    });
    await service.store.createBucket('expiring');
    const { body } = await service.request('POST', '/jobs', {
      ...jobBody('expiring'),
      s3_bucket: 'expiring',
      command: 'echo kept; sleep 2',
    });
    await service.waitForRun(body.run.id, (s) => s === 'running');
    await s3.stop();
    const run = await service.waitForRun(body.run.id, undefined, 60_000);
    expect(run.failure.reason).toBe('upload_error');
    const spooled = path.join(service.config.dataDir, 'spool', run.id);
    const old = path.join(service.config.dataDir, 'undelivered', run.id);
    await mkdir(old, { recursive: true });
    await writeFile(path.join(old, 'stderr.log'), 'kept by an earlier release\n');

    // Kept less than a day, with the store away: both stay.
    const young = await service.housekeeper!.sweep();
    expect([young.delivered, young.keptExpired]).toEqual([0, 0]);
    expect([existsSync(spooled), existsSync(old)]).toEqual([true, true]);

    // Kept two days (the spool's manifest says when, the old folder its modification time).
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    const manifestFile = path.join(spooled, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8'));
    await writeFile(manifestFile, JSON.stringify({ ...manifest, spooledAt: twoDaysAgo.toISOString() }));
    await utimes(old, twoDaysAgo, twoDaysAgo);
    const expired = await service.housekeeper!.sweep();
    expect([expired.delivered, expired.keptExpired]).toEqual([0, 2]);
    expect([existsSync(spooled), existsSync(old)]).toEqual([false, false]);
  });

  it('keeps what a run that fails before its container exists leaves (run.json) until the store is back', async ({
    expect,
    onTestFinished,
  }) => {
    const s3 = await ownS3(onTestFinished);
    const databaseUrl = await createTestDatabase();
    const env = {
      S3_ENDPOINT: s3.endpoint,
      TDS_S3_ATTEMPTS: '2',
      TDS_S3_RETRY_DELAY_MS: '200',
      TDS_UPLOAD_RETRY_MAX_DELAY_MS: '1000',
    };
    const api = await start(onTestFinished, { databaseUrl, roles: ['api'], env });
    await api.store.createBucket('early');
    const { status, body } = await api.request('POST', '/jobs', {
      ...jobBody('early'),
      s3_bucket: 'early',
      command: 'echo never',
    });
    expect(status, JSON.stringify(body)).toBe(202);
    const runId: string = body.run.id;
    // The store goes away before a worker takes the run: staging its inputs fails (input_error),
    // and so would uploading what it leaves.
    await s3.stop();
    const worker = await start(onTestFinished, { databaseUrl, roles: ['worker'], env });
    const spool = path.join(worker.config.dataDir, 'spool', runId);
    await eventually(
      'run.json to be spooled',
      async () => existsSync(path.join(spool, 'manifest.json')),
      60_000,
    );
    await sleep(2_000);
    // Waiting for the store, not failed for it.
    expect((await api.request('GET', `/runs/${runId}`)).body.state).toBe('staging');
    await s3.restart();

    const run = await api.waitForRun(runId, undefined, 60_000);
    expect(run.state).toBe('failed');
    expect(run.failure.reason).toBe('input_error');
    expect(run.failure.message).not.toContain('could not be delivered');
    const record = JSON.parse((await api.store.getObjectText('early', `${run.results.prefix}run.json`))!);
    expect(record).toMatchObject({ runId, state: 'failed', failure: { reason: 'input_error' } });
    expect(await runsOfJob(api, body.job.id)).toHaveLength(1);
    await eventually('the spool to be emptied', async () => !existsSync(spool));
  });

  it('keeps the build log and run.json of a run whose build fails while the store is away', async ({
    expect,
    onTestFinished,
  }) => {
    const s3 = await ownS3(onTestFinished);
    const service = await start(onTestFinished, {
      env: { S3_ENDPOINT: s3.endpoint, TDS_S3_RETRY_DELAY_MS: '200', TDS_UPLOAD_RETRY_MAX_DELAY_MS: '1000' },
    });
    await service.store.createBucket('early-build');
    const { body } = await service.request('POST', '/jobs', {
      ...jobBody('early-build'),
      s3_bucket: 'early-build',
      linux_dependencies: ['tds-no-such-package'],
      command: 'echo never',
    });
    const runId: string = body.run.id;
    // The package install (apt-get update from Debian's mirror first) takes seconds: the store
    // goes away while the run builds, before the build fails.
    await service.waitForRun(runId, (state) => state === 'building', 120_000);
    await s3.stop();
    const spool = path.join(service.config.dataDir, 'spool', runId);
    await eventually(
      'the build log to be spooled',
      async () => existsSync(path.join(spool, 'manifest.json')),
      120_000,
    );
    await sleep(2_000);
    expect((await service.request('GET', `/runs/${runId}`)).body.state).toBe('building');
    await s3.restart();

    const run = await service.waitForRun(runId, undefined, 60_000);
    expect(run.state).toBe('failed');
    expect(run.failure.reason).toBe('build_error');
    const prefix: string = run.results.prefix;
    expect(await service.store.getObjectText('early-build', `${prefix}build.log`)).toContain(
      'tds-no-such-package',
    );
    const record = JSON.parse((await service.store.getObjectText('early-build', `${prefix}run.json`))!);
    expect(record).toMatchObject({ runId, state: 'failed', failure: { reason: 'build_error' } });
    await eventually('the spool to be emptied', async () => !existsSync(spool));
  });

  it('keeps only what fits in the spool, and says so', async ({ expect, onTestFinished }) => {
    const bucket = await createBucket();
    const service = await start(onTestFinished, { env: { TDS_SPOOL_MAX_BYTES: '300000' } });
    const { body } = await service.request(
      'POST',
      '/jobs',
      jobBody(bucket, {
        command:
          'head -c 200000 /dev/zero > output/a.bin; head -c 200000 /dev/zero > output/b.bin; echo done',
      }),
    );
    const run = await service.waitForRun(body.run.id);
    expect(run.state).toBe('failed');
    expect(run.failure.reason).toBe('limit_exceeded');
    expect(run.failure.message).toContain('TDS_SPOOL_MAX_BYTES');
    const outputs = (await listKeys(bucket, `${run.results.prefix}output/`)).map((k) => path.basename(k));
    expect(outputs).toHaveLength(1);
    expect(await getText(bucket, `${run.results.prefix}stdout.log`)).toBe('done\n');
    const record = JSON.parse((await getText(bucket, `${run.results.prefix}run.json`))!);
    expect(record.outputs.overSpool).toEqual({ files: 1, bytes: 200000, maxBytes: 300000 });
    expect(record.outputs.skipped[0].reason).toMatch(/TDS_SPOOL_MAX_BYTES/);
    // The spool goes after the end is recorded (one a crash leaves between the two is the
    // housekeeping's to deliver again and remove).
    const spool = path.join(service.config.dataDir, 'spool', run.id);
    await eventually("the run's spool to be removed", async () => !existsSync(spool));
  });
});
