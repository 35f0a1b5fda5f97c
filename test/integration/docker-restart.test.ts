import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createBucket, getText, jobBody, startTestService, type TestService } from '../support/harness.js';

/**
 * A Docker engine restarted under a running job. The restart is done to an engine of the test's
 * own (its own socket and data folder), never to the engine the rest of the suite and the
 * machine's user share; starting one needs root, which CI has.
 */
const asRoot = process.getuid?.() === 0;

let dir: string;
let daemon: ChildProcess | undefined;
const bridge = `tds-br-${randomBytes(3).toString('hex')}`;
let bridgeMade = false;
let engine: Docker;
let service: TestService | undefined;

const run = promisify(execFile);

async function startDaemon(): Promise<void> {
  const log = await open(path.join(dir, 'dockerd.log'), 'a');
  daemon = spawn(
    'dockerd',
    [
      `--host=unix://${path.join(dir, 'docker.sock')}`,
      `--data-root=${path.join(dir, 'data')}`,
      `--exec-root=${path.join(dir, 'exec')}`,
      `--pidfile=${path.join(dir, 'docker.pid')}`,
      // A bridge of its own: an engine started with --bridge=none deletes the host's docker0,
      // cutting off every other engine's containers.
      `--bridge=${bridge}`,
      '--iptables=false',
      '--ip-masq=false',
    ],
    { stdio: ['ignore', log.fd, log.fd] },
  );
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (
      await engine.ping().then(
        () => true,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the test Docker engine did not start');
}

async function stopDaemon(): Promise<void> {
  const child = daemon;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  child.kill('SIGTERM'); // as a service manager stops it: it stops the containers, then exits
  await exited;
}

describe.runIf(asRoot)('a Docker engine that restarts under a running job', () => {
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tds-engine-'));
    await run('ip', ['link', 'add', bridge, 'type', 'bridge']);
    bridgeMade = true;
    await run('ip', ['addr', 'add', '172.29.250.1/24', 'dev', bridge]);
    await run('ip', ['link', 'set', bridge, 'up']);
    engine = new Docker({ socketPath: path.join(dir, 'docker.sock') });
    await startDaemon();
    const base = inject('baseImage');
    const image = await new Docker().getImage(base).get();
    const loading = await engine.loadImage(image);
    await new Promise((resolve, reject) =>
      engine.modem.followProgress(loading, (error: Error | null) => (error ? reject(error) : resolve(null))),
    );
  });

  afterAll(async () => {
    await service?.close();
    await stopDaemon();
    if (bridgeMade) await run('ip', ['link', 'del', bridge]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('fails the run with infra_error, keeps its logs, retries it, and goes on running jobs', async () => {
    service = await startTestService({ env: { DOCKER_HOST: `unix://${path.join(dir, 'docker.sock')}` } });
    const bucket = await createBucket();
    const { body } = await service.request(
      'POST',
      '/jobs',
      jobBody(bucket, { command: 'echo begun; sleep 6; echo done', retry_backoff_seconds: 1 }),
    );
    await service.waitForRun(body.run.id, (s) => s === 'running');
    // Stopped once the command has written its first line (the run is running once the command is
    // let go, a moment before it prints), so that there is a log for the failed run to keep.
    const printedBy = Date.now() + 30_000;
    for (;;) {
      const logs = await service.request('GET', `/runs/${body.run.id}/logs`);
      if (String(logs.body.stdout ?? '').includes('begun')) break;
      if (Date.now() > printedBy) throw new Error('the command printed nothing within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await stopDaemon();
    await startDaemon();

    const first = await service.waitForRun(body.run.id, undefined, 90_000);
    expect(first.state).toBe('failed');
    expect(first.failure.reason).toBe('infra_error');
    expect(first.failure.message).toMatch(/stopped from outside the service \(signal 15/);
    expect(await getText(bucket, `${first.results.prefix}stdout.log`)).toBe('begun\n');

    const deadline = Date.now() + 90_000;
    let retry: { id: string; state: string; results: { prefix: string } } | undefined;
    while (Date.now() < deadline) {
      const { body: job } = await service.request('GET', `/jobs/${body.job.id}`);
      retry = job.runs.find((r: { retryOf: string | null }) => r.retryOf === first.id);
      if (retry && ['succeeded', 'failed'].includes(retry.state)) break;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(retry?.state).toBe('succeeded');
    expect(await getText(bucket, `${retry!.results.prefix}stdout.log`)).toBe('begun\ndone\n');
  });
});
