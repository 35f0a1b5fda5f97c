import type { SqlExecutor } from '../../services/db/database.js';

export type WorkflowRunChange = 'started' | 'succeeded' | 'failed' | 'cancelled';

/**
 * Where a workflow run's start and end are recorded, in the transaction that makes the change:
 * the one place events about workflow runs (`workflow_run.started`, `.succeeded`, `.failed`,
 * `.cancelled`) are added once an outbox of events exists.
 */
export async function recordWorkflowRunChange(
  _tx: SqlExecutor,
  _workflowRunId: string,
  _change: WorkflowRunChange,
): Promise<void> {
  // Nothing beyond the workflow run's own row yet.
}
