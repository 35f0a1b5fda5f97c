import type { SqlExecutor } from '../../services/db/database.js';
import { TERMINAL_STATES, UNFINISHED_STATES, sqlStates } from './run-states.js';

/**
 * Removes up to 5,000 runs that ended more than `retentionDays` ago, with their events; runs that
 * were retries of them, and the schedule fires that queued them, are kept and unlinked. A
 * workflow run's runs are left to it: they go with it (pruneEndedWorkflowRuns, below), so a
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

/**
 * Removes up to 1,000 workflow runs that ended more than `retentionDays` ago, none of whose runs
 * is unfinished, with their steps, their runs and those runs' events. What points at them from
 * what is kept (a later retry, a step reusing their outputs, a schedule fire, a retry of one of
 * their runs) is unlinked. One statement: it all goes, or none of it. Returns how many went.
 */
export async function pruneEndedWorkflowRuns(
  db: SqlExecutor,
  retentionDays: number,
  /** The states a workflow run ends in (src/workflows/workflow-states.ts: ENDED_WORKFLOW_RUN_STATES). */
  endedStates: readonly string[],
): Promise<number> {
  const ended = `(${endedStates.map((state) => `'${state.replaceAll("'", "''")}'`).join(', ')})`;
  const rows = await db.query<{ n: number }>(
    `WITH old AS (
       SELECT wr.id FROM workflow_runs wr
       WHERE wr.state IN ${ended} AND wr.ended_at < now() - make_interval(days => $1::int)
         AND NOT EXISTS (SELECT FROM runs r
                         WHERE r.workflow_run_id = wr.id AND r.state IN ${sqlStates(UNFINISHED_STATES)})
       LIMIT 1000),
     old_runs AS (SELECT id FROM runs WHERE workflow_run_id IN (SELECT id FROM old)),
     retries AS (UPDATE workflow_runs SET retry_of = NULL
                 WHERE retry_of IN (SELECT id FROM old) AND id NOT IN (SELECT id FROM old)),
     reuses AS (UPDATE workflow_steps SET reused_from = NULL
                WHERE reused_from IN (SELECT id FROM old) AND workflow_run_id NOT IN (SELECT id FROM old)),
     fires AS (UPDATE schedule_fires SET workflow_run_id = NULL WHERE workflow_run_id IN (SELECT id FROM old)),
     run_retries AS (UPDATE runs SET retry_of = NULL
                     WHERE retry_of IN (SELECT id FROM old_runs) AND id NOT IN (SELECT id FROM old_runs)),
     run_fires AS (UPDATE schedule_fires SET run_id = NULL WHERE run_id IN (SELECT id FROM old_runs)),
     run_events AS (DELETE FROM run_events WHERE run_id IN (SELECT id FROM old_runs)),
     steps AS (DELETE FROM workflow_steps WHERE workflow_run_id IN (SELECT id FROM old)),
     runs_gone AS (DELETE FROM runs WHERE id IN (SELECT id FROM old_runs)),
     gone AS (DELETE FROM workflow_runs WHERE id IN (SELECT id FROM old) RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [retentionDays],
  );
  return rows[0]?.n ?? 0;
}
