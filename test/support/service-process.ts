import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { signalAndWait, waitForOutput } from './child-process.js';
import { databaseEnv } from './database-driver.js';

const root = path.resolve(import.meta.dirname, '../..');

export interface ServiceProcess {
  child: ChildProcess;
  dataDir: string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * The service in a process of its own (as on another host), against the suite's Postgres
 * database, S3 server and Docker engine; resolves once it has printed that it is up.
 */
export async function startServiceProcess(
  databaseUrl: string,
  env: Record<string, string>,
  dataDir?: string,
  /** A command the service is run under, e.g. one entering another network namespace. */
  launcher: string[] = [],
): Promise<ServiceProcess> {
  const dir = dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'tds-process-')));
  const database = await databaseEnv(databaseUrl);
  await chmod(dir, 0o755);
  // One process, as `npm start` runs it: a signal reaches the service itself, not a launcher (one
  // given here must exec the service, as nsenter does).
  const [command, ...args] = [...launcher, process.execPath, '--import', 'tsx', 'src/main.ts'];
  const child = spawn(command!, args, {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      ...database.env,
      TDS_STORAGE: 's3',
      S3_ENDPOINT: inject('s3Endpoint'),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      TDS_BASE_IMAGE: inject('baseImage'),
      TDS_DATA_DIR: dir,
      TDS_POLL_INTERVAL_MS: '100',
      TDS_RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: process.env.TDS_TEST_PROCESS_LOG ?? 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.on('exit', () => void database.close());
  if (process.env.TDS_TEST_PROCESS_LOG) child.stdout!.pipe(process.stderr);
  await waitForOutput(child, 'the service', /Task Deploy Service is up\./);
  return {
    child,
    dataDir: dir,
    kill: (signal = 'SIGKILL') => signalAndWait(child, signal),
  };
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
