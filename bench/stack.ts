import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../services/aws/s3-object-store.js';
import { signalAndWait, waitForOutput } from '../test/support/child-process.js';
import { freePort } from '../test/support/free-port.js';
import { benchDatabase, type BenchDatabase } from './support.js';

const root = path.resolve(import.meta.dirname, '..');
export const BASE_IMAGE = process.env.TDS_BASE_IMAGE || 'debian:bookworm-slim';
export const S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** The parts the service runs against: an embedded Postgres and an S3-compatible server. */
export interface BenchStack {
  database: BenchDatabase;
  s3Endpoint: string;
  s3: S3Client;
  dir: string;
  createBucket(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(): Promise<BenchStack> {
  const database = await benchDatabase();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tds-bench-stack-'));
  await chmod(dir, 0o755);
  const s3Server = await startS3Process(path.join(dir, 's3'));
  const s3 = createS3Client({
    endpoint: s3Server.endpoint,
    forcePathStyle: true,
    credentials: S3_CREDENTIALS,
  });
  return {
    database,
    s3Endpoint: s3Server.endpoint,
    s3,
    dir,
    async createBucket(name) {
      await s3.send(new CreateBucketCommand({ Bucket: name }));
    },
    async close() {
      s3.destroy();
      await s3Server.stop();
      await database.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The S3-compatible server in a process of its own (bench/s3-server.ts). */
async function startS3Process(dir: string): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'bench', 's3-server.ts'), dir, String(await freePort())],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const [, endpoint] = await waitForOutput(child, 'the S3 server', /ready (\S+)/);
  return { endpoint: endpoint!, stop: () => signalAndWait(child, 'SIGTERM') };
}

/** The service in a process of its own, started as `npm start` starts it. */
export interface ServiceProcess {
  child: ChildProcess;
  pid: number;
  apiUrl: string;
  stop(): Promise<void>;
}

let prestartDone = false;

/**
 * What `npm start` runs: package.json's prestart script (the build) first, then its start script
 * (`NAME=value …` settings, then `node` and its arguments), so that the benchmarks measure the
 * service as it is started.
 */
async function startCommand(): Promise<{ env: Record<string, string>; args: string[] }> {
  const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as {
    scripts: { start: string; prestart?: string };
  };
  // What npm runs before the start script (the build), once per benchmark process.
  if (pkg.scripts.prestart && !prestartDone) {
    execFileSync('npm', ['run', '--silent', 'prestart'], { cwd: root, stdio: 'inherit' });
    prestartDone = true;
  }
  const words = pkg.scripts.start.trim().split(/\s+/);
  const env: Record<string, string> = {};
  while (words[0]?.includes('=')) {
    const [name, value] = words.shift()!.split('=', 2) as [string, string];
    env[name] = value;
  }
  if (words.shift() !== 'node') throw new Error(`npm start does not run node: "${pkg.scripts.start}"`);
  return { env, args: words };
}

export async function startServiceProcess(
  stack: BenchStack,
  env: Record<string, string> = {},
  /** A command the service runs under, which execs it: one entering a host's network namespace. */
  launcher: string[] = [],
): Promise<ServiceProcess> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tds-bench-service-'));
  await chmod(dataDir, 0o755);
  const port = await freePort();
  // TDS_BENCH_PROFILE=<folder>: the service writes a V8 CPU profile there when it stops.
  const profile = process.env.TDS_BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.TDS_BENCH_PROFILE)}`]
    : [];
  const start = await startCommand();
  const [command, ...args] = [...launcher, process.execPath, ...profile, ...start.args];
  const child = spawn(command!, args, {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      PORT: String(port),
      DATABASE_URL: stack.database.url,
      TDS_STORAGE: 's3',
      S3_ENDPOINT: stack.s3Endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey,
      TDS_BASE_IMAGE: BASE_IMAGE,
      TDS_DATA_DIR: dataDir,
      TDS_WORKER_ID: `bench-${process.pid}`,
      LOG_LEVEL: process.env.TDS_BENCH_SERVICE_LOG ?? 'warn',
      // The benchmarks drive the API far past a per-client limit meant for people.
      TDS_RATE_LIMIT_PER_MINUTE: '0',
      ...start.env,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (process.env.TDS_BENCH_SERVICE_LOG) child.stdout!.pipe(process.stderr);
  await waitForOutput(child, 'the service', /Task Deploy Service is up\./);
  return {
    child,
    pid: child.pid!,
    apiUrl: `http://127.0.0.1:${port}`,
    async stop() {
      await signalAndWait(child, 'SIGTERM');
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A JSON request to the service's API. */
export async function api<T = Record<string, unknown>>(
  apiUrl: string,
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${apiUrl}${url}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}
