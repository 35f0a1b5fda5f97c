import type { SqlExecutor } from '../../services/db/database.js';
import { TERMINAL_STATES, sqlStates } from './run-states.js';

/**
 * Removes up to 5,000 runs that ended more than `retentionDays` ago, with their events; runs that
 * were retries of them, and the schedule fires that queued them, are kept and unlinked. A
 * workflow run's runs are left to it: they go with it (src/workflows/workflow-pruning.ts), so a
 * kept workflow run keeps all of its steps' runs. Returns how many went.
 */
export async function pruneEndedRuns(db: SqlExecutor, retentionDays: number): Promise<number> {
  const rows = await db.query<{ n: number }>(
    `WITH old AS (
       SELECT id FROM runs
       WHERE state IN ${sqlStates(TERMINAL_STATES)} AND workflow_run_id IS NULL
         AND finished_at < now() - make_interval(days => $1::int)
       LIMIT 5000),
     unlinked AS (UPDATE runs SET retry_of = NULL
                  WHERE retry_of IN (SELECT id FROM old) AND id NOT IN (SELECT id FROM old)),
     fires AS (UPDATE schedule_fires SET run_id = NULL WHERE run_id IN (SELECT id FROM old)),
     events AS (DELETE FROM run_events WHERE run_id IN (SELECT id FROM old)),
     gone AS (DELETE FROM runs WHERE id IN (SELECT id FROM old) RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [retentionDays],
  );
  return rows[0]?.n ?? 0;
}

/**
 * Removes up to 5,000 schedule fires older than `retentionDays` that no run of theirs is kept for
 * (a skipped or missed fire time, or one whose run was pruned). Returns how many went.
 */
export async function pruneOldFires(db: SqlExecutor, retentionDays: number): Promise<number> {
  const rows = await db.query<{ n: number }>(
    `WITH old AS (
       SELECT ctid FROM schedule_fires
       WHERE run_id IS NULL AND fire_at < now() - make_interval(days => $1::int)
       LIMIT 5000),
     gone AS (DELETE FROM schedule_fires WHERE ctid IN (SELECT ctid FROM old) RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [retentionDays],
  );
  return rows[0]?.n ?? 0;
}
