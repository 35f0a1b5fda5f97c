import type { SqlExecutor } from '../../services/db/database.js';
import type { Run } from './run-repository.js';

/** The instant a run's fire-time values are read from, and the timezone its date is read in. */
export interface FireInstant {
  at: Date;
  timezone: string;
}

/**
 * The instant of the fire a run belongs to (src/runs/fire-time.ts fills its dates from it): for a
 * job's run, its first attempt's fire time when the schedule queued it, else that attempt's queue
 * time, so a retry runs with the dates of the run it retries; for a workflow step's run (every
 * step, item and attempt alike), its workflow run's fire time, else its queue time, following a
 * retried workflow run back to the first. A job's date is read in its timezone; a step's in its
 * workflow's (UTC when it has none).
 */
export async function readFireInstant(db: SqlExecutor, run: Run): Promise<FireInstant> {
  if (run.workflowRunId !== null) {
    const [row] = await db.query<{ at: Date; timezone: string | null }>(
      `WITH RECURSIVE chain AS (
         SELECT id, retry_of, scheduled_for, queued_at, workflow_id FROM workflow_runs WHERE id = $1::uuid
         UNION ALL
         SELECT w.id, w.retry_of, w.scheduled_for, w.queued_at, w.workflow_id
           FROM workflow_runs w JOIN chain c ON w.id = c.retry_of
       )
       SELECT coalesce(c.scheduled_for, c.queued_at) AS at, wf.timezone
         FROM chain c JOIN workflows wf ON wf.id = c.workflow_id
        WHERE c.retry_of IS NULL`,
      [run.workflowRunId],
    );
    return { at: row?.at ?? run.queuedAt, timezone: row?.timezone ?? 'UTC' };
  }
  const [row] = await db.query<{ at: Date }>(
    `WITH RECURSIVE chain AS (
       SELECT id, retry_of, scheduled_for, queued_at FROM runs WHERE id = $1::uuid
       UNION ALL
       SELECT r.id, r.retry_of, r.scheduled_for, r.queued_at FROM runs r JOIN chain c ON r.id = c.retry_of
     )
     SELECT coalesce(scheduled_for, queued_at) AS at FROM chain WHERE retry_of IS NULL`,
    [run.id],
  );
  return { at: row?.at ?? run.scheduledFor ?? run.queuedAt, timezone: run.spec.timezone ?? 'UTC' };
}
