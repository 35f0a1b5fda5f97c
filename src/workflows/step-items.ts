import type { ObjectStore } from '../../services/aws/object-store.js';
import type { SqlExecutor } from '../../services/db/database.js';
import { stepManifestKey } from '../runs/results-layout.js';

/**
 * The items of a fan-out step, each with its run's latest attempt: what GET
 * /workflow-runs/:id/steps/:name/items pages through and what the step's manifest (items.jsonl)
 * holds. A step reused by a retry shows the items of the workflow run it was reused from.
 */

export const ITEM_STATES = [
  'pending',
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'skipped',
] as const;
export type ItemState = (typeof ITEM_STATES)[number];

export interface StepItem {
  index: number;
  item: unknown;
  /** pending (not started yet), queued, running, succeeded, failed (timed out included), cancelled, skipped. */
  state: ItemState;
  /** The item's run (its latest attempt); null while it has none. */
  runId: string | null;
  exitCode: number | null;
  attempts: number;
  /** The item's result: the last non-empty line of its stdout, as text. */
  result: string | null;
}

/** An item's state from its run's (none yet: from its step's). */
const ITEM_STATE_SQL = `CASE
    WHEN r.state IS NULL THEN CASE s.state WHEN 'skipped' THEN 'skipped' WHEN 'cancelled' THEN 'cancelled' ELSE 'pending' END
    WHEN r.state IN ('staging', 'building', 'running', 'uploading') THEN 'running'
    WHEN r.state = 'timed_out' THEN 'failed'
    ELSE r.state END`;

/**
 * Items of a step, in index order, after `afterIndex` (-1: from the first), only those in `states`
 * (all when undefined), at most `limit`. Undefined when the workflow run has no such step.
 */
export async function readStepItems(
  db: SqlExecutor,
  workflowRunId: string,
  step: string,
  options: { states?: readonly ItemState[]; afterIndex?: number; limit?: number } = {},
): Promise<StepItem[] | undefined> {
  const [found] = await db.query(
    'SELECT 1 FROM workflow_steps WHERE workflow_run_id = $1::uuid AND name = $2',
    [workflowRunId, step],
  );
  if (!found) return undefined;
  const rows = await db.query<{
    index: number;
    item: string;
    state: ItemState;
    run_id: string | null;
    exit_code: number | null;
    attempt: number | null;
    result: string | null;
  }>(
    `SELECT * FROM (
       SELECT (e.ordinality - 1)::int AS index, e.value::text AS item, ${ITEM_STATE_SQL} AS state,
              r.id AS run_id, r.exit_code, r.attempt, r.result
       FROM workflow_steps s
       CROSS JOIN LATERAL jsonb_array_elements(coalesce(s.items, '[]'::jsonb)) WITH ORDINALITY AS e(value, ordinality)
       LEFT JOIN LATERAL (
         SELECT id, state, exit_code, attempt, result FROM runs
         WHERE workflow_run_id = coalesce(s.reused_from, s.workflow_run_id) AND step_name = s.name
           AND item_index = e.ordinality - 1
         ORDER BY attempt DESC LIMIT 1) r ON true
       WHERE s.workflow_run_id = $1::uuid AND s.name = $2 AND e.ordinality - 1 > $3::int) items
     WHERE ($4::text[] IS NULL OR state = ANY ($4::text[]))
     ORDER BY index LIMIT $5::int`,
    [workflowRunId, step, options.afterIndex ?? -1, options.states ?? null, options.limit ?? 2_147_483_647],
  );
  return rows.map((row) => ({
    index: Number(row.index),
    item: JSON.parse(row.item) as unknown,
    state: row.state,
    runId: row.run_id,
    exitCode: row.exit_code === null ? null : Number(row.exit_code),
    attempts: row.attempt === null ? 0 : Number(row.attempt),
    result: row.result,
  }));
}

/** A manifest: one JSON line per item (index, item, state, exitCode, attempts, result, runId). */
export function manifestText(items: StepItem[]): string {
  return items
    .map((i) =>
      JSON.stringify({
        index: i.index,
        item: i.item,
        state: i.state,
        exitCode: i.exitCode,
        attempts: i.attempts,
        result: i.result,
        runId: i.runId,
      }),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/**
 * Writes the manifest of each fan-out step of the workflow run that has ended and has none yet
 * (`<step's folder>items.jsonl`, failed items included), and records that it did. Returns how
 * many it wrote. Steps reused by a retry have theirs in the workflow run they come from.
 */
export async function writeStepManifests(
  db: SqlExecutor,
  store: ObjectStore,
  workflowRunId: string,
): Promise<number> {
  const due = await db.query<{ name: string; bucket: string; destination: string; unique_id: string }>(
    `SELECT s.name, w.definition -> 'shared' ->> 's3_bucket' AS bucket,
            w.definition -> 'shared' ->> 'destination_s3_prefix' AS destination, w.unique_id
     FROM workflow_steps s JOIN workflow_runs r ON r.id = s.workflow_run_id JOIN workflows w ON w.id = r.workflow_id
     WHERE s.workflow_run_id = $1::uuid AND s.manifest_written_at IS NULL AND s.items IS NOT NULL
       AND s.ended_at IS NOT NULL AND s.reused_from IS NULL`,
    [workflowRunId],
  );
  for (const step of due) {
    const items = (await readStepItems(db, workflowRunId, step.name)) ?? [];
    const key = stepManifestKey(
      { destination_s3_prefix: step.destination, uniqueId: step.unique_id },
      { workflowRunId, step: step.name },
    );
    await store.putObject(step.bucket, key, manifestText(items), 'application/x-ndjson');
    await db.query(
      'UPDATE workflow_steps SET manifest_written_at = now() WHERE workflow_run_id = $1::uuid AND name = $2',
      [workflowRunId, step.name],
    );
  }
  return due.length;
}

/** Workflow runs with an ended fan-out step whose manifest is not written (a crash in between). */
export async function workflowRunsWithManifestsDue(db: SqlExecutor, limit: number): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `SELECT DISTINCT workflow_run_id AS id FROM (
       SELECT workflow_run_id FROM workflow_steps
       WHERE manifest_written_at IS NULL AND items IS NOT NULL AND ended_at IS NOT NULL AND reused_from IS NULL
       ORDER BY ended_at LIMIT $1::int) due`,
    [limit],
  );
  return rows.map((r) => r.id);
}
