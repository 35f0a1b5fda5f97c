import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createBucket, createTestDatabase, eventually, getText, jobBody } from '../support/harness.js';
import { compose, composeImage, dockerSocketGroup } from '../support/compose.js';
import { freePort } from '../support/free-port.js';

/**
 * The service's image (Dockerfile), built as CI builds it (on a Node.js image made from the base
 * image and the Node.js 24 that `npm ci` installed, as there is no registry), and started as an
 * operator starts it on one host: with the deploy files' Compose file (deploy/compose/compose.yaml),
 * its migrate step first. It serves the API, reports healthy (the API's /healthz and the worker's
 * liveness mark), runs as a user without privileges, holds the compiled code only, and runs a job
 * on the engine whose socket it is given.
 */
const root = path.resolve(import.meta.dirname, '../..');
const composeFiles = path.join(root, 'deploy/compose');
const run = promisify(execFile);
const IMAGE = 'tds-service:test';
const docker = new Docker();
const project = `tdsimage${randomBytes(4).toString('hex')}`;
let projectDir: string;
let composeTag: string;
let name: string;
let url: string;

function composeIn(args: string[]) {
  return compose(composeTag, ['--project-name', project, '--project-directory', projectDir, ...args], {
    folders: [composeFiles, projectDir],
    env: { TDS_IMAGE: IMAGE, DOCKER_GID: dockerSocketGroup() },
  });
}

beforeAll(async () => {
  await Promise.all([
    (async () => {
      await run('bash', ['scripts/node-image.sh', 'tds-node:test'], { cwd: root });
      await run('docker', ['build', '-q', '--build-arg', 'NODE_IMAGE=tds-node:test', '-t', IMAGE, '.'], {
        cwd: root,
        maxBuffer: 16 * 1024 * 1024,
      });
    })(),
    composeImage(inject('baseImage')).then((tag) => (composeTag = tag)),
  ]);
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  projectDir = await mkdtemp(path.join(os.tmpdir(), 'tds-compose-'));
  const settings = {
    // The suite's Postgres and S3 listen on this machine's loopback: the container shares its network.
    DATABASE_URL: await createTestDatabase({ migrated: false }),
    TDS_STORAGE: 's3',
    S3_ENDPOINT: inject('s3Endpoint'),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    TDS_BASE_IMAGE: inject('baseImage'),
    TDS_WORKER_ID: project,
    HOST: '127.0.0.1',
    PORT: String(port),
    TDS_RATE_LIMIT_PER_MINUTE: '0',
  };
  await writeFile(
    path.join(projectDir, 'tds.env'),
    Object.entries(settings)
      .map(([key, value]) => `${key}=${value}\n`)
      .join(''),
  );
  // The image's health check every second rather than every 30 s, so the test need not wait.
  await writeFile(
    path.join(projectDir, 'checks.yaml'),
    'services:\n  tds:\n    healthcheck:\n      interval: 1s\n',
  );
  await composeIn([
    '-f',
    path.join(composeFiles, 'compose.yaml'),
    '-f',
    path.join(projectDir, 'checks.yaml'),
    'up',
    '-d',
  ]);
  const [container] = await docker.listContainers({
    filters: { label: [`com.docker.compose.project=${project}`, 'com.docker.compose.service=tds'] },
  });
  if (!container) throw new Error('docker-compose up started no tds container');
  name = container.Names[0]!.replace(/^\//, '');
}, 900_000);

afterAll(async () => {
  if (projectDir)
    await composeIn([
      '-f',
      path.join(composeFiles, 'compose.yaml'),
      'down',
      '--volumes',
      '--timeout',
      '5',
    ]).catch((error: unknown) => console.error(error));
  if (projectDir) await rm(projectDir, { recursive: true, force: true });
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
    // The Compose file's deploy step migrated the empty database before the service started (which,
    // on a database that is behind, refuses to).
    const [migrate] = await docker.listContainers({
      all: true,
      filters: { label: [`com.docker.compose.project=${project}`, 'com.docker.compose.service=migrate'] },
    });
    expect(migrate?.State).toBe('exited');
    expect((await docker.getContainer(migrate!.Id).inspect()).State.ExitCode).toBe(0);
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

  it("reads the split fleet's Compose file: a migrate step, the API, the scheduler, the exporter and a worker", async () => {
    const fleet = path.join(composeFiles, 'fleet.yaml');
    await composeIn(['-f', fleet, 'config', '--quiet']);
    const { stdout } = await composeIn(['-f', fleet, '--profile', 'deploy', 'config', '--services']);
    expect(stdout.split('\n').filter(Boolean).sort()).toEqual([
      'api',
      'exporter',
      'migrate',
      'scheduler',
      'worker',
    ]);
  });
});
