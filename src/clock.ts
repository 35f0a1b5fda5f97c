import type { SqlExecutor } from '../services/db/database.js';

/** The database's clock: every instance of the service reads time from it, so skewed hosts agree. */
export async function databaseNow(db: SqlExecutor): Promise<Date> {
  const [row] = await db.query<{ now: Date }>('SELECT clock_timestamp() AS now');
  return row!.now;
}
