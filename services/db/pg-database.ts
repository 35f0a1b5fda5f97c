import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Database, QueryOptions, SqlExecutor, Subscription } from './database.js';

/**
 * How the pool connects and what each of its sessions allows (see docs/database.md). TLS is the
 * connection URL's: `sslmode=verify-full&sslrootcert=/path/to/ca.pem`.
 */
export interface PgSettings {
  /** Connections kept at most. */
  poolSize: number;
  /** Opening a connection that takes longer fails (and is tried again by the next query). */
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
  /** TCP keepalive is on; its first probe goes after this much silence. */
  keepAliveDelayMs: number;
}

export const DEFAULT_PG_SETTINGS: PgSettings = {
  poolSize: 10,
  connectTimeoutMs: 10_000,
  statementTimeoutMs: 60_000,
  lockTimeoutMs: 10_000,
  idleInTransactionTimeoutMs: 60_000,
  keepAliveDelayMs: 10_000,
};

/** What `pg.Pool` is given for `settings`: the timeouts are each session's own settings on the server. */
export function poolConfig(connectionString: string, settings: PgSettings): pg.PoolConfig {
  return {
    connectionString,
    max: settings.poolSize,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    statement_timeout: settings.statementTimeoutMs,
    lock_timeout: settings.lockTimeoutMs,
    idle_in_transaction_session_timeout: settings.idleInTransactionTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: settings.keepAliveDelayMs,
  };
}

/** A Database over a `pg` connection pool. Idle connections that die are replaced by the pool. */
export function createPgDatabase(
  connectionString: string,
  logger: Logger,
  settings: Partial<PgSettings> = {},
): Database {
  const pool = new pg.Pool(poolConfig(connectionString, { ...DEFAULT_PG_SETTINGS, ...settings }));
  // The message and code only: a pg error carries its whole client, connection settings included.
  pool.on('error', (error: Error & { code?: string }) =>
    logger.warn(
      { error: error.message, code: error.code },
      'an idle database connection failed; it will be replaced',
    ),
  );

  const run = async <Row>(
    client: pg.Pool | pg.PoolClient,
    sql: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ) => {
    const result = await client.query({
      text: sql,
      values: params as unknown[] | undefined,
      // pg prepares a named statement on a connection the first time that connection runs it.
      name: options?.prepared ? statementName(sql) : undefined,
    });
    return result.rows as Row[];
  };

  return {
    // A statement on its own that met a connection the server had ended (terminated by an
    // operator, or dropped in a failover before the pool heard of it) is sent once more, on
    // another connection: it either never reached the server or was rolled back with its session.
    query: (sql, params, options) =>
      run<never>(pool, sql, params, options).catch((error: unknown) => {
        if (!connectionLost(error)) throw error;
        logger.warn(
          { code: (error as { code?: string }).code },
          'a database connection was lost; trying again',
        );
        return run(pool, sql, params, options);
      }),
    async transaction(fn) {
      try {
        return await transactionOnce(fn);
      } catch (error) {
        // Only a transaction that could not begin is begun again: nothing of it ran.
        if (!(error instanceof BeginFailed)) throw error;
        logger.warn(
          { code: (error.cause as { code?: string }).code },
          'a database connection was lost; trying again',
        );
        return transactionOnce(fn);
      }
    },
    subscribe: (channel, onNotify) =>
      listen(
        poolConfig(connectionString, { ...DEFAULT_PG_SETTINGS, ...settings }),
        channel,
        onNotify,
        logger,
      ),
    close: () => pool.end(),
  };

  async function transactionOnce<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    // The server may end the connection while the transaction holds it between statements (an
    // idle_in_transaction_session_timeout ends a transaction whose client went silent): the
    // transaction's next statement fails, and the connection is dropped rather than pooled. Left
    // without a listener, the connection's error event would end the process.
    let lost: Error | undefined;
    const onError = (error: Error) => {
      lost = error;
    };
    client.on('error', onError);
    const tx: SqlExecutor = { query: (sql, params, options) => run(client, sql, params, options) };
    try {
      await client.query('BEGIN').catch((error: unknown) => {
        throw connectionLost(error) ? new BeginFailed(error) : error;
      });
      const result = await fn(tx);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        lost ??= rollbackError;
      });
      throw error;
    } finally {
      client.off('error', onError);
      client.release(lost);
    }
  }
}

