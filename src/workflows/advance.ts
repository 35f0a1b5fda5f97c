import type { SqlExecutor } from '../../services/db/database.js';
import type { JobSpec, StepInput } from '../jobs/job-spec.js';
import { insertRuns, type NewRun } from '../runs/queue-runs.js';
import { stepResultsPrefix } from '../runs/results-layout.js';
import { newRunId, requestCancel } from '../runs/run-repository.js';
import { sqlStates, UNFINISHED_STATES, type RunState } from '../runs/run-states.js';
import { cancelQueued } from '../runs/transitions.js';
import { fillPlaceholders, type PlaceholderValues } from './placeholders.js';
import {
  MAX_ITEMS,
  resultEnvName,
  type StepDefinition,
  type WorkflowDefinition,
} from './workflow-definition.js';
import {
  itemResultsMayFit,
  joinItemResults,
  MANIFEST_FILE,
  manifestEnvName,
  manifestPath,
  truncatedPlaceholder,
} from './step-results.js';
import { runDefinitionSql } from './workflow-versions.js';
import { readResults } from './step-items.js';
import { recordWorkflowRunChange } from './workflow-events.js';

/**
 * Moves a workflow run on: under a lock of its row, reads its steps and its runs that have not
 * ended, ends the steps whose runs have ended, starts (or skips) the steps whose dependencies
 * allow, up to max_parallel runs at once, and ends the workflow run when every step has ended.
 * Called in the transaction that ends a step's run, so a crash cannot separate the two;
 * idempotent, so the periodic pass may call it again for any workflow run.
 *
 * Its cost does not grow with a fan-out's size: a fan-out step keeps how many of its items have
 * started (items start in index order), so an item's end reads only the unfinished runs and the
 * items about to start; every item's run is read once, when the step ends.
 *
 * A fan-out step's result is bounded (`limits.maxResultBytes`, see step-results.ts): over it,
 * its dependants wait until its manifest is written (just after the transaction that ends it) and
 * are given it as a file.
 *
 * Returns how many runs it queued (the caller wakes the workers) and whether the workflow run ended.
 */

/** The bound of what a step's result carries inline (TDS_MAX_RESULT_BYTES). */
export interface StepResultLimits {
  maxResultBytes: number;
}

export type StepState = 'pending' | 'queued' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
const ENDED_STEP: readonly StepState[] = ['succeeded', 'failed', 'skipped', 'cancelled'];

interface StepRow {
  name: string;
  state: StepState;
  reason: string | null;
  result: string | null;
  exit_code: number | null;
  attempts: number;
  /** A fan-out step's number of items, once known; null for a plain step (and before). */
  item_count: number | null;
  /** How many of a fan-out step's items have had their run started: the next item's index. */
  items_started: number;
  outputs: StepInput[];
  reused_from: string | null;
  /** A fan-out step's result was over the bound: null here, kept only in its manifest. */
  result_truncated: boolean;
  /** Its manifest is in the store (written by this workflow run, or by the one a retry reused it from). */
  manifest_ready: boolean;
}

/** What advance writes to a step's row beside what it reads: the items once they are known. */
type StepChange = Partial<StepRow> & { items?: unknown[] };

/** A run not ended yet, as advance needs it. */
interface UnfinishedRun {
  id: string;
  step_name: string;
  state: RunState;
}

interface RunRow {
  id: string;
  step_name: string;
  item_index: number | null;
  state: RunState;
  exit_code: number | null;
  /** A plain step's result; null for a fan-out's item, whose `result_bytes` are read instead. */
  result: string | null;
  result_bytes: number | null;
  attempt: number;
  failure_reason: string | null;
  failure_message: string | null;
  results_bucket: string;
  results_prefix: string;
}

interface WorkflowRunRow {
  id: string;
  workflow_id: string;
  state: string;
  max_parallel: number;
  cancel_requested: boolean;
  /** Queued, and waits for an earlier unfinished run of its workflow to end (a schedule's overlap policy). */
  waiting: boolean;
  definition: WorkflowDefinition;
}

export interface Advanced {
  queued: number;
  ended: boolean;
  cancelRequested: number;
  /** A fan-out step ended: its manifest is to be written once the transaction commits. */
  fanOutEnded: boolean;
}

