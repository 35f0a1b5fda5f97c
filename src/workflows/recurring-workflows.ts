import type { SqlExecutor } from '../../services/db/database.js';
import type { UnfinishedRun } from '../scheduler/overlap.js';
import type { WorkflowFireRow } from '../scheduler/schedule-repository.js';
import type { WorkflowFiring } from '../scheduler/scheduler-context.js';
import { advanceWorkflowRun, type StepResultLimits } from './advance.js';
import { getWorkflow } from './workflow-repository.js';
import { startWorkflowRun } from './workflow-start.js';

/**
 * How the scheduler starts workflow runs, and how a workflow run is cancelled in a transaction.
 * Pausing, resuming, triggering, changing and deleting a workflow are a definition's, the same as a
 * job's: src/definitions/definition-schedules.ts.
 */

/**
 * Asks a workflow run to stop and moves it on at once: steps not started end cancelled, queued
 * step runs are cancelled, running ones are asked to stop. Resolves with whether any must be
 * stopped by their worker, and how many step runs were queued (a run that waited for it starts
 * when it ends).
 */
export async function cancelWorkflowRun(
  tx: SqlExecutor,
  workflowRunId: string,
  limits: StepResultLimits,
): Promise<{ stop: boolean; queued: number }> {
  await tx.query(
    `UPDATE workflow_runs SET cancel_requested_at = coalesce(cancel_requested_at, now())
     WHERE id = $1::uuid AND state IN ('queued', 'running')`,
    [workflowRunId],
  );
  const advanced = await advanceWorkflowRun(tx, workflowRunId, limits);
  return { stop: advanced.cancelRequested > 0, queued: advanced.queued };
}

/** How the scheduler fires workflows' schedules: each call runs in the transaction that records the fire time. */
export const createWorkflowFiring = (limits: StepResultLimits): WorkflowFiring => ({
  async unfinished(tx, workflowIds) {
    const byWorkflow = new Map<string, UnfinishedRun[]>();
    if (workflowIds.length === 0) return byWorkflow;
    const rows = await tx.query<{
      id: string;
      workflow_id: string;
      state: string;
      waits_for_previous: boolean;
    }>(
      `SELECT id, workflow_id, state, waits_for_previous FROM workflow_runs
       WHERE workflow_id = ANY($1::uuid[]) AND state IN ('queued', 'running')
       ORDER BY queued_at, id`,
      [workflowIds],
    );
    for (const row of rows) {
      const list = byWorkflow.get(row.workflow_id) ?? [];
      list.push({ id: row.id, state: row.state, waitsForPrevious: row.waits_for_previous });
      byWorkflow.set(row.workflow_id, list);
    }
    return byWorkflow;
  },

  async start(tx, fires: WorkflowFireRow[]) {
    let queued = 0;
    for (const fire of fires) {
      const workflow = await getWorkflow(tx, fire.workflowId);
      if (!workflow) throw new Error(`workflow ${fire.workflowId} of a due schedule is not stored`);
      const started = await startWorkflowRun(
        tx,
        workflow,
        {
          id: fire.workflowRunId!,
          trigger: fire.trigger,
          scheduledFor: fire.fireAt,
          waitsForPrevious: fire.waitsForPrevious,
        },
        limits,
      );
      queued += started.queued;
    }
    return queued;
  },

  cancel: (tx, workflowRunId) => cancelWorkflowRun(tx, workflowRunId, limits),
});
