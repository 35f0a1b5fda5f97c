import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import pg from 'pg';
import { describe, inject, it, type TestContext } from 'vitest';
import { pack } from 'tar-stream';
import { pino } from 'pino';
import { startEmbeddedPostgres } from '../../services/embedded/embedded-postgres.js';
import { DEFAULT_JOB_USER } from '../../src/config.js';
import { packageImageTag } from '../../src/runner/image-builder.js';
import { freePort } from '../support/free-port.js';
import { startOwnS3 } from '../support/own-s3.js';
import {
  createBucket,
  createTestDatabase,
  eventually,
  getText,
  jobBody,
  startTestService,
  uniqueName,
  type TestService,
} from '../support/harness.js';

const docker = new Docker();

/** A test's `onTestFinished`: what it is given runs when that test ends, last given first. */
type Finished = TestContext['onTestFinished'];

/**
 * A service of the test's own (its own database unless given one), closed when the test ends: the
 * tests of this file run at once, each on its own database, services, runs and S3 servers, and each
 * waits on its own runs' states, so none depends on another's timing. They wait with the suite's
 * patience (150 s, as `waitForRun`): side by side, a 200 MB upload or a package build takes longer
 * than alone, and how long is no part of what a test proves.
 */
async function start(finished: Finished, options: Parameters<typeof startTestService>[0] = {}) {
  const service = await startTestService(options);
  finished(() => service.close().catch(() => undefined));
  return service;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const states = (run: { history: { state: string }[] }) => run.history.map((e) => e.state);

async function runsOfJob(service: TestService, jobId: string) {
  return service.db.query<{
    id: string;
    state: string;
    attempt: number;
    retry_of: string | null;
    trigger: string;
    failure_reason: string | null;
    failure_message: string | null;
    finished_at: Date | null;
    not_before: Date | null;
    results_prefix: string;
  }>('SELECT * FROM runs WHERE job_id = $1::uuid ORDER BY attempt', [jobId]);
}

async function untilRuns(
  service: TestService,
  jobId: string,
  done: (runs: Awaited<ReturnType<typeof runsOfJob>>) => boolean,
) {
  const deadline = Date.now() + 150_000; // the suite's patience, as waitForRun's
  while (Date.now() < deadline) {
    const runs = await runsOfJob(service, jobId);
    if (done(runs)) return runs;
    await sleep(200);
  }
  throw new Error(
    `runs of ${jobId} did not reach the expected state: ${JSON.stringify(await runsOfJob(service, jobId))}`,
  );
}

const ended = (state: string) => ['succeeded', 'failed', 'cancelled', 'timed_out'].includes(state);

describe.concurrent('retries', () => {
  it('retries a run whose container vanished (infra_error) as a new linked attempt, after its backoff', async ({
    expect,
    onTestFinished,
  }) => {
    const service = await start(onTestFinished);
    const bucket = await createBucket();
    const { body } = await service.request(
      'POST',
      '/jobs',
      jobBody(bucket, { command: 'echo begun; sleep 3; echo done', retry_backoff_seconds: 1 }),
    );
    const first = await service.waitForRun(body.run.id, (s) => s === 'running');
    await docker
      .getContainer(
        (
          await service.db.query<{ c: string }>('SELECT container_id AS c FROM runs WHERE id = $1::uuid', [
            first.id,
          ])
        )[0]!.c,
      )
      .remove({ force: true });

    const runs = await untilRuns(service, body.job.id, (r) => r.length === 2 && ended(r[1]!.state));
    expect(runs[0]).toMatchObject({ state: 'failed', failure_reason: 'infra_error', attempt: 1 });
    expect(runs[0]!.failure_message).toMatch(/disappeared/);
    expect(runs[1]).toMatchObject({ state: 'succeeded', attempt: 2, retry_of: first.id, trigger: 'retry' });
    expect(runs[1]!.not_before!.getTime() - runs[0]!.finished_at!.getTime()).toBeGreaterThanOrEqual(900);
    expect(runs[1]!.results_prefix).not.toBe(runs[0]!.results_prefix);
    expect(await getText(bucket, `${runs[1]!.results_prefix}stdout.log`)).toBe('begun\ndone\n');
    const view = (await service.request('GET', `/runs/${runs[1]!.id}`)).body;
    expect(view).toMatchObject({ attempt: 2, retryOf: first.id, trigger: 'retry' });
  });

  it('retries a non-zero exit when asked, up to max_attempts, doubling the backoff', async ({
    expect,
    onTestFinished,
  }) => {
    const service = await start(onTestFinished);
    const bucket = await createBucket();
    const { body } = await service.request(
      'POST',
      '/jobs',
      jobBody(bucket, {
        command: 'exit 7',
        max_attempts: 3,
        retry_on_exit_code: true,
        retry_backoff_seconds: 1,
      }),
    );
    const runs = await untilRuns(service, body.job.id, (r) => r.length === 3 && ended(r[2]!.state));
    await sleep(1500);
    expect((await runsOfJob(service, body.job.id)).length).toBe(3);
    expect(runs.map((r) => [r.attempt, r.state, r.failure_reason])).toEqual([
      [1, 'failed', 'exit_code'],
      [2, 'failed', 'exit_code'],
      [3, 'failed', 'exit_code'],
    ]);
    const wait = (i: number) => runs[i]!.not_before!.getTime() - runs[i - 1]!.finished_at!.getTime();
    expect(wait(1)).toBeGreaterThanOrEqual(900);
    expect(wait(2)).toBeGreaterThanOrEqual(1900);
  });

  it('does not retry a failing command unless asked', async ({ expect, onTestFinished }) => {
    const service = await start(onTestFinished);
    const bucket = await createBucket();
    const { body } = await service.request('POST', '/jobs', jobBody(bucket, { command: 'exit 1' }));
    await service.waitForRun(body.run.id);
    await sleep(1000);
    expect((await runsOfJob(service, body.job.id)).length).toBe(1);
  });
});

describe.concurrent('a worker that stops heartbeating', () => {
  it('has its running container adopted by another worker once its lease lapses', async ({
    expect,
    onTestFinished,
  }) => {
    const databaseUrl = await createTestDatabase();
    // A lease long enough that no renewal of a loaded machine comes near it: with a shorter one, a
    // heartbeat held up past the lease less a reconcile interval (1.2 s of 1.5) makes the first
    // worker fence its run, rightly, and the run is then run again rather than adopted.
    const env = { TDS_LEASE_MS: '4000' };
    const lapsing = uniqueName('lapsing');
    const first = await start(onTestFinished, { databaseUrl, workerId: lapsing, env });
    const bucket = await createBucket();
    const { body } = await first.request(
      'POST',
      '/jobs',
      jobBody(bucket, { command: 'echo begun; sleep 4; echo adopted' }),
    );
    await first.waitForRun(body.run.id, (s) => s === 'running');
    await first.close(); // its heartbeats stop; the container goes on

    const heir = uniqueName('heir');
    const second = await start(onTestFinished, { databaseUrl, workerId: heir, env });
    const run = await second.waitForRun(body.run.id);
    expect(run.state).toBe('succeeded');
    expect(run.workerId).toBe(heir);
    expect(
      run.history.some((e: { detail: { takenOverBy?: string } | null }) => e.detail?.takenOverBy === heir),
    ).toBe(true);
    expect(await getText(bucket, `${run.results.prefix}stdout.log`)).toBe('begun\nadopted\n');
    // run.json names every worker that held the run, and its host.
    const record = JSON.parse((await getText(bucket, `${run.results.prefix}run.json`))!);
    expect(record.workers).toEqual([
      { workerId: lapsing, host: os.hostname(), how: 'claimed', at: expect.any(String) },
      { workerId: heir, host: os.hostname(), how: 'took over', at: expect.any(String) },
    ]);
    const starts = run.history.filter(
      (e: { state: string; detail: { containerId?: string } | null }) =>
        e.state === 'running' && e.detail?.containerId,
    );
    expect(starts).toHaveLength(1);
    await eventually(
      'the container to be removed',
      async () =>
        (await docker.listContainers({ all: true, filters: { label: [`tds.run-id=${run.id}`] } })).length ===
        0,
    );
  });

  it('has its staging run requeued, and a run whose container is gone failed and retried', async ({
    expect,
    onTestFinished,
  }) => {
    const databaseUrl = await createTestDatabase();
    const api = await start(onTestFinished, { databaseUrl, roles: ['api'] });
    const bucket = await createBucket();
    const staging = (await api.request('POST', '/jobs', jobBody(bucket, { command: 'echo requeued' }))).body;
    const lost = (
      await api.request(
        'POST',
        '/jobs',
        jobBody(bucket, { command: 'echo retried', retry_backoff_seconds: 1 }),
      )
    ).body;
    await api.db.query(
      `UPDATE runs SET state = 'staging', worker_id = 'dead-worker', heartbeat_at = now() - interval '1 hour' WHERE id = $1::uuid`,
      [staging.run.id],
    );
    await api.db.query(
      `UPDATE runs SET state = 'running', worker_id = 'dead-worker', container_id = 'no-such-container',
         heartbeat_at = now() - interval '1 hour', started_at = now() - interval '1 hour' WHERE id = $1::uuid`,
      [lost.run.id],
    );

    // Fencing is fencing.test.ts's: a heartbeat held up on a loaded machine must not make this worker stop its run.
    const worker = await start(onTestFinished, {
      databaseUrl,
      env: { TDS_LEASE_MS: '1500', TDS_FENCE_MS: '0' },
    });
    const requeued = await worker.waitForRun(staging.run.id);
    expect(requeued.state).toBe('succeeded');
    expect(states(requeued)).toEqual([
      'queued',
      'staging',
      'queued',
      'staging',
      'building',
      'running',
      'uploading',
      'succeeded',
    ]);

    const failed = await worker.waitForRun(lost.run.id);
    expect(failed.state).toBe('failed');
    expect(failed.failure).toMatchObject({ reason: 'infra_error' });
    expect(failed.failure.message).toMatch(/dead-worker stopped heartbeating/);
    const runs = await untilRuns(worker, lost.job.id, (r) => r.length === 2 && ended(r[1]!.state));
    expect(runs[1]).toMatchObject({ state: 'succeeded', attempt: 2, retry_of: lost.run.id });
  });
});

/**
 * The suite's base image under a tag of its own, with a label that makes it an image of its own:
 * no build cache holds a layer on it. It goes, with the package image built on it, after the test.
 */
async function freshBaseImage(finished: Finished): Promise<string> {
  const tag = `tds-test-base:${randomBytes(6).toString('hex')}`;
  const context = pack();
  context.entry(
    { name: 'Dockerfile' },
    `FROM ${inject('baseImage')}\nLABEL tds.test.fresh=${tag.split(':')[1]}\n`,
  );
  context.finalize();
  const stream = await docker.buildImage(context as unknown as NodeJS.ReadableStream, { t: tag });
  await new Promise((resolve, reject) =>
    docker.modem.followProgress(stream, (error, output) => (error ? reject(error) : resolve(output))),
  );
  const id = (await docker.getImage(tag).inspect()).Id;
  const packages = await packageImageTag(id, ['jq'], DEFAULT_JOB_USER);
  finished(async () => {
    await docker
      .getImage(packages)
      .remove({ force: true })
      .catch(() => undefined);
    await docker.getImage(tag).remove({ force: true });
  });
  return tag;
}

describe.concurrent('shutting down', () => {
  it('hands a run it is still building back to the queue, and another worker finishes it', async ({
    expect,
    onTestFinished,
  }) => {
    const databaseUrl = await createTestDatabase();
    const first = await start(onTestFinished, { databaseUrl, env: { TDS_SHUTDOWN_GRACE_MS: '0' } });
    const bucket = await createBucket();
    // A base image no run has used, so its package image is built afresh (apt-get installs jq) and
    // the run stays in `building` for a while, whatever other files, side by side or in an earlier
    // run of the suite, have built.
    const baseImage = await freshBaseImage(onTestFinished);
    const { body } = await first.request(
      'POST',
      '/jobs',
      jobBody(bucket, { command: 'jq --version', linux_dependencies: ['jq'], base_image: baseImage }),
    );
    await first.waitForRun(body.run.id, (s) => s === 'building');
    await first.close();
    const afterStop = (await first.db.query('SELECT 1').catch(() => undefined)) ?? null;
    expect(afterStop).toBeNull(); // the first service is gone
    const second = await start(onTestFinished, { databaseUrl });
    const run = await second.waitForRun(body.run.id, undefined, 150_000);
    expect(run.state).toBe('succeeded');
    const history = states(run);
    expect(history.slice(0, 4)).toEqual(['queued', 'staging', 'building', 'queued']);
    expect(await getText(bucket, `${run.results.prefix}stdout.log`)).toMatch(/^jq-/);
  });
});

describe.concurrent('faults in the parts around the service', () => {
  it('carries on after its database connections are terminated', async ({ expect, onTestFinished }) => {
    const databaseUrl = await createTestDatabase();
    const service = await start(onTestFinished, { databaseUrl });
    const bucket = await createBucket();
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    const killed = await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    await admin.end();
    expect(killed.rowCount).toBeGreaterThan(0);
    let posted = await service.request('POST', '/jobs', jobBody(bucket, { command: 'echo still here' }));
    if (posted.status === 500)
      posted = await service.request('POST', '/jobs', jobBody(bucket, { command: 'echo still here' }));
    expect(posted.status).toBe(202);
    const run = await service.waitForRun(posted.body.run.id);
    expect(run.state).toBe('succeeded');
  });

  async function ownS3(finished: Finished) {
    const s3 = await startOwnS3();
    finished(() => s3.close().catch(() => undefined));
    return s3;
  }

  it('retries staging while S3 is down, and runs once it is back', async ({ expect, onTestFinished }) => {
    const s3 = await ownS3(onTestFinished);
    const databaseUrl = await createTestDatabase();
    const env = { S3_ENDPOINT: s3.endpoint, TDS_S3_ATTEMPTS: '8', TDS_S3_RETRY_DELAY_MS: '300' };
    const api = await start(onTestFinished, { databaseUrl, roles: ['api'], env });
    await api.store.createBucket('staging-outage');
    await api.store.putObject('staging-outage', 'in/data.txt', 'staged after the outage');
    const { body } = await api.request('POST', '/jobs', {
      ...jobBody('staging-outage'),
      s3_bucket: 'staging-outage',
      source_s3_prefix: 'in',
      command: 'cat input/data.txt',
    });
    await s3.stop();
    const worker = await start(onTestFinished, { databaseUrl, env });
    await worker.waitForRun(body.run.id, (s) => s === 'staging');
    await sleep(2000);
    await s3.restart();
    const run = await worker.waitForRun(body.run.id);
    expect(run.state).toBe('succeeded');
    expect(await worker.store.getObjectText('staging-outage', `${run.results.prefix}stdout.log`)).toBe(
      'staged after the outage',
    );
  });

  it('carries on after Postgres restarts', async ({ expect, onTestFinished }) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tds-pg-restart-'));
    await chmod(dir, 0o755);
    const port = await freePort();
    const logger = pino({ level: 'silent' });
    let postgres = await startEmbeddedPostgres(path.join(dir, 'postgres'), port, logger);
    onTestFinished(async () => {
      await postgres.stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    });
    // A Postgres of its own, new: the service migrates it as it starts, as on the embedded defaults.
    const service = await start(onTestFinished, { databaseUrl: postgres.url, env: { TDS_MIGRATE: 'auto' } });
    const bucket = await createBucket();
    const before = await service.request(
      'POST',
      '/jobs',
      jobBody(bucket, { command: 'sleep 3; echo first' }),
    );
    await service.waitForRun(before.body.run.id, (s) => s === 'running');
    await postgres.stop();
    await sleep(1000);
    postgres = await startEmbeddedPostgres(path.join(dir, 'postgres'), port, logger);

    const first = await service.waitForRun(before.body.run.id);
    expect(first.state).toBe('succeeded');
    expect(await getText(bucket, `${first.results.prefix}stdout.log`)).toBe('first\n');
    let after = await service.request('POST', '/jobs', jobBody(bucket, { command: 'echo second' }));
    if (after.status === 500)
      after = await service.request('POST', '/jobs', jobBody(bucket, { command: 'echo second' }));
    expect(after.status).toBe(202);
    expect((await service.waitForRun(after.body.run.id)).state).toBe('succeeded');
  });

  it('retries uploads while S3 is down, and delivers once it is back', async ({ expect, onTestFinished }) => {
    const s3 = await ownS3(onTestFinished);
    const service = await start(onTestFinished, {
      env: { S3_ENDPOINT: s3.endpoint, TDS_S3_ATTEMPTS: '8', TDS_S3_RETRY_DELAY_MS: '300' },
    });
    await service.store.createBucket('outage');
    const { body } = await service.request('POST', '/jobs', {
      ...jobBody('outage'),
      s3_bucket: 'outage',
      command: 'echo survived; sleep 2',
    });
    await service.waitForRun(body.run.id, (s) => s === 'running');
    await s3.stop();
    await service.waitForRun(body.run.id, (s) => s === 'uploading');
    await sleep(1500);
    await s3.restart();
    const run = await service.waitForRun(body.run.id);
    expect(run.state).toBe('succeeded');
    expect(await service.store.getObjectText('outage', `${run.results.prefix}stdout.log`)).toBe('survived\n');
  });

  it('fails with upload_error when S3 stays down past the patience, keeps the results, and runs nothing again', async ({
    expect,
    onTestFinished,
  }) => {
    const s3 = await ownS3(onTestFinished);
    const service = await start(onTestFinished, {
      env: {
        S3_ENDPOINT: s3.endpoint,
        TDS_S3_RETRY_DELAY_MS: '100',
        TDS_UPLOAD_PATIENCE_SECONDS: '2',
        TDS_SHUTDOWN_GRACE_MS: '0',
      },
    });
    await service.store.createBucket('gone');
    const { body } = await service.request('POST', '/jobs', {
      ...jobBody('gone', { max_attempts: 3 }),
      s3_bucket: 'gone',
      command: 'echo kept; sleep 2',
    });
    await service.waitForRun(body.run.id, (s) => s === 'running');
    await s3.stop();
    const run = await service.waitForRun(body.run.id);
    expect(run.state).toBe('failed');
    expect(run.failure.reason).toBe('upload_error');
    const kept = path.join(service.config.dataDir, 'spool', run.id);
    expect(run.failure.message).toContain(kept);
    expect(run.failure.message).toMatch(/stdout\.log, stderr\.log, metrics\.csv, metrics\.json, run\.json/);
    expect(JSON.parse(await readFile(path.join(kept, 'manifest.json'), 'utf8')).gaveUp).toBeTruthy();
    // The command ran; only its delivery failed: no retry runs it again.
    await sleep(500);
    expect(await runsOfJob(service, body.job.id)).toHaveLength(1);
  });
});

