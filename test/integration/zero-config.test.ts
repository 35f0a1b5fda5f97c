import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';

const root = path.resolve(import.meta.dirname, '../..');
const children: ChildProcess[] = [];
const dirs: string[] = [];

/**
 * The build `npm start` runs first (its `prestart`): the first case runs `npm start` whole, as a
 * user would, and its build serves the other cases, which start the service it built with
 * `npm start --ignore-scripts` (npm then skips `prestart`, nothing else). A case run alone builds
 * here first, so no case starts a build older than the code.
 */
let built: Promise<void> | undefined;

function buildOnce(): Promise<void> {
  built ??= new Promise<void>((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'build'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`npm run build: ${code}\n${stderr}`)),
    );
  });
  return built;
}

/**
 * Starts `npm start` as a user would, with only a data folder and ports chosen; `build: false`
 * starts what `buildOnce` built instead of building again.
 */
async function startCommand(env: Record<string, string>, { build = true } = {}) {
  if (!build) await buildOnce();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tds-zero-'));
  await chmod(dataDir, 0o755);
  dirs.push(dataDir);
  const child = spawn('npm', ['start', '--silent', ...(build ? [] : ['--ignore-scripts'])], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', TDS_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, signalled as a terminal's Ctrl-C would
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const stopped = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, exited, stopped, dataDir, output: () => ({ stdout, stderr }) };
}

async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 60_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