/** The state a plain step has while its run is in each state. */
export const RUN_TO_STEP: Partial<Record<RunState, StepState>> = {
  queued: 'queued',
  staging: 'running',
  building: 'running',
  running: 'running',
  uploading: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  timed_out: 'failed',
  cancelled: 'cancelled',
};

const isUnfinished = (state: RunState) => (UNFINISHED_STATES as readonly RunState[]).includes(state);

/** An item as the text of {{item}} and TDS_ITEM: a string as it is, anything else as JSON. */
export function itemText(item: unknown): string {
  return typeof item === 'string' ? item : JSON.stringify(item);
}

export async function advanceWorkflowRun(
  tx: SqlExecutor,
  workflowRunId: string,
  limits: StepResultLimits,
): Promise<Advanced> {
  const [wr] = await tx.query<WorkflowRunRow>(
    `SELECT r.id, r.workflow_id, r.state, r.max_parallel, r.cancel_requested_at IS NOT NULL AS cancel_requested,
            ${runDefinitionSql('r')} AS definition,
            (r.state = 'queued' AND r.waits_for_previous AND EXISTS (
              SELECT FROM workflow_runs p WHERE p.workflow_id = r.workflow_id AND p.state IN ('queued', 'running')
                AND (p.queued_at, p.id) < (r.queued_at, r.id))) AS waiting
     FROM workflow_runs r
     WHERE r.id = $1::uuid FOR UPDATE OF r`,
    [workflowRunId],
  );
  const outcome: Advanced = { queued: 0, ended: false, cancelRequested: 0, fanOutEnded: false };
  if (!wr || !['queued', 'running'].includes(wr.state)) return outcome;
  if (wr.waiting && !wr.cancel_requested) {
    // Started by the end of the run it waits for (below); until then the periodic pass need not look.
    await tx.query('UPDATE workflow_runs SET advanced_at = clock_timestamp() WHERE id = $1::uuid', [wr.id]);
    return outcome;
  }
  const definition = wr.definition;
  const stepRows = await tx.query<StepRow>(
    `SELECT s.name, s.state, s.reason, s.result, s.exit_code, s.attempts,
            jsonb_array_length(s.items) AS item_count, s.items_started, s.outputs, s.reused_from,
            s.result_truncated,
            (s.manifest_written_at IS NOT NULL OR EXISTS (
              SELECT FROM workflow_steps o WHERE o.workflow_run_id = s.reused_from AND o.name = s.name
                AND o.manifest_written_at IS NOT NULL)) AS manifest_ready
     FROM workflow_steps s WHERE s.workflow_run_id = $1::uuid`,
    [workflowRunId],
  );
  const unfinished = await tx.query<UnfinishedRun>(
    `SELECT id, step_name, state FROM runs
     WHERE workflow_run_id = $1::uuid AND state IN ${sqlStates(UNFINISHED_STATES)}`,
    [workflowRunId],
  );
  const steps = new Map(stepRows.map((s) => [s.name, s]));
  const changes = new Map<string, StepChange>();
  const started = new Set<string>();
  const ended = new Set<string>();
  const set = (name: string, values: StepChange) => {
    const row = steps.get(name)!;
    if (values.state && !ENDED_STEP.includes(row.state) && ENDED_STEP.includes(values.state)) ended.add(name);
    if (values.state && row.state === 'pending' && values.state !== 'pending') started.add(name);
    const { items, ...columns } = values;
    Object.assign(row, columns);
    if (items) row.item_count = items.length;
    changes.set(name, { ...changes.get(name), ...values });
  };
  const newRuns: NewRun[] = [];

  // Cancelling: no new runs; queued runs are cancelled, those under way are asked to stop.
  if (wr.cancel_requested) {
    for (const run of unfinished) {
      if (run.state === 'queued') {
        const cancelled = await cancelQueued(
          tx,
          run.id,
          'the workflow run was cancelled before this step started',
        );
        if (cancelled) run.state = 'cancelled';
      } else if (await requestCancel(tx, run.id)) {
        outcome.cancelRequested++;
      }
    }
  }
  let unfinishedRuns = unfinished.filter((r) => isUnfinished(r.state)).length;
  const stepUnderWay = (name: string) =>
    unfinished.some((r) => r.step_name === name && isUnfinished(r.state));

  // Steps under way: end those whose runs have all ended.
  const plainUnderWay = definition.steps
    .filter(
      (step) => step.forEach.kind === 'none' && ['queued', 'running'].includes(steps.get(step.name)!.state),
    )
    .map((step) => step.name);
  const latestRuns =
    plainUnderWay.length === 0 ? [] : await latestRunsOf(tx, workflowRunId, { plainSteps: plainUnderWay });
  for (const step of definition.steps) {
    const row = steps.get(step.name)!;
    if (row.state !== 'queued' && row.state !== 'running') continue;
    if (step.forEach.kind === 'none') {
      const run = latestRuns.find((r) => r.step_name === step.name);
      if (!run) continue;
      const state = RUN_TO_STEP[run.state]!;
      if (state === row.state) continue;
      set(step.name, {
        state,
        result: run.result,
        exit_code: run.exit_code,
        attempts: run.attempt,
        reason:
          state === 'failed' || state === 'cancelled'
            ? `${run.failure_reason ?? state}: ${run.failure_message ?? ''}`.trim()
            : null,
        outputs:
          state === 'succeeded'
            ? [{ name: step.name, bucket: run.results_bucket, prefix: `${run.results_prefix}output/` }]
            : row.outputs,
      });
      continue;
    }
    const count = row.item_count ?? 0;
    const notStarted = count - row.items_started;
    if (!wr.cancel_requested && notStarted > 0) {
      // More items, in index order, as places free up.
      const room = Math.min(notStarted, wr.max_parallel - unfinishedRuns);
      const next = room > 0 ? await itemsFrom(tx, workflowRunId, step.name, row.items_started, room) : [];
      for (const [offset, item] of next.entries()) {
        newRuns.push(stepRun(wr.id, step, definition, steps, { item, index: row.items_started + offset }));
      }
      unfinishedRuns += next.length;
      if (next.length > 0 || row.state === 'queued') {
        set(step.name, { state: 'running', items_started: row.items_started + next.length });
      }
      continue;
    }
    if (stepUnderWay(step.name)) continue;
    // Every item's run has ended (or, cancelling, will not start): the one read of them all.
    const runs = await latestRunsOf(tx, workflowRunId, { fanOutStep: step.name });
    const result = await fanOutResult(tx, runs, limits.maxResultBytes);
    const failed = runs.filter((r) => r.state !== 'succeeded' && r.state !== 'cancelled').length;
    const cancelled = runs.filter((r) => r.state === 'cancelled').length + Math.max(0, notStarted);
    const tolerated =
      'count' in step.maxFailures
        ? step.maxFailures.count
        : Math.floor((step.maxFailures.percent * count) / 100);
    const state: StepState = cancelled > 0 ? 'cancelled' : failed > tolerated ? 'failed' : 'succeeded';
    const folder = stepResultsPrefix(step.spec, {
      workflowRunId,
      step: step.name,
      itemIndex: null,
      attempt: 1,
    });
    set(step.name, {
      state,
      result: result ?? null,
      result_truncated: result === undefined,
      attempts: Math.max(0, ...runs.map((r) => r.attempt)),
      reason:
        state === 'failed'
          ? `${failed} of ${count} items failed; max_failures allows ${tolerated}`
          : state === 'cancelled'
            ? 'the workflow run was cancelled'
            : failed > 0
              ? `${failed} of ${count} items failed, within max_failures (${tolerated})`
              : null,
      outputs: [
        ...runs
          .filter((r) => r.state === 'succeeded')
          .map((r) => ({
            name: `${step.name}/${r.item_index}`,
            bucket: r.results_bucket,
            prefix: `${r.results_prefix}output/`,
          })),
        // Over the bound, the result reaches the dependants as the manifest, a file beside the items' folders.
        ...(result === undefined
          ? [{ name: step.name, bucket: step.spec.s3_bucket, prefix: folder, file: MANIFEST_FILE }]
          : []),
      ],
    });
  }

  // Pending steps: start, skip or (when cancelling) cancel those whose dependencies have ended.
  for (const name of definition.order) {
    const step = definition.steps.find((s) => s.name === name)!;
    const row = steps.get(name)!;
    if (row.state !== 'pending') continue;
    if (wr.cancel_requested) {
      set(name, { state: 'cancelled', reason: 'the workflow run was cancelled before this step started' });
      continue;
    }
    const deps = step.dependsOn.map((d) => ({ name: d, state: steps.get(d)!.state }));
    if (deps.some((d) => !ENDED_STEP.includes(d.state))) continue;
    // A dependency's result kept only in its manifest is given as that file: wait until it is written.
    if (step.dependsOn.some((d) => steps.get(d)!.result_truncated && !steps.get(d)!.manifest_ready)) continue;
    const skip = skipReason(step, deps);
    if (skip) {
      set(name, { state: 'skipped', reason: skip });
      continue;
    }
    const truncated = truncatedPlaceholder(
      step,
      (d) => steps.get(d)?.result_truncated === true,
      limits.maxResultBytes,
    );
    if (truncated) {
      set(name, { state: 'failed', reason: truncated });
      continue;
    }
    if (step.forEach.kind === 'none') {
      if (unfinishedRuns >= wr.max_parallel) continue;
      newRuns.push(stepRun(wr.id, step, definition, steps, undefined));
      unfinishedRuns++;
      set(name, { state: 'queued' });
      continue;
    }
    const items = itemsOf(step, steps, limits.maxResultBytes);
    if (typeof items === 'string') {
      set(name, { state: 'failed', reason: items });
      continue;
    }
    if (items.length === 0) {
      set(name, { state: 'succeeded', result: '[]', items, reason: 'no items' });
      continue;
    }
    const first = items.slice(0, Math.max(0, wr.max_parallel - unfinishedRuns));
    for (const [index, item] of first.entries()) {
      newRuns.push(stepRun(wr.id, step, definition, steps, { item, index }));
    }
    unfinishedRuns += first.length;
    set(name, { state: 'running', items, items_started: first.length });
  }

  await insertRuns(tx, newRuns);
  outcome.queued = newRuns.length;
  outcome.fanOutEnded = definition.steps.some(
    (s) => s.forEach.kind !== 'none' && ended.has(s.name) && steps.get(s.name)!.item_count !== null,
  );
  for (const [name, change] of changes) {
    const row = steps.get(name)!;
    await tx.query(
      `UPDATE workflow_steps SET state = $3, reason = $4, result = $5, result_truncated = $6::boolean,
              exit_code = $7::int, attempts = $8::int,
              items = CASE WHEN $9::jsonb IS NULL THEN items ELSE $9::jsonb END, items_started = $10::int,
              outputs = $11::jsonb,
              started_at = CASE WHEN $12::boolean THEN clock_timestamp() ELSE started_at END,
              ended_at = CASE WHEN $13::boolean THEN clock_timestamp() ELSE ended_at END
       WHERE workflow_run_id = $1::uuid AND name = $2`,
      [
        wr.id,
        name,
        row.state,
        row.reason,
        row.result,
        row.result_truncated,
        row.exit_code,
        row.attempts,
        change.items === undefined ? null : JSON.stringify(change.items),
        row.items_started,
        JSON.stringify(row.outputs),
        started.has(name) && row.state !== 'skipped' && row.state !== 'cancelled',
        ended.has(name),
      ],
    );
  }
  if (wr.state === 'queued') {
    await tx.query(
      `UPDATE workflow_runs SET state = 'running', started_at = clock_timestamp() WHERE id = $1::uuid`,
      [wr.id],
    );
    await recordWorkflowRunChange(tx, wr.id, 'started');
  }
  const all = [...steps.values()];
  if (all.every((s) => ENDED_STEP.includes(s.state))) {
    await endWorkflowRun(tx, wr);
    outcome.ended = true;
    // The workflow's next run waiting for this one to end starts now, in the same transaction.
    const [next] = await tx.query<{ id: string }>(
      `SELECT id FROM workflow_runs WHERE workflow_id = $1::uuid AND state = 'queued' AND waits_for_previous
       ORDER BY queued_at, id LIMIT 1`,
      [wr.workflow_id],
    );
    if (next) outcome.queued += (await advanceWorkflowRun(tx, next.id, limits)).queued;
  } else {
    await tx.query('UPDATE workflow_runs SET advanced_at = clock_timestamp() WHERE id = $1::uuid', [wr.id]);
  }
  return outcome;
}

