import { WORKFLOW_RUN_RESULTS } from '../runs/results-layout.js';
import type { WorkflowDefinition } from './workflow-definition.js';
import type { WorkflowRunState } from './workflow-states.js';

/**
 * A workflow run as GET /workflow-runs/:id and the listings both show it, less its steps: read from
 * a row of workflow_runs (with its workflow's unique_id) and the definition the run started with.
 */
export interface WorkflowRunHeader {
  id: string;
  workflowId: string;
  userId: string;
  uniqueId: string;
  state: WorkflowRunState;
  trigger: string;
  scheduledFor: Date | null;
  retryOf: string | null;
  fromStep: string | null;
  maxParallel: number;
  failure: { step: string | null; reason: string; message: string } | null;
  cancelRequested: boolean;
  /** What its trigger changed of the definition (env, input prefix); null: nothing. */
  overrides: { env?: Record<string, string>; source_s3_prefix?: string } | null;
  /** Its params' values (given or defaulted); null when its workflow declares none. */
  params: Record<string, unknown> | null;
  timings: { queuedAt: Date; startedAt: Date | null; endedAt: Date | null };
  results: {
    bucket: string;
    prefix: string;
    uri: string;
    /** Where the report is; `writtenAt` null until it is written (just after the workflow run ends). */
    report: { json: string; text: string; writtenAt: Date | null };
  };
}

/** The shared fields of the definition a workflow run started with: where its results go. */
export type RunShared = Pick<
  WorkflowDefinition['shared'],
  's3_bucket' | 'destination_s3_prefix' | 'uniqueId'
>;

/** A run's recorded overrides as shown: its params apart from what else its trigger changed. */
function overridesOf(stored: unknown): Pick<WorkflowRunHeader, 'overrides' | 'params'> {
  const value = (typeof stored === 'string' ? JSON.parse(stored) : stored) as Record<string, unknown> | null;
  if (!value) return { overrides: null, params: null };
  const { params, ...rest } = value;
  return {
    overrides: Object.keys(rest).length > 0 ? (rest as WorkflowRunHeader['overrides']) : null,
    params: (params as Record<string, unknown> | undefined) ?? null,
  };
}

export function toWorkflowRunHeader(row: Record<string, unknown>, shared: RunShared): WorkflowRunHeader {
  const bucket = shared.s3_bucket;
  const prefix = WORKFLOW_RUN_RESULTS.path(
    { destination_s3_prefix: shared.destination_s3_prefix, uniqueId: shared.uniqueId },
    { workflowRunId: row.id as string },
  );
  const uri = `s3://${bucket}/${prefix}`;
  return {
    id: row.id as string,
    workflowId: row.workflow_id as string,
    userId: row.user_id as string,
    uniqueId: row.unique_id as string,
    state: row.state as WorkflowRunState,
    trigger: row.trigger as string,
    scheduledFor: (row.scheduled_for as Date | null) ?? null,
    retryOf: (row.retry_of as string | null) ?? null,
    fromStep: (row.from_step as string | null) ?? null,
    maxParallel: row.max_parallel as number,
    failure: row.failure_reason
      ? {
          step: (row.failure_step as string | null) ?? null,
          reason: row.failure_reason as string,
          message: (row.failure_message as string | null) ?? '',
        }
      : null,
    cancelRequested: row.cancel_requested_at !== null,
    ...overridesOf(row.overrides),
    timings: {
      queuedAt: row.queued_at as Date,
      startedAt: (row.started_at as Date | null) ?? null,
      endedAt: (row.ended_at as Date | null) ?? null,
    },
    results: {
      bucket,
      prefix,
      uri,
      report: {
        json: `${uri}report.json`,
        text: `${uri}report.txt`,
        writtenAt: (row.report_written_at as Date | null) ?? null,
      },
    },
  };
}
