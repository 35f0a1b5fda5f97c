import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../services/db/database.js';
import { createPgDatabase } from '../../services/db/pg-database.js';
import {
  startEmbeddedPostgres,
  type EmbeddedPostgresHandle,
} from '../../services/embedded/embedded-postgres.js';
import { StartupError } from '../../src/startup-error.js';
import { freePort } from '../support/free-port.js';
import {
  createBucket,
  createTestDatabase,
  eventually,
  getText,
  jobBody,
  startTestService,
  type TestService,
} from '../support/harness.js';

/**
 * The `pg` driver as production runs it: each session's timeouts, TLS verified against a CA, and a
 * Postgres that goes away and comes back (a failover, a restart) while runs are under way.
 */
const run = promisify(execFile);
const logger = pino({ level: 'silent' });
const cleanups: (() => Promise<unknown>)[] = [];
const services: TestService[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(async () => {
  for (const service of services.splice(0)) await service.close().catch(() => undefined);
});

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  await chmod(dir, 0o755); // the embedded Postgres runs as the postgres user when the suite runs as root
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function ownPostgres(settings: string[] = []) {
  const dir = await tempDir('tds-pg-own-');
  const port = await freePort();
  const handle = { current: await startEmbeddedPostgres(path.join(dir, 'postgres'), port, logger, settings) };
  cleanups.push(() => handle.current.stop());
  return {
    port,
    url: handle.current.url,
    stop: () => handle.current.stop(),
    async restart(): Promise<EmbeddedPostgresHandle> {
      handle.current = await startEmbeddedPostgres(path.join(dir, 'postgres'), port, logger, settings);
      return handle.current;
    },
  };
}

describe("the pg driver's sessions", () => {
  let db: Database | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('carry the statement, lock and idle-in-transaction timeouts they are given', async () => {
    db = createPgDatabase(await createTestDatabase(), logger, {
      statementTimeoutMs: 700,
      lockTimeoutMs: 300,
      idleInTransactionTimeoutMs: 4000,
    });
    const [settings] = await db.query<Record<string, string>>(
      `SELECT current_setting('statement_timeout') AS statement, current_setting('lock_timeout') AS lock,
              current_setting('idle_in_transaction_session_timeout') AS idle`,
    );
    expect(settings).toEqual({ statement: '700ms', lock: '300ms', idle: '4s' });
    // A transaction's own setting still wins where it needs another (migrations, the scheduler).
    const inside = await db.transaction(async (tx) => {
      await tx.query('SET LOCAL statement_timeout = 0');
      return tx.query<{ value: string }>("SELECT current_setting('statement_timeout') AS value");
    });
    expect(inside[0]!.value).toBe('0');
  });

  it('cancel a statement that runs past the statement timeout', async () => {
    db = createPgDatabase(await createTestDatabase(), logger, { statementTimeoutMs: 500 });
    const started = Date.now();
    const error = (await db.query('SELECT pg_sleep(5)').catch((e: unknown) => e)) as {
      code?: string;
      message?: string;
    };
    expect(error.code).toBe('57014');
    expect(error.message).toMatch(/statement timeout/);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('fail a statement that waits past the lock timeout instead of queueing behind a stuck transaction', async () => {
    const url = await createTestDatabase();
    db = createPgDatabase(url, logger, { lockTimeoutMs: 300 });
    await db.query('CREATE TABLE held (x int)');
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE held IN ACCESS EXCLUSIVE MODE');
    const started = Date.now();
    const error = (await db.query('SELECT * FROM held').catch((e: unknown) => e)) as { code?: string };
    expect(error.code).toBe('55P03');
    expect(Date.now() - started).toBeLessThan(4000);
    await holder.query('ROLLBACK');
    await holder.end();
    expect(await db.query('SELECT * FROM held')).toEqual([]);
  });

  it('end a transaction left idle past the idle-in-transaction timeout, keeping nothing of it', async () => {
    db = createPgDatabase(await createTestDatabase(), logger, { idleInTransactionTimeoutMs: 1000 });
    await db.query('CREATE TABLE idle (x int)');
    const abandoned = await db
      .transaction(async (tx) => {
        await tx.query('INSERT INTO idle VALUES (1)');
        await sleep(2500); // silent, as a client that froze
        await tx.query('INSERT INTO idle VALUES (2)');
      })
      .catch((error: unknown) => error);
    expect(abandoned).toBeInstanceOf(Error);
    expect(await db.query('SELECT * FROM idle')).toEqual([]);
  });

  it('never open more connections than the pool size, however many statements wait', async () => {
    db = createPgDatabase(await createTestDatabase(), logger, { poolSize: 2 });
    const pids = await Promise.all(
      Array.from({ length: 6 }, () =>
        db!
          .query<{ pid: number }>('SELECT pg_backend_pid() AS pid, pg_sleep(0.2)')
          .then((rows) => rows[0]!.pid),
      ),
    );
    expect(new Set(pids).size).toBe(2);
  });

  it('give up connecting to a server that does not answer after the connect timeout', async () => {
    // Accepts the TCP connection and never says a word: a server address gone dark in a failover.
    const accepted = new Set<net.Socket>();
    const silent = net.createServer((socket) => accepted.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    // close() waits for every connection to end: a client that never hangs up would hold it for good.
    cleanups.push(
      () =>
        new Promise((resolve) => {
          silent.close(resolve);
          for (const socket of accepted) socket.destroy();
        }),
    );
    const port = (silent.address() as net.AddressInfo).port;
    db = createPgDatabase(`postgres://tds:tds@127.0.0.1:${port}/tds`, logger, { connectTimeoutMs: 500 });
    const started = Date.now();
    const error = (await db.query('SELECT 1').catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(/timeout/i);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('TLS to the database', () => {
  /** A CA, a server certificate it signed for localhost, and another CA that signed nothing here. */
  async function certificates() {
    const dir = await tempDir('tds-pg-tls-');
    const file = (name: string) => path.join(dir, name);
    const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
    for (const ca of ['ca', 'other-ca']) {
      await openssl(
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        `/CN=tds test ${ca}`,
        '-keyout',
        file(`${ca}.key`),
        '-out',
        file(`${ca}.pem`),
      );
    }
    await openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-keyout',
      file('server.key'),
      '-out',
      file('server.csr'),
    );
    await writeFile(file('server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    await openssl(
      'x509',
      '-req',
      '-in',
      file('server.csr'),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      file('server.ext'),
      '-out',
      file('server.pem'),
    );
    // Postgres refuses a key others can read; as root the server runs as the postgres user.
    await chmod(file('server.key'), 0o600);
    if (process.getuid?.() === 0) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: group } = await run('id', ['-g', 'postgres']);
      await chown(file('server.key'), Number(stdout.trim()), Number(group.trim()));
    }
    for (const name of ['ca.pem', 'other-ca.pem', 'server.pem']) await chmod(file(name), 0o644);
    return {
      ca: file('ca.pem'),
      otherCa: file('other-ca.pem'),
      cert: file('server.pem'),
      key: file('server.key'),
    };
  }

  it('connects with sslmode=verify-full against the CA that signed the server, and refuses another CA clearly', async () => {
    const certs = await certificates();
    const postgres = await ownPostgres([
      'ssl=on',
      `ssl_cert_file=${certs.cert}`,
      `ssl_key_file=${certs.key}`,
    ]);
    const url = (ca: string) =>
      `postgres://postgres:postgres@localhost:${postgres.port}/tds?sslmode=verify-full&sslrootcert=${encodeURIComponent(ca)}`;

    const db = createPgDatabase(url(certs.ca), logger);
    const [session] = await db.query<{ ssl: boolean }>(
      'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
    );
    expect(session!.ssl).toBe(true);
    await db.close();

    // The service itself, over TLS: it migrates the new database and serves.
    const service = await startTestService({
      databaseUrl: url(certs.ca),
      roles: ['api'],
      env: { TDS_MIGRATE: 'auto' },
    });
    services.push(service);
    expect((await service.request('GET', '/jobs?userId=nobody')).status).toBe(200);

    const refused = await startTestService({ databaseUrl: url(certs.otherCa), roles: ['api'] }).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(StartupError);
    expect((refused as Error).message).toMatch(/TLS certificate could not be verified/);
    expect((refused as Error).message).toContain('sslrootcert');
    expect((refused as Error).message).not.toContain('postgres:postgres');
  });
});

describe('a database failover under load', () => {
  /** Two workers on a Postgres of their own (either would take over the other's runs once their lease lapsed), three runs posted. */
  async function underLoad(command: (i: number) => string) {
    const postgres = await ownPostgres();
    // A fence (half the lease) well past the outage: a worker cut off for longer would stop its
    // containers, and the runs would start again (fencing.test.ts).
    const env = { TDS_LEASE_MS: '16000', TDS_MIGRATE: 'auto' };
    const first = await startTestService({ databaseUrl: postgres.url, env });
    services.push(first);
    const second = await startTestService({ databaseUrl: postgres.url, roles: ['worker'], env });
    services.push(second);
    const bucket = await createBucket();
    const runIds: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const posted = await first.request('POST', '/jobs', jobBody(bucket, { command: command(i) }));
      expect(posted.status, JSON.stringify(posted.body)).toBe(202);
      runIds.push(posted.body.run.id as string);
    }
    const admin = async <T>(fn: (client: pg.Client) => Promise<T>) => {
      const client = new pg.Client({ connectionString: postgres.url });
      await client.connect();
      try {
        return await fn(client);
      } finally {
        await client.end();
      }
    };
    const states = async () =>
      (
        await admin((c) =>
          c.query<{ state: string }>('SELECT state FROM runs WHERE id = ANY($1::uuid[])', [runIds]),
        )
      ).rows.map((row) => row.state);
    /** The server goes away with every connection, and is back 3 s later. */
    const failover = async () => {
      await postgres.stop();
      await sleep(3000);
      await postgres.restart();
    };
    /** Every run ended succeeded with its own output, once: one attempt each, every state recorded in order. */
    const everyRunEndedOnce = async () => {
      for (const [i, runId] of runIds.entries()) {
        const ended = await first.waitForRun(runId, undefined, 120_000);
        expect(ended.state, JSON.stringify(ended)).toBe('succeeded');
        expect(await getText(bucket, `${ended.results.prefix}stdout.log`)).toBe(`run ${i + 1}\n`);
      }
      const after = await admin((c) =>
        c.query<{ id: string; attempt: number }>(
          'SELECT id, attempt FROM runs WHERE id = ANY($1::uuid[]) OR retry_of = ANY($1::uuid[])',
          [runIds],
        ),
      );
      expect(after.rows.map((r) => [r.id, r.attempt]).sort()).toEqual(runIds.map((id) => [id, 1]).sort());
      const history = await admin((c) =>
        c.query<{ run_id: string; states: string[] }>(
          `SELECT run_id, array_agg(state ORDER BY id) AS states FROM run_events
           WHERE run_id = ANY($1::uuid[]) AND NOT coalesce(detail ? 'takenOverBy', false) GROUP BY run_id`,
          [runIds],
        ),
      );
      return history.rows;
    };
    return { admin, states, failover, everyRunEndedOnce, runIds };
  }

  it('keeps every lease through a restart shorter than the fence (TDS_FENCE_MS), and every run ends as it would have', async () => {
    const load = await underLoad((i) => `sleep 20; echo run ${i}`);
    await eventually(
      'every run running',
      async () => (await load.states()).every((state) => state === 'running'),
      120_000,
    );
    const owners = await load.admin((c) =>
      c.query<{ id: string; worker_id: string }>(
        'SELECT id, worker_id FROM runs WHERE id = ANY($1::uuid[])',
        [load.runIds],
      ),
    );
    await load.failover();

    const history = await load.everyRunEndedOnce();
    for (const row of history) {
      expect(row.states).toEqual(['queued', 'staging', 'building', 'running', 'uploading', 'succeeded']);
    }
    // No run that was running through the outage moved: each ended with the worker that held it.
    const after = await load.admin((c) =>
      c.query<{ id: string; worker_id: string }>(
        'SELECT id, worker_id FROM runs WHERE id = ANY($1::uuid[])',
        [load.runIds],
      ),
    );
    expect(after.rows.sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      owners.rows.sort((a, b) => a.id.localeCompare(b.id)),
    );
    const takeovers = await load.admin((c) =>
      c.query("SELECT 1 FROM run_events WHERE run_id = ANY($1::uuid[]) AND detail ? 'takenOverBy'", [
        load.runIds,
      ]),
    );
    expect(takeovers.rows).toEqual([]);
  });

  it('finishes the runs being started when the database went away: none is left building', async () => {
    const load = await underLoad((i) => `sleep 4; echo run ${i}`);
    // The outage begins while a run is being built: its container made and started, its start
    // not yet recorded.
    await eventually('a run being built', async () => (await load.states()).includes('building'), 120_000);
    await load.failover();

    const history = await load.everyRunEndedOnce();
    expect(history).toHaveLength(load.runIds.length);
    for (const row of history) {
      // Begun again from the queue, or recorded running with the container it had started.
      expect(row.states.slice(-3)).toEqual(['running', 'uploading', 'succeeded']);
    }
  });
});

describe('/metrics while the database is away', () => {
  /** A sample's value in Prometheus' text format, undefined when absent. */
  const sample = (text: string, series: string): number | undefined => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  it("answers 200 with the process's own metrics, tds_database_up 0 and the last reading, then 1 once it is back", async () => {
    const postgres = await ownPostgres();
    const service = await startTestService({
      databaseUrl: postgres.url,
      roles: ['api', 'worker', 'exporter'],
      env: { TDS_MIGRATE: 'auto', TDS_METRICS_DATABASE_TIMEOUT_MS: '1500' },
    });
    services.push(service);
    const scrape = async () => {
      const response = await service.request('GET', '/metrics');
      return { status: response.status, text: response.body as unknown as string };
    };

    const before = await scrape();
    expect(before.status).toBe(200);
    expect(sample(before.text, 'tds_database_up')).toBe(1);
    expect(sample(before.text, 'tds_runs{state="queued"}')).toBe(0);

    await postgres.stop();
    const away = await scrape();
    expect(away.status).toBe(200);
    expect(sample(away.text, 'tds_database_up')).toBe(0);
    expect(sample(away.text, 'tds_database_errors_total{operation="metrics"}')).toBeGreaterThanOrEqual(1);
    // The process's own metrics, and the exporter's last good reading.
    expect(sample(away.text, 'tds_worker_up')).toBe(1);
    expect(sample(away.text, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(sample(away.text, 'tds_runs{state="queued"}')).toBe(0);

    await postgres.restart();
    let back = away;
    await eventually('the database up again on /metrics', async () => {
      back = await scrape();
      return sample(back.text, 'tds_database_up') === 1;
    }).catch(() => undefined);
    expect(back.status).toBe(200);
    expect(sample(back.text, 'tds_database_up')).toBe(1);
  });
});