/** Each latest attempt's run of the plain steps named, or of every item of a fan-out step in item order. */
function latestRunsOf(
  tx: SqlExecutor,
  workflowRunId: string,
  which: { plainSteps: string[] } | { fanOutStep: string },
): Promise<RunRow[]> {
  const columns = `id, step_name, item_index, state, exit_code, attempt, failure_reason, failure_message,
                   results_bucket, results_prefix`;
  return 'plainSteps' in which
    ? tx.query<RunRow>(
        `SELECT DISTINCT ON (step_name) ${columns}, result, NULL AS result_bytes FROM runs
         WHERE workflow_run_id = $1::uuid AND step_name = ANY($2::text[]) AND item_index IS NULL
         ORDER BY step_name, attempt DESC`,
        [workflowRunId, which.plainSteps],
      )
    : tx.query<RunRow>(
        `SELECT DISTINCT ON (item_index) ${columns}, NULL AS result, octet_length(result) AS result_bytes FROM runs
         WHERE workflow_run_id = $1::uuid AND step_name = $2 AND item_index IS NOT NULL
         ORDER BY item_index, attempt DESC`,
        [workflowRunId, which.fanOutStep],
      );
}

/**
 * A fan-out step's result from its items' runs (in item order), or undefined over `maxBytes`:
 * the results are read only when their sizes allow a result within it.
 */