/** A transaction's BEGIN met a connection the server had ended. */
class BeginFailed extends Error {
  constructor(cause: unknown) {
    super('the database connection was lost before the transaction began', { cause });
    this.name = 'BeginFailed';
  }
}

/**
 * Whether an error says the connection was gone, not that the statement failed: the server ended
 * the session (SQLSTATE 57P01-57P03, class 08), or the socket closed under the client.
 */
export function connectionLost(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (/^57P0[123]$/.test(code) || code.startsWith('08'))) return true;
  return typeof message === 'string' && /Connection terminated|not queryable|ECONNRESET|EPIPE/i.test(message);
}

const statementNames = new Map<string, string>();

/** The same name for the same text, in every connection; different texts never share one. */
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (name === undefined) {
    name = `tds_${createHash('sha256').update(sql).digest('hex').slice(0, 32)}`;
    statementNames.set(sql, name);
  }
  return name;
}

/** Node's codes for a server certificate that could not be verified. */
const CERTIFICATE_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * What a person should do about a connection that failed its TLS check (the server's certificate
 * not signed by the CA `sslrootcert` names, or not for the host), or undefined for another error.
 */
export function tlsFailure(error: unknown): string | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && CERTIFICATE_CODES.has(code)) {
    return (
      `the database server's TLS certificate could not be verified (${String(message)}): ` +
      "check that DATABASE_URL's sslrootcert names the CA that signed it (on RDS and Aurora, the region's " +
      'bundle from https://truststore.pki.rds.amazonaws.com) and that the URL names the host the certificate is for; see docs/database.md#tls'
    );
  }
  if (typeof message === 'string' && /does not support SSL/i.test(message)) {
    return (
      'the database server does not accept TLS connections, and DATABASE_URL asks for one (sslmode): ' +
      'turn TLS on at the server, or see docs/database.md#tls'
    );
  }
  return undefined;
}

/** How long a lost listening connection waits before it is opened again, doubling up to the most. */
const RELISTEN_FIRST_DELAY_MS = 500;
const RELISTEN_MAX_DELAY_MS = 30_000;

/**
 * A connection of its own, outside the pool, LISTENing on `channel`: a pooled connection would be
 * handed to other statements, and a LISTEN lasts as long as its session. When the connection is
 * lost (a failover, an idle connection cut by a balancer), it is opened again with back-off, and
 * `onNotify` is called once it listens again, for what was notified while it did not.
 */
function listen(config: pg.PoolConfig, channel: string, onNotify: () => void, logger: Logger): Subscription {
  let closed = false;
  let client: pg.Client | undefined;
  let listening = false;
  let delay = RELISTEN_FIRST_DELAY_MS;
  let timer: NodeJS.Timeout | undefined;
  // A session that only listens runs no statement: the statement timeout does not concern it.
  const { max: _max, statement_timeout: _st, ...clientConfig } = config;

  function lost(error: Error | undefined): void {
    if (client === undefined) return;
    const gone = client;
    client = undefined;
    listening = false;
    gone.removeAllListeners();
    gone.on('error', () => undefined);
    void gone.end().catch(() => undefined);
    if (closed) return;
    logger.warn(
      { channel, error: error?.message, retryInMs: delay },
      'the database connection listening for notifications was lost; polling until it is back',
    );
    timer = setTimeout(() => void connect(), delay);
    delay = Math.min(delay * 2, RELISTEN_MAX_DELAY_MS);
  }

  async function connect(): Promise<void> {
    timer = undefined;
    if (closed) return;
    const next = new pg.Client(clientConfig);
    client = next;
    next.on('notification', (message) => {
      if (message.channel === channel) onNotify();
    });
    next.on('error', (error) => lost(error));
    next.on('end', () => lost(new Error('connection ended')));
    try {
      await next.connect();
      await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      if (client === next) lost(error as Error);
      return;
    }
    if (client !== next || closed) return;
    listening = true;
    delay = RELISTEN_FIRST_DELAY_MS;
    onNotify();
  }

  void connect();
  return {
    listening: () => listening,
    async close() {
      closed = true;
      clearTimeout(timer);
      const last = client;
      client = undefined;
      listening = false;
      if (last) {
        last.removeAllListeners();
        last.on('error', () => undefined);
        await last.end().catch(() => undefined);
      }
    },
  };
}
