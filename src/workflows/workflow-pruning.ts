import type { SqlExecutor } from '../../services/db/database.js';
import { sqlStates, UNFINISHED_STATES } from '../runs/run-states.js';
import { ENDED_WORKFLOW_RUN_STATES } from './workflow-states.js';

const ENDED = `(${ENDED_WORKFLOW_RUN_STATES.map((state) => `'${state}'`).join(', ')})`;

/**
 * Removes up to 1,000 workflow runs that ended more than `retentionDays` ago, none of whose runs
 * is unfinished, with their steps, their runs and those runs' events. What points at them from
 * what is kept (a later retry, a step reusing their outputs, a schedule fire, a retry of one of
 * their runs) is unlinked. One statement: it all goes, or none of it. Returns how many went.
 */
export async function pruneEndedWorkflowRuns(db: SqlExecutor, retentionDays: number): Promise<number> {
  const rows = await db.query<{ n: number }>(
    `WITH old AS (
       SELECT wr.id FROM workflow_runs wr
       WHERE wr.state IN ${ENDED} AND wr.ended_at < now() - make_interval(days => $1::int)
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