async function fanOutResult(tx: SqlExecutor, runs: RunRow[], maxBytes: number): Promise<string | undefined> {
  const sizes = runs.map((r) => (r.result_bytes === null ? null : Number(r.result_bytes)));
  if (!itemResultsMayFit(sizes, maxBytes)) return undefined;
  const results = await readResults(
    tx,
    runs.flatMap((r, i) => (sizes[i] === null ? [] : [{ id: r.id, bytes: sizes[i]! }])),
  );
  return joinItemResults(
    runs.map((r) => results.get(r.id) ?? null),
    maxBytes,
  );
}

/** `count` of a fan-out step's stored items from index `from` on, read without the rest of the list. */
async function itemsFrom(
  tx: SqlExecutor,
  workflowRunId: string,
  step: string,
  from: number,
  count: number,
): Promise<unknown[]> {
  const rows = await tx.query<{ item: unknown }>(
    `SELECT items -> i AS item FROM workflow_steps, generate_series($3::int, $3::int + $4::int - 1) AS i
     WHERE workflow_run_id = $1::uuid AND name = $2 ORDER BY i`,
    [workflowRunId, step, from, count],
  );
  return rows.map((r) => r.item);
}

/** Why a step whose dependencies have all ended does not run, or undefined when it runs. */
function skipReason(step: StepDefinition, deps: { name: string; state: StepState }[]): string | undefined {
  const verb = (state: StepState) =>
    state === 'skipped' ? 'was skipped' : state === 'cancelled' ? 'was cancelled' : 'failed';
  if (step.runIf === 'all_succeeded') {
    const bad = deps.find((d) => d.state !== 'succeeded');
    return bad ? `dependency "${bad.name}" ${verb(bad.state)}` : undefined;
  }
  if (step.runIf === 'any_failed') {
    return deps.some((d) => d.state === 'failed') ? undefined : 'run_if any_failed: no dependency failed';
  }
  return undefined;
}