// Alone, after the others: it moves 200 MB twice (the first worker's upload, cut short, then the
// heir's), which side by side with the eleven others outlasts the suite's patience on a busy machine.
describe('a worker that stops heartbeating', () => {
  it('stops collecting results once its run has been taken over, and the new owner finishes it', async ({
    expect,
    onTestFinished,
  }) => {
    const databaseUrl = await createTestDatabase();
    const first = await start(onTestFinished, { databaseUrl });
    const bucket = await createBucket();
    const { body } = await first.request(
      'POST',
      '/jobs',
      jobBody(bucket, { command: 'head -c 209715200 /dev/zero > output/big.bin; echo written' }),
    );
    await first.waitForRun(body.run.id, (s) => s === 'uploading');
    const heir = uniqueName('heir');
    await first.db.query('UPDATE runs SET worker_id = $2 WHERE id = $1::uuid', [body.run.id, heir]);
    await sleep(4000);
    const [held] = await first.db.query<{ state: string; worker_id: string }>(
      'SELECT state, worker_id FROM runs WHERE id = $1::uuid',
      [body.run.id],
    );
    expect(held).toEqual({ state: 'uploading', worker_id: heir });

    const second = await start(onTestFinished, { databaseUrl, workerId: heir });
    const run = await second.waitForRun(body.run.id);
    expect(run.state).toBe('succeeded');
    expect(await getText(bucket, `${run.results.prefix}stdout.log`)).toBe('written\n');
  });
});
