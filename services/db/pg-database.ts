import pg from 'pg';
import type { Logger } from 'pino';
import type { Database, SqlExecutor } from './database.js';

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

  const run = async <Row>(client: pg.Pool | pg.PoolClient, sql: string, params?: readonly unknown[]) => {
    const result = await client.query(sql, params as unknown[] | undefined);
    return result.rows as Row[];
  };

  return {
    query: (sql, params) => run(pool, sql, params),
    async transaction(fn) {
      const client = await pool.connect();
      const tx: SqlExecutor = { query: (sql, params) => run(client, sql, params) };
      try {
        await client.query('BEGIN');
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
