import { Readable } from 'node:stream';
import type { ObjectStore } from '../../services/aws/object-store.js';
import type { SqlExecutor } from '../../services/db/database.js';
import { quoteLiteral } from '../../services/db/sql-text.js';
import { stepManifestKey } from '../runs/results-layout.js';
import { RUN_STATES } from '../runs/run-states.js';
import { latestStepRunSql, readResults } from '../runs/workflow-step-runs.js';
import { RUN_TO_STEP, type ItemState } from './step-states.js';
import { runDefinitionSql } from './workflow-versions.js';

/**
 * The items of a fan-out step, each with its run's latest attempt: what GET
 * /workflow-runs/:id/steps/:name/items pages through and what the step's manifest (items.jsonl)
 * holds. A step reused by a retry shows the items of the workflow run it was reused from.
 */

export { ITEM_STATES, type ItemState } from './step-states.js';

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
  /** Why its run failed, timed out or was cancelled (`reason: message`); null otherwise. */
  reason: string | null;
  /** Its run's results folder (`s3://bucket/prefix/`: logs, run.json, output/…); null while it has no run. */
  results: string | null;
}

/**
 * An item's state from its latest run's, as a plain step's follows its run (RUN_TO_STEP); with no
 * run yet, pending, or skipped or cancelled with its step.
 */
const ITEM_STATE_SQL = `CASE
    WHEN r.state IS NULL THEN CASE s.state WHEN ${quoteLiteral('skipped')} THEN ${quoteLiteral('skipped')}
      WHEN ${quoteLiteral('cancelled')} THEN ${quoteLiteral('cancelled')} ELSE ${quoteLiteral('pending')} END
    ${RUN_STATES.map((state) => `WHEN r.state = ${quoteLiteral(state)} THEN ${quoteLiteral(RUN_TO_STEP[state])}`).join('\n    ')}
    END`;

/** The columns of an item's latest run a page of items shows. */
const ITEM_RUN_COLUMNS = [
  'id',
  'state',
  'exit_code',
  'attempt',
  'result',
  'failure_reason',
  'failure_message',
  'results_bucket',
  'results_prefix',
];

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
  const afterIndex = options.afterIndex ?? -1;
  const limit = options.limit ?? 2_147_483_647;
  // Unfiltered, a page is the items from afterIndex on, read by index: its cost is the page's,
  // not the step's (a manifest of 10,000 items is read in 200 pages). Filtered by state, every
  // item after afterIndex is looked at.
  const indexes =
    options.states === undefined
      ? `generate_series($3::int + 1, least($3::bigint + $5::int, jsonb_array_length(coalesce(s.items, '[]'::jsonb)) - 1)::int)`
      : `generate_series($3::int + 1, jsonb_array_length(coalesce(s.items, '[]'::jsonb)) - 1)`;
  const rows = await db.query<{
    index: number;
    item: string;
    state: ItemState;
    run_id: string | null;
    exit_code: number | null;
    attempt: number | null;
    result_bytes: number | null;
    failure_reason: string | null;
    failure_message: string | null;
    results_bucket: string | null;
    results_prefix: string | null;
  }>(
    `SELECT * FROM (
       SELECT e.i AS index, (s.items -> e.i)::text AS item, ${ITEM_STATE_SQL} AS state,
              r.id AS run_id, r.exit_code, r.attempt, octet_length(r.result) AS result_bytes,
              r.failure_reason, r.failure_message, r.results_bucket, r.results_prefix
       FROM workflow_steps s
       CROSS JOIN LATERAL ${indexes} AS e(i)
       LEFT JOIN LATERAL (
         ${latestStepRunSql(ITEM_RUN_COLUMNS, {
           workflowRunIdSql: 'coalesce(s.reused_from, s.workflow_run_id)',
           stepNameSql: 's.name',
           itemIndexSql: 'e.i',
         })}) r ON true
       WHERE s.workflow_run_id = $1::uuid AND s.name = $2) items
     WHERE ($4::text[] IS NULL OR state = ANY ($4::text[]))
     ORDER BY index LIMIT $5::int`,
    [workflowRunId, step, afterIndex, options.states ?? null, limit],
  );
  const results = await readResults(
    db,
    rows.flatMap((row) =>
      row.run_id !== null && row.result_bytes !== null
        ? [{ id: row.run_id, bytes: Number(row.result_bytes) }]
        : [],
    ),
  );
  return rows.map((row) => ({
    index: Number(row.index),
    item: JSON.parse(row.item) as unknown,
    state: row.state,
    runId: row.run_id,
    exitCode: row.exit_code === null ? null : Number(row.exit_code),
    attempts: row.attempt === null ? 0 : Number(row.attempt),
    result: row.run_id === null ? null : (results.get(row.run_id) ?? null),
    reason: row.failure_reason === null ? null : `${row.failure_reason}: ${row.failure_message ?? ''}`.trim(),
    results:
      row.run_id === null || row.results_bucket === null
        ? null
        : `s3://${row.results_bucket}/${row.results_prefix ?? ''}`,
  }));
}

