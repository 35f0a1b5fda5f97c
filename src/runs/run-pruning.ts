import type { SqlExecutor } from '../../services/db/database.js';
import { TERMINAL_STATES, sqlStates } from './run-states.js';

/**
 * Removes up to 5,000 runs that ended more than `retentionDays` ago, with their events; runs that
 * were retries of them, and the schedule fires that queued them, are kept and unlinked. Returns
 * how many went.
 */
export async function pruneEndedRuns(db: SqlExecutor, retentionDays: number): Promise<number> {
  const rows = await db.query<{ n: number }>(
    `WITH old AS (
       SELECT id FROM runs
       WHERE state IN ${sqlStates(TERMINAL_STATES)}
         AND finished_at < now() - make_interval(days => $1::int)
       LIMIT 5000),
     unlinked AS (UPDATE runs SET retry_of = NULL WHERE retry_of IN (SELECT id FROM old)),
     fires AS (UPDATE schedule_fires SET run_id = NULL WHERE run_id IN (SELECT id FROM old)),
     events AS (DELETE FROM run_events WHERE run_id IN (SELECT id FROM old)),
     gone AS (DELETE FROM runs WHERE id IN (SELECT id FROM old) RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [retentionDays],
  );
  return rows[0]?.n ?? 0;
}
