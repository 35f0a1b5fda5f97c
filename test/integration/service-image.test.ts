import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createBucket, createTestDatabase, eventually, getText, jobBody } from '../support/harness.js';
import { freePort } from '../support/free-port.js';

/**
 * The service's image (Dockerfile), built as CI builds it (on a Node.js image made from the base
 * image and the Node.js 24 that `npm ci` installed, as there is no registry) and started once: it serves the API,
 * reports healthy, runs as a user without privileges, holds the compiled code only, and runs a job
 * on the engine whose socket it is given.
 */
const root = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const IMAGE = 'tds-service:test';
const docker = new Docker();
const name = `tds-image-test-${randomBytes(4).toString('hex')}`;
let url: string;

beforeAll(async () => {
  await run('bash', ['scripts/node-image.sh', 'tds-node:test'], { cwd: root });
  await run('docker', ['build', '-q', '--build-arg', 'NODE_IMAGE=tds-node:test', '-t', IMAGE, '.'], {
    cwd: root,
    maxBuffer: 16 * 1024 * 1024,
  });
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  const socket = '/var/run/docker.sock';
  const env = {
    // The suite's Postgres and S3 listen on this machine's loopback: the container shares its network.
    DATABASE_URL: await createTestDatabase(),
    TDS_STORAGE: 's3',
    S3_ENDPOINT: inject('s3Endpoint'),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    TDS_BASE_IMAGE: inject('baseImage'),
    TDS_ROLES: 'api,worker',
    TDS_WORKER_ID: name,
    HOST: '127.0.0.1',
    PORT: String(port),
    TDS_RATE_LIMIT_PER_MINUTE: '0',
  };
  await run('docker', [
    'run',
    '-d',
    '--name',
    name,
    '--network',
    'host',
    '-v',
    `${socket}:${socket}`,
    '--group-add',
    String(statSync(socket).gid),
    '--health-interval=1s',
    ...Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]),
    IMAGE,
  ]);
}, 600_000);

afterAll(async () => {
  await docker
    .getContainer(name)
    .remove({ force: true })
    .catch(() => undefined);
});

describe('the service image', () => {
  it('starts, reports healthy, and runs as a user without privileges from the compiled code only', async () => {
    const container = docker.getContainer(name);
    await eventually(
      'the container to be healthy',
      async () => {
        const state = (await container.inspect()).State;
        if (!state.Running) throw new Error(`the container stopped: ${JSON.stringify(state)}`);
        return state.Health?.Status === 'healthy';
      },
      60_000,
    );
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    // The dashboard is built into the image and served at /.
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script');

    const inspected = await docker.getImage(IMAGE).inspect();
    expect(inspected.Config.User).toBe('tds');
    expect(inspected.Config.Healthcheck?.Test).toEqual(['CMD', 'node', 'dist/src/healthcheck.js']);
    const { stdout } = await run('docker', ['exec', name, 'sh', '-c', 'id -u; ls /app; ls /app/dist']);
    expect(stdout.split('\n').filter(Boolean)).toEqual([
      '10001',
      'dashboard',
      'dist',
      'node_modules',
      'package.json',
      'migrations',
      'services',
      'src',
    ]);
    const sources = await run('docker', ['exec', name, 'sh', '-c', 'find /app/dist -name "*.ts" | head -1']);
    expect(sources.stdout).toBe('');
    // It runs on the image's Node.js 24 (here the one package-lock.json pins, copied in by
    // scripts/node-image.sh), and leaves out the copy `npm ci` installs in node_modules.
    const logs = await run('docker', ['logs', name]);
    expect(logs.stdout).toMatch(/^ {2}Node\.js {6}v24\.\d+\.\d+$/m);
    const pinned = await run('docker', [
      'exec',
      name,
      'sh',
      '-c',
      'ls node_modules | grep -c "^node-linux-" || true',
    ]);
    expect(pinned.stdout.trim()).toBe('0');
  });

  it('runs a job to the end, results in S3', async () => {
    const bucket = await createBucket();
    const submitted = await fetch(`${url}/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(jobBody(bucket, { command: 'echo from the image' })),
    });
    expect(submitted.status).toBe(202);
    const { run: queued } = (await submitted.json()) as { run: { id: string } };
    let ended: { state: string; results: { prefix: string } } | undefined;
    await eventually(
      'the run to end',
      async () => {
        ended = (await (await fetch(`${url}/runs/${queued.id}`)).json()) as typeof ended;
        return ['succeeded', 'failed', 'cancelled', 'timed_out'].includes(ended!.state);
      },
      120_000,
    );
    expect(ended!.state).toBe('succeeded');
    expect(await getText(bucket, `${ended!.results.prefix}stdout.log`)).toBe('from the image\n');
  });
});