/**
 * One line of a manifest (index, item, state, exitCode, attempts, result, runId, reason, results),
 * with its newline: the item as GET /workflow-runs/:id/steps/:name/items shows it.
 */
export function manifestLine(i: StepItem): string {
  const line = JSON.stringify({
    index: i.index,
    item: i.item,
    state: i.state,
    exitCode: i.exitCode,
    attempts: i.attempts,
    result: i.result,
    runId: i.runId,
    reason: i.reason,
    results: i.results,
  });
  return `${line}\n`;
}

/** How many items a manifest is read at a time: with results of up to 120 KiB each, a few MiB held. */
const MANIFEST_PAGE = 50;

/**
 * A step's manifest, line by line, read a page of items at a time: never the whole of it in
 * memory (10,000 items of 64 KiB come to 640 MiB, more than one string may hold).
 */
export async function* manifestLines(
  db: SqlExecutor,
  workflowRunId: string,
  step: string,
): AsyncGenerator<string> {
  let afterIndex = -1;
  for (;;) {
    const page = (await readStepItems(db, workflowRunId, step, { afterIndex, limit: MANIFEST_PAGE })) ?? [];
    for (const item of page) yield manifestLine(item);
    if (page.length < MANIFEST_PAGE) return;
    afterIndex = page[page.length - 1]!.index;
  }
}

/**
 * Writes the manifest of each fan-out step of the workflow run that has ended and has none yet
 * (`<step's folder>items.jsonl`, failed items included), streamed to the store, and records that
 * it did. Its folder is the one of the definition the workflow run started with (an update of the
 * workflow meanwhile moves nothing). Returns how many it wrote: their dependants wait for them
 * (the caller moves the workflow run on).
 * Steps reused by a retry have theirs in the workflow run they come from.
 */
export async function writeStepManifests(
  db: SqlExecutor,
  store: ObjectStore,
  workflowRunId: string,
): Promise<{ written: number }> {
  const due = await db.query<{
    name: string;
    bucket: string;
    destination: string;
    unique_id: string;
  }>(
    `SELECT s.name, d.definition -> 'shared' ->> 's3_bucket' AS bucket,
            d.definition -> 'shared' ->> 'destination_s3_prefix' AS destination,
            d.definition -> 'shared' ->> 'uniqueId' AS unique_id
     FROM workflow_steps s JOIN workflow_runs r ON r.id = s.workflow_run_id
     CROSS JOIN LATERAL (SELECT ${runDefinitionSql('r')} AS definition) d
     WHERE s.workflow_run_id = $1::uuid AND s.manifest_written_at IS NULL AND s.items IS NOT NULL
       AND s.ended_at IS NOT NULL AND s.reused_from IS NULL`,
    [workflowRunId],
  );
  for (const step of due) {
    const key = stepManifestKey(
      { destination_s3_prefix: step.destination, uniqueId: step.unique_id },
      { workflowRunId, step: step.name },
    );
    await store.putObject(
      step.bucket,
      key,
      Readable.from(manifestLines(db, workflowRunId, step.name)),
      'application/x-ndjson',
    );
    await db.query(
      'UPDATE workflow_steps SET manifest_written_at = now() WHERE workflow_run_id = $1::uuid AND name = $2',
      [workflowRunId, step.name],
    );
  }
  return { written: due.length };
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
