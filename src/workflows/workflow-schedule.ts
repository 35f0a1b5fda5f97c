import type { SqlExecutor } from '../../services/db/database.js';
import { deleteSchedule, getSchedule, setPaused, upsertSchedule } from '../scheduler/schedule-repository.js';
import { nextFireAfterNow } from '../scheduler/schedule-service.js';
import type { WorkflowDefinition } from './workflow-definition.js';

/**
 * Keeps a workflow's schedule in step with its stored definition, in `tx`: a workflow with a cron
 * expression has a schedule (registered, or changed with its next fire time recomputed from now;
 * a paused one stays paused), one without has none. Whatever stores or replaces a definition
 * calls it, then tells the scheduler (`signals.scheduleChanged`) once `tx` has committed.
 */
export async function syncWorkflowSchedule(
  tx: SqlExecutor,
  workflow: { id: string; definition: WorkflowDefinition },
): Promise<void> {
  const { shared } = workflow.definition;
  const previous = await getSchedule(tx, workflow.id);
  if (shared.cron === null) {
    if (previous) await deleteSchedule(tx, workflow.id);
    return;
  }
  const next = previous?.paused ? null : await nextFireAfterNow(tx, shared.cron, shared.timezone);
  await upsertSchedule(tx, { workflowId: workflow.id }, shared, next);
  if (previous?.paused) await setPaused(tx, workflow.id, true, null);
}
