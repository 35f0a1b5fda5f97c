import type { SqlExecutor } from '../../services/db/database.js';
import { sqlStates, UNFINISHED_STATES, type RunState } from './run-states.js';

/**
 * The runs of workflow steps: a step's run is a run with its workflow run, step name and, for a
 * fan-out, item index. The workflow engine and the workflow views read them through these
 * statements and fragments (a fragment goes inside the caller's statement, so that a step's
 * snapshot or a page of items stays one statement: one HTTPS call on the RDS Data API).
 */

/** The columns of a step's run that say how it ended, read by `toStepRunOutcome`. */
export const STEP_RUN_OUTCOME_COLUMNS = [
  'id',
  'state',
  'exit_code',
  'attempt',
  'failure_reason',
  'failure_message',
  'results_bucket',
  'results_prefix',
] as const;

/** How a step's run stands or ended: what the workflow engine decides from. */
export interface StepRun {
  id: string;
  state: RunState;
  exitCode: number | null;
  attempt: number;
  failureReason: string | null;
  failureMessage: string | null;
  resultsBucket: string;
  resultsPrefix: string;
}

/** A step's run with its result (a plain step's latest run, as the workflow engine reads it). */
export interface StepRunOutcome extends StepRun {
  result: string | null;
}

/** A row of STEP_RUN_OUTCOME_COLUMNS (and `result`, when read) as a StepRunOutcome. */
export function toStepRunOutcome(row: Record<string, unknown>): StepRunOutcome {
  return {
    id: row.id as string,
    state: row.state as RunState,
    exitCode: row.exit_code === null ? null : Number(row.exit_code),
    attempt: Number(row.attempt),
    failureReason: (row.failure_reason as string | null) ?? null,
    failureMessage: (row.failure_message as string | null) ?? null,
    resultsBucket: row.results_bucket as string,
    resultsPrefix: row.results_prefix as string,
    result: (row.result as string | null) ?? null,
  };
}

/** A query of the unfinished runs (id, step_name, state) of the workflow run `workflowRunIdSql`. */
export function unfinishedRunsOfWorkflowRunSql(workflowRunIdSql: string): string {
  return `SELECT id, step_name, state FROM runs WHERE workflow_run_id = ${workflowRunIdSql} AND state IN ${sqlStates(UNFINISHED_STATES)}`;
}

/**
 * A query of the latest attempt of a step's run (`columns` of it): of the step `stepNameSql` of
 * the workflow run `workflowRunIdSql`, for the item `itemIndexSql`, or with no item (a plain step)
 * when it is null.
 */
export function latestStepRunSql(
  columns: readonly string[],
  at: { workflowRunIdSql: string; stepNameSql: string; itemIndexSql: string | null },
): string {
  const item = at.itemIndexSql === null ? 'item_index IS NULL' : `item_index = ${at.itemIndexSql}`;
  return `SELECT ${columns.join(', ')} FROM runs
         WHERE workflow_run_id = ${at.workflowRunIdSql} AND step_name = ${at.stepNameSql} AND ${item}
         ORDER BY attempt DESC LIMIT 1`;
}

/** Each item's latest run of a fan-out step, in item order, with the size of its result (not the result). */
export async function listLatestItemRuns(
  db: SqlExecutor,
  workflowRunId: string,
  step: string,
): Promise<(StepRunOutcome & { itemIndex: number; resultBytes: number | null })[]> {
  const rows = await db.query<Record<string, unknown>>(
    `SELECT DISTINCT ON (item_index) id, item_index, state, exit_code, attempt, failure_reason, failure_message,
            results_bucket, results_prefix, octet_length(result) AS result_bytes
     FROM runs WHERE workflow_run_id = $1::uuid AND step_name = $2 AND item_index IS NOT NULL
     ORDER BY item_index, attempt DESC`,
    [workflowRunId, step],
  );
  return rows.map((row) => ({
    ...toStepRunOutcome({ ...row, result: null }),
    itemIndex: Number(row.item_index),
    resultBytes: row.result_bytes === null ? null : Number(row.result_bytes),
  }));
}

/** How many of a workflow run's fan-out items have their latest run in each state, by step. */
export async function countLatestItemRunsByState(
  db: SqlExecutor,
  workflowRunId: string,
): Promise<{ step_name: string; state: string; count: number }[]> {
  return db.query<{ step_name: string; state: string; count: number }>(
    `SELECT step_name, state, count(*)::int AS count FROM (
       SELECT DISTINCT ON (step_name, item_index) step_name, state FROM runs
       WHERE workflow_run_id = $1::uuid AND item_index IS NOT NULL
       ORDER BY step_name, item_index, attempt DESC) latest
     GROUP BY step_name, state`,
    [workflowRunId],
  );
}

/**
 * At most this many bytes of runs' results are read in one statement: a page of items comes
 * back in a few small reads rather than one of up to 200 × 64 KiB (the RDS Data API refuses an
 * answer over 1 MiB).
 */
const RESULT_READ_BYTES = 512 * 1024;

/** The results of the runs given (with their sizes), read a few hundred KiB at a time. */
export async function readResults(
  db: SqlExecutor,
  runs: { id: string; bytes: number }[],
): Promise<Map<string, string>> {
  const results = new Map<string, string>();
  let batch: string[] = [];
  let bytes = 0;
  const read = async () => {
    if (batch.length === 0) return;
    const rows = await db.query<{ id: string; result: string }>(
      'SELECT id, result FROM runs WHERE id = ANY($1::uuid[]) AND result IS NOT NULL',
      [batch],
    );
    for (const row of rows) results.set(row.id, row.result);
    batch = [];
    bytes = 0;
  };
  for (const run of runs) {
    if (batch.length > 0 && bytes + run.bytes > RESULT_READ_BYTES) await read();
    batch.push(run.id);
    bytes += run.bytes;
  }
  await read();
  return results;
}
