import type { SqlExecutor } from '../../services/db/database.js';
import type { FailureReason } from '../errors.js';
import type { JobSpec } from '../jobs/job-spec.js';
import { insertRun } from './queue-runs.js';
import { stepResultsPrefix } from './results-layout.js';
import { newRunId, type Run } from './run-repository.js';

/**
 * Failures of the parts around a command, worth running it again. Not `upload_error`: the
 * command ran and its results were kept on the worker (they are delivered later), so running it
 * again would run it twice.
 */
export const INFRASTRUCTURE_FAILURES: readonly FailureReason[] = ['infra_error'];
export const MAX_BACKOFF_SECONDS = 600;

/** Seconds to wait before attempt `attempt + 1`: the base doubled per attempt made, at most 10 minutes. */
export function retryDelaySeconds(attempt: number, baseSeconds: number): number {
  return Math.min(MAX_BACKOFF_SECONDS, baseSeconds * 2 ** (attempt - 1));
}

/** Whether a run that ended this way is tried again under its job's retry settings. */
export function shouldRetry(spec: JobSpec, run: Pick<Run, 'state' | 'attempt' | 'failureReason'>): boolean {
  if (run.state !== 'failed' || run.failureReason === null) return false;
  if (run.attempt >= (spec.max_attempts ?? 1)) return false;
  if (INFRASTRUCTURE_FAILURES.includes(run.failureReason)) return true;
  return run.failureReason === 'exit_code' && (spec.retry_on_exit_code ?? false);
}

/**
 * Queues the next attempt of a failed run when its job's settings ask for one: a new run (its own
 * results folder), linked to the failed one, held back by its backoff. Nothing for a deleted job.
 */
export async function queueRetry(db: SqlExecutor, run: Run): Promise<Run | undefined> {
  if (!shouldRetry(run.spec, run)) return undefined;
  if (run.workflowRunId !== null && run.stepName !== null) {
    // A workflow step's attempt: its workflow run moves on once the last attempt has ended.
    const step = { workflowRunId: run.workflowRunId, name: run.stepName, itemIndex: run.itemIndex };
    return insertRun(db, {
      id: newRunId(),
      jobId: null,
      step: {
        ...step,
        resultsPrefix: stepResultsPrefix(run.spec, {
          ...step,
          step: run.stepName,
          attempt: run.attempt + 1,
        }),
      },
      trigger: 'retry',
      spec: run.spec,
      attempt: run.attempt + 1,
      retryOf: run.id,
      delaySeconds: retryDelaySeconds(run.attempt, run.spec.retry_backoff_seconds ?? 10),
    });
  }
  const [job] = await db.query<{ deleted: boolean }>(
    'SELECT deleted_at IS NOT NULL AS deleted FROM jobs WHERE id = $1::uuid',
    [run.jobId],
  );
  if (!job || job.deleted) return undefined;
  return insertRun(db, {
    id: newRunId(),
    jobId: run.jobId,
    trigger: 'retry',
    spec: run.spec,
    // Its spec is the one its trigger changed: the record of what changed goes with it.
    overrides: run.overrides,
    waitsForPrevious: run.waitsForPrevious,
    attempt: run.attempt + 1,
    retryOf: run.id,
    delaySeconds: retryDelaySeconds(run.attempt, run.spec.retry_backoff_seconds ?? 10),
  });
}
