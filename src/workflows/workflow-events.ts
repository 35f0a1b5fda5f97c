import type { SqlExecutor } from '../../services/db/database.js';
import { recordEvents } from '../events/outbox.js';
import { WORKFLOW_RUN_RESULTS } from '../runs/results-layout.js';
import { runDefinitionSql } from './workflow-versions.js';

export type WorkflowRunChange = 'started' | 'succeeded' | 'failed' | 'cancelled';

interface ChangedRow {
  id: string;
  workflow_id: string;
  user_id: string;
  unique_id: string;
  state: string;
  trigger: string;
  scheduled_for: Date | null;
  retry_of: string | null;
  from_step: string | null;
  failure_step: string | null;
  failure_reason: string | null;
  failure_message: string | null;
  queued_at: Date;
  started_at: Date | null;
  ended_at: Date | null;
  bucket: string;
  destination: string;
  steps: Record<string, number>;
}

const seconds = (from: Date | null, to: Date | null) =>
  from && to ? Math.max(0, (new Date(to).getTime() - new Date(from).getTime()) / 1000) : null;

/**
 * Records a workflow run's start or end as an event (`workflow_run.started`, `.succeeded`,
 * `.failed`, `.cancelled`), with its deliveries, in the transaction that makes the change: the
 * one place events about workflow runs are made. Where its results are is read from the
 * definition the workflow run started with, not the workflow's current one. The data names the workflow run, its workflow
 * and user, its state, the first failure, where its results and report are, its timings and how
 * many of its steps ended each way.
 */
export async function recordWorkflowRunChange(
  tx: SqlExecutor,
  workflowRunId: string,
  change: WorkflowRunChange,
): Promise<void> {
  const [row] = await tx.query<ChangedRow>(
    `SELECT r.id, r.workflow_id, r.user_id, w.unique_id, r.state, r.trigger, r.scheduled_for, r.retry_of,
            r.from_step, r.failure_step, r.failure_reason, r.failure_message, r.queued_at, r.started_at,
            r.ended_at, d.definition -> 'shared' ->> 's3_bucket' AS bucket,
            d.definition -> 'shared' ->> 'destination_s3_prefix' AS destination,
            (SELECT jsonb_object_agg(state, n) FROM (
               SELECT state, count(*)::int AS n FROM workflow_steps WHERE workflow_run_id = r.id GROUP BY state
             ) counted) AS steps
     FROM workflow_runs r JOIN workflows w ON w.id = r.workflow_id
     CROSS JOIN LATERAL (SELECT ${runDefinitionSql('r')} AS definition) d
     WHERE r.id = $1::uuid`,
    [workflowRunId],
  );
  if (!row) return;
  const prefix = WORKFLOW_RUN_RESULTS.path(
    { destination_s3_prefix: row.destination, uniqueId: row.unique_id },
    { workflowRunId: row.id },
  );
  const uri = `s3://${row.bucket}/${prefix}`;
  const steps = typeof row.steps === 'string' ? (JSON.parse(row.steps) as Record<string, number>) : row.steps;
  await recordEvents(tx, [
    {
      type: `workflow_run.${change}`,
      userId: row.user_id,
      data: {
        workflowRunId: row.id,
        workflowId: row.workflow_id,
        userId: row.user_id,
        uniqueId: row.unique_id,
        state: change === 'started' ? 'running' : change,
        trigger: row.trigger,
        scheduledFor: row.scheduled_for,
        retryOf: row.retry_of,
        fromStep: row.from_step,
        failure:
          change === 'failed' && row.failure_reason
            ? { step: row.failure_step, reason: row.failure_reason, message: row.failure_message ?? '' }
            : null,
        steps: steps ?? {},
        timings: {
          queuedAt: row.queued_at,
          startedAt: row.started_at,
          endedAt: row.ended_at,
          runSeconds: seconds(row.started_at, row.ended_at),
        },
        results: {
          bucket: row.bucket,
          prefix,
          uri,
          report: { json: `${uri}report.json`, text: `${uri}report.txt` },
        },
      },
    },
  ]);
}