afterAll(async () => {
  for (const child of children) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('npm start with no configuration', () => {
  it('starts embedded Postgres and S3, runs a job, and stops cleanly on SIGTERM', async () => {
    const [port, pgPort, s3Port] = [await freePort(), await freePort(), await freePort()];
    const service = await startCommand({
      PORT: String(port),
      TDS_PG_PORT: String(pgPort),
      TDS_S3_PORT: String(s3Port),
      TDS_BASE_IMAGE: process.env.TDS_BASE_IMAGE || 'debian:bookworm-slim',
    });
    // npm start builds first (tsc, then the dashboard, whose size check prints the build's last
    // line): its time follows the machine's load, so it has a bound of its own, and the service's
    // start-up keeps its minute.
    await until(
      "npm start's build",
      () => (/^dashboard: .* \(budget /m.test(service.output().stdout) ? true : undefined),
      300_000,
    );
    built ??= Promise.resolve(); // the other cases start what this build made
    const banner = await until('the start-up banner', () => {
      const { stdout } = service.output();
      return stdout.includes('Task Deploy Service is up.') ? stdout : undefined;
    });
    const api = `http://127.0.0.1:${port}`;
    const s3Endpoint = `http://127.0.0.1:${s3Port}`;
    expect(banner).toContain(`API          ${api}`);
    expect(banner).toContain(
      `AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER aws --endpoint-url ${s3Endpoint} s3 ls`,
    );
    expect(banner).toContain(`postgres://postgres:postgres@127.0.0.1:${pgPort}/tds   (embedded)`);
    // npm start runs on the Node.js the suite runs on, the one package-lock.json pins
    // (test/unit/node-version.test.ts), and says so; the AWS SDK has no Node.js version to warn of.
    expect(banner).toContain(`Node.js      ${process.version}`);

    const health = await fetch(`${api}/healthz`);
    expect(health.status).toBe(200);

    // Secrets work with no configuration: their key is made in the data folder, for its owner only.
    const secret = await fetch(`${api}/secrets/GREETING?userId=akhil-test`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: 'zero-config-s3cret' }),
    });
    expect(secret.status).toBe(201);
    expect((await stat(path.join(service.dataDir, 'secrets.key'))).mode & 0o777).toBe(0o600);

    // What the README's example does with the AWS CLI, done with the SDK against the embedded S3.
    const s3 = new S3Client({
      endpoint: s3Endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'ccbd-hw2-frontend' }));
    await s3.send(new PutObjectCommand({ Bucket: 'ccbd-hw2-frontend', Key: 'in/name.txt', Body: 'world' }));
    const posted = await fetch(`${api}/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        userId: 'akhil-test',
        uniqueId: 'akhil-test-uid',
        s3_bucket: 'ccbd-hw2-frontend',
        source_s3_prefix: 'in',
        destination_s3_prefix: '/out/',
        command: 'echo "hello $(cat input/name.txt)" | tee output/greeting.txt',
        linux_dependencies: [],
      }),
    });
    expect(posted.status).toBe(202);
    const { run } = (await posted.json()) as { run: { id: string } };
    const ended = await until('the run to end', async () => {
      const body = (await (await fetch(`${api}/runs/${run.id}`)).json()) as { state: string };
      return ['succeeded', 'failed', 'cancelled', 'timed_out'].includes(body.state) ? body : undefined;
    });
    expect(ended.state).toBe('succeeded');
    const greeting = await s3.send(
      new GetObjectCommand({
        Bucket: 'ccbd-hw2-frontend',
        Key: `out/akhil-test-uid/${run.id}/output/greeting.txt`,
      }),
    );
    expect(await greeting.Body?.transformToString()).toBe('hello world\n');

    process.kill(-service.child.pid!, 'SIGTERM');
    await service.stopped;
    await until(
      'the API and the embedded Postgres to stop',
      async () => {
        const [apiOpen, pgOpen] = await Promise.all([isListening(port), isListening(pgPort)]);
        return !apiOpen && !pgOpen ? true : undefined;
      },
      15_000,
    );
    expect(service.output().stderr).not.toMatch(/error/i);
    expect(service.output().stderr).not.toMatch(/NodeVersionSupportWarning|upgrade to node/);
  }, 480_000); // the build's five minutes, and the suite's three for the rest

  it('says clearly, and exits, when no Docker engine answers', async () => {
    const [port, pgPort, s3Port] = [await freePort(), await freePort(), await freePort()];
    const service = await startCommand(
      {
        PORT: String(port),
        TDS_PG_PORT: String(pgPort),
        TDS_S3_PORT: String(s3Port),
        DOCKER_HOST: 'unix:///nonexistent/docker.sock',
      },
      { build: false },
    );
    expect(await service.exited).toBe(1);
    const { stderr } = service.output();
    expect(stderr).toContain('No Docker engine answered at unix:///nonexistent/docker.sock');
    expect(stderr).toContain('set DOCKER_HOST');
  });

  it('says which port is taken, and exits, stopping the embedded Postgres it started', async () => {
    const [port, pgPort, s3Port] = [await freePort(), await freePort(), await freePort()];
    // Another program holds the embedded S3 server's port.
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(s3Port, '127.0.0.1', resolve));
    try {
      const service = await startCommand(
        {
          PORT: String(port),
          TDS_PG_PORT: String(pgPort),
          TDS_S3_PORT: String(s3Port),
        },
        { build: false },
      );
      expect(await service.exited).toBe(1);
      const { stderr } = service.output();
      expect(stderr).toContain(
        `Cannot start: The embedded S3 server cannot listen on 127.0.0.1:${s3Port}: the port is in use`,
      );
      expect(stderr).toContain('set TDS_S3_PORT to a free port');
      expect(stderr).not.toContain('Unhandled');
      expect(await isListening(pgPort)).toBe(false);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('refuses a bad setting with the variable named', async () => {
    const service = await startCommand({ PORT: 'eighty' }, { build: false });
    expect(await service.exited).toBe(2);
    expect(service.output().stderr).toContain('PORT must be a whole number from 0 to 65535, got "eighty"');
  });

  it('refuses a yes-or-no setting it does not understand in one line naming the setting and what it takes', async () => {
    // Before, anything but "true" was read as false: TDS_WEBHOOK_ALLOW_PRIVATE=1 said no in silence.
    const service = await startCommand(
      {
        TDS_WEBHOOK_ALLOW_PRIVATE: 'allow',
        PORT: String(await freePort()),
      },
      { build: false },
    );
    expect(await service.exited).toBe(2);
    const { stdout, stderr } = service.output();
    expect(stderr.trim().split('\n')).toEqual([
      'Configuration error: TDS_WEBHOOK_ALLOW_PRIVATE must be true or false (also 1 or 0, yes or no, in any case), got "allow"',
    ]);
    expect(stdout).not.toContain('Task Deploy Service is up');
  });
});
