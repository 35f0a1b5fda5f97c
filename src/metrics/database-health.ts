import { Counter, Gauge, type Registry } from 'prom-client';
import type { Database, SqlExecutor } from '../../services/db/database.js';
import { isDatabaseFault } from '../../services/db/database-faults.js';
import {
  readDatabaseFigures,
  registerDatabaseGauges,
  type DatabaseFigures,
  type ExporterOptions,
} from './database-gauges.js';

/** What a database fault is counted against: the process's statements, its transactions, a scrape's read. */
export type DatabaseOperation = 'query' | 'transaction' | 'metrics';

/** Raised when the database's reading takes longer than a scrape may wait. */
class ScrapeTimeout extends Error {
  constructor(ms: number) {
    super(`the database did not answer within ${ms} ms`);
    this.name = 'ScrapeTimeout';
  }
}

/**
 * Whether the database answers, as each scrape finds: `tds_database_up` (the exporter's reading of
 * its figures, or in another process a `SELECT 1`, each within `timeoutMs`), and
 * `tds_database_errors_total`. A scrape never fails for the database: its gauges keep their last
 * good reading and `tds_database_up` is 0. The collects of one scrape share one reading.
 */
export function registerDatabaseHealth(registry: Registry, db: SqlExecutor, timeoutMs: number) {
  const errors = new Counter({
    name: 'tds_database_errors_total',
    help: 'Operations of this process the database failed (unreachable, connection lost, timeouts), by operation',
    labelNames: ['operation'],
    registers: [registry],
    // A scrape's own failure is counted in the answer of that scrape.
    async collect() {
      await current();
    },
  });
  let exporter: ExporterOptions | undefined;
  let last: DatabaseFigures | undefined;
  let reading: Promise<boolean> | undefined;

  async function readOnce(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ScrapeTimeout(timeoutMs)), timeoutMs);
    });
    const work = exporter
      ? readDatabaseFigures(db, exporter).then((figures) => void (last = figures))
      : db.query('SELECT 1').then(() => undefined);
    work.catch(() => undefined); // a read that outlives its scrape must not go unhandled
    try {
      await Promise.race([work, timeout]);
      return true;
    } catch {
      errors.inc({ operation: 'metrics' });
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The reading of the scrape under way, or a new one. */
  function current(): Promise<boolean> {
    reading ??= readOnce().finally(() => (reading = undefined));
    return reading;
  }

  new Gauge({
    name: 'tds_database_up',
    help: "Whether the database answered this process's scrape (1) or not (0); the exporter's gauges then keep their last reading",
    registers: [registry],
    async collect() {
      this.set((await current()) ? 1 : 0);
    },
  });

  return {
    countError: (operation: DatabaseOperation) => errors.inc({ operation }),
    registerExporter(options: ExporterOptions): void {
      if (exporter) return;
      exporter = options;
      registerDatabaseGauges(registry, async () => {
        await current();
        return last;
      });
    },
  };
}

/** `db` with each of its faults (isDatabaseFault) counted by the operation that met it. */
export function countingDatabaseFaults(
  db: Database,
  count: (operation: DatabaseOperation) => void,
): Database {
  const counted = <T>(operation: DatabaseOperation, promise: Promise<T>): Promise<T> =>
    promise.catch((error: unknown) => {
      if (isDatabaseFault(error)) count(operation);
      throw error;
    });
  return {
    query: (sql, params, options) => counted('query', db.query(sql, params, options)),
    transaction: (fn) => counted('transaction', db.transaction(fn)),
    subscribe: (channel, onNotify) => db.subscribe(channel, onNotify),
    close: () => db.close(),
  };
}
