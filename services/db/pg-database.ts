import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Database, QueryOptions, SqlExecutor } from './database.js';

/** A Database over a `pg` connection pool. Idle connections that die are replaced by the pool. */
export function createPgDatabase(connectionString: string, logger: Logger, maxConnections = 10): Database {
  const pool = new pg.Pool({ connectionString, max: maxConnections });
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
    query: (sql, params, options) => run(pool, sql, params, options),
    async transaction(fn) {
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
        await client.query('BEGIN');
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
    },
    close: () => pool.end(),
  };
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