/** A fan-out step's items, or why they cannot be had. */
function itemsOf(step: StepDefinition, steps: Map<string, StepRow>, maxBytes: number): unknown[] | string {
  if (step.forEach.kind === 'static') return step.forEach.items;
  if (step.forEach.kind === 'none') return [];
  const source = step.forEach.step;
  if (steps.get(source)?.result_truncated) {
    return `for_each: the result of fan-out step "${source}" came to more than ${maxBytes} bytes (TDS_MAX_RESULT_BYTES) and is kept only in its manifest; a for_each list must be a result within that bound`;
  }
  const text = steps.get(source)?.result ?? '';
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch {
    return `for_each: the result of step "${source}" is not JSON (a JSON array is needed): ${JSON.stringify(text.slice(0, 80))}`;
  }
  if (!Array.isArray(items)) return `for_each: the result of step "${source}" is JSON but not an array`;
  if (items.length > MAX_ITEMS)
    return `for_each: the result of step "${source}" has ${items.length} items; at most ${MAX_ITEMS}`;
  return items;
}

/** The run of a step (or of one item of it): placeholders filled, earlier results in env, earlier outputs staged. */
function stepRun(
  workflowRunId: string,
  step: StepDefinition,
  definition: WorkflowDefinition,
  steps: Map<string, StepRow>,
  item: { item: unknown; index: number } | undefined,
): NewRun {
  const results: Record<string, string> = {};
  for (const [name, row] of steps) results[name] = row.result ?? '';
  const values: PlaceholderValues = {
    results,
    ...(item ? { item: itemText(item.item), index: item.index } : {}),
  };
  const fill = (text: string) => fillPlaceholders(text, values);
  const base = step.spec;
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base.env)) env[name] = fill(value);
  // Earlier results in the environment: each is within TDS_MAX_RESULT_BYTES, which fits in one
  // variable. One over it (a large fan-out's) is not there; a dependency's manifest is named instead.
  for (const name of ancestorsOf(step, definition)) {
    if (!steps.get(name)?.result_truncated) env[resultEnvName(name)] = results[name] ?? '';
    else if (step.dependsOn.includes(name)) env[manifestEnvName(name)] = manifestPath(name);
  }
  // The item's reserved variables (the user may not set TDS_ names).
  if (item) Object.assign(env, { TDS_ITEM: values.item!, TDS_INDEX: String(item.index) });
  const spec: JobSpec = {
    ...base,
    command: base.command === null ? null : fill(base.command),
    args: base.args === null ? null : typeof base.args === 'string' ? fill(base.args) : base.args.map(fill),
    env,
    step_inputs: step.dependsOn.flatMap((d) => steps.get(d)?.outputs ?? []),
    capture_result: true,
  };
  const itemIndex = item?.index ?? null;
  return {
    id: newRunId(),
    jobId: null,
    trigger: 'workflow',
    spec,
    step: {
      workflowRunId,
      name: step.name,
      itemIndex,
      resultsPrefix: stepResultsPrefix(spec, { workflowRunId, step: step.name, itemIndex, attempt: 1 }),
    },
  };
}

/** A step's dependencies and theirs: the steps whose results it is given. */
function ancestorsOf(step: StepDefinition, definition: WorkflowDefinition): string[] {
  const byName = new Map(definition.steps.map((s) => [s.name, s]));
  const found = new Set<string>();
  const queue = [...step.dependsOn];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (found.has(name)) continue;
    found.add(name);
    queue.push(...(byName.get(name)?.dependsOn ?? []));
  }
  return [...found];
}

async function endWorkflowRun(tx: SqlExecutor, wr: WorkflowRunRow): Promise<void> {
  const [firstFailed] = await tx.query<{ name: string; reason: string | null }>(
    `SELECT name, reason FROM workflow_steps WHERE workflow_run_id = $1::uuid AND state = 'failed'
     ORDER BY ended_at, position LIMIT 1`,
    [wr.id],
  );
  const state = wr.cancel_requested ? 'cancelled' : firstFailed ? 'failed' : 'succeeded';
  const failure =
    state === 'failed'
      ? {
          step: firstFailed!.name,
          reason: 'step_failed',
          message: `step "${firstFailed!.name}" failed: ${firstFailed!.reason ?? ''}`,
        }
      : state === 'cancelled'
        ? { step: null, reason: 'cancelled', message: 'the workflow run was cancelled on request' }
        : undefined;
  await tx.query(
    `UPDATE workflow_runs SET state = $2, ended_at = clock_timestamp(), advanced_at = clock_timestamp(),
            failure_step = $3, failure_reason = $4, failure_message = $5
     WHERE id = $1::uuid`,
    [wr.id, state, failure?.step ?? null, failure?.reason ?? null, failure?.message ?? null],
  );
  await recordWorkflowRunChange(tx, wr.id, state);
}

/** Unfinished workflow runs the periodic pass moves on: none of their steps' ends moved them lately. */
export async function staleWorkflowRuns(
  db: SqlExecutor,
  olderThanSeconds: number,
  limit: number,
): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `SELECT id FROM workflow_runs WHERE state IN ('queued', 'running')
       AND advanced_at < clock_timestamp() - make_interval(secs => $1::float8)
     ORDER BY advanced_at LIMIT $2`,
    [olderThanSeconds, limit],
  );
  return rows.map((r) => r.id);
}
