import type { JobSpec, StepInput } from '../jobs/job-spec.js';
import type { NewRun } from '../runs/queue-runs.js';
import { stepResultsPrefix } from '../runs/results-layout.js';
import { UNFINISHED_STATES, type RunState } from '../runs/run-states.js';
import type { StepRun, StepRunOutcome } from '../runs/workflow-step-runs.js';
import { paramText, type ParamValue } from '../definitions/params.js';
import type { RunOverrides } from '../definitions/trigger-overrides.js';
import { imageReferenceProblem } from '../jobs/image-reference.js';
import { fillArgs, fillPlaceholders, missingItemField, type PlaceholderValues } from './placeholders.js';
import {
  checkStepChange,
  isEndedStep,
  RUN_TO_STEP,
  type StepState,
  type StepTransition,
} from './step-states.js';
import {
  itemsEnvName,
  joinItemResults,
  MANIFEST_FILE,
  manifestEnvName,
  manifestPath,
  truncatedPlaceholder,
} from './step-results.js';
import {
  MAX_ITEMS,
  resultEnvName,
  type StepDefinition,
  type WorkflowDefinition,
} from './workflow-definition.js';
import type { EndedWorkflowRunState, WorkflowRunState } from './workflow-states.js';

/**
 * What moves a workflow run on, decided from a snapshot of it and nothing else: which steps end
 * (from their runs), which start, skip, fail or are cancelled (from their dependencies, run_if
 * rules and the cancel), which runs are queued (up to max_parallel at once, a fan-out's items in
 * index order), and whether the workflow run starts or ends. No I/O: workflow-snapshot.ts loads
 * the snapshot and writes the decision, advance.ts calls the three under a lock of the row.
 */

/** A step's values as its row holds them. */
export interface StepValues {
  state: StepState;
  reason: string | null;
  result: string | null;
  exitCode: number | null;
  attempts: number;
  /** How many of a fan-out step's items have had their run started: the next item's index. */
  itemsStarted: number;
  outputs: StepInput[];
  /** A fan-out step's result was over the bound: null here, kept only in its manifest. */
  resultTruncated: boolean;
}

/** A fan-out item's latest run, with the size of its result (read only when the step ends). */
export interface ItemRun extends StepRun {
  itemIndex: number;
}

export interface SnapshotStep extends StepValues {
  name: string;
  /** A fan-out step's number of items, once known; null for a plain step (and before). */
  itemCount: number | null;
  /** Its manifest is in the store (written by this workflow run, or by the one a retry reused it from). */
  manifestReady: boolean;
  /** When it ended, for a step ended before this snapshot (the first failure is the earliest). */
  endedAt: Date | null;
  /** Its runs that have not ended. */
  unfinishedRuns: { id: string; state: RunState }[];
  /** A plain step under way: its latest run. */
  latestRun: StepRunOutcome | null;
  /** A fan-out under way: its items from `itemsStarted` on, as many as may start now. */
  nextItems: unknown[];
  /**
   * A fan-out whose runs have all ended (fanOutsToConclude): every item's latest run in item order,
   * and their results (run id → result) when their sizes allow a step result within the bound;
   * `'over the bound'` when they do not.
   */
  conclusion?: { runs: ItemRun[]; results: ReadonlyMap<string, string> | 'over the bound' };
}

export interface WorkflowRunSnapshot {
  id: string;
  state: WorkflowRunState;
  maxParallel: number;
  cancelRequested: boolean;
  /** Queued, and waits for an earlier unfinished run of its workflow to end (a schedule's overlap policy). */
  waiting: boolean;
  definition: WorkflowDefinition;
  steps: SnapshotStep[];
  /** The bound of what a step's result carries inline (TDS_MAX_RESULT_BYTES). */
  maxResultBytes: number;
  /** What its trigger changed: env, input prefix, params (null or absent: as defined, params at their defaults). */
  overrides?: RunOverrides | null;
}

export interface StepChange {
  name: string;
  transition: StepTransition | 'progress';
  from: StepState;
  values: StepValues;
  /** A fan-out's items, once known (written once). */
  items?: unknown[];
  /** Its first run starts now (started_at). */
  started: boolean;
  /** It ends now (ended_at). */
  ended: boolean;
}

export interface WorkflowRunEnd {
  state: EndedWorkflowRunState;
  failure: { step: string | null; reason: string; message: string } | null;
}

export interface Decision {
  /** Waits for the workflow's previous run: nothing moves. */
  waiting: boolean;
  stepChanges: StepChange[];
  runsToQueue: NewRun[];
  /** Queued runs to cancel, and runs under way to ask to stop (the workflow run is cancelled). */
  cancelQueued: string[];
  requestCancel: string[];
  /** The workflow run starts (queued → running). */
  start: boolean;
  end: WorkflowRunEnd | undefined;
  /** A fan-out step ended: its manifest is to be written once the transaction commits. */
  fanOutEnded: boolean;
}

/** Why a queued step run is cancelled when its workflow run is. */
export const CANCELLED_BEFORE_START = 'the workflow run was cancelled before this step started';

const isUnfinished = (state: RunState) => (UNFINISHED_STATES as readonly RunState[]).includes(state);

/**
 * The fan-out steps of a snapshot whose every run has ended (or will, the queued ones cancelled)
 * and whose items have all started (or, cancelling, will not): they end now, so the loader reads
 * all their items' runs for them. Needs only the snapshot's rows, not `conclusion`.
 */
export function fanOutsToConclude(snapshot: Omit<WorkflowRunSnapshot, 'waiting'>): string[] {
  return snapshot.definition.steps
    .filter((step) => {
      const row = snapshot.steps.find((s) => s.name === step.name)!;
      if (step.forEach.kind === 'none' || (row.state !== 'queued' && row.state !== 'running')) return false;
      if (!snapshot.cancelRequested && (row.itemCount ?? 0) - row.itemsStarted > 0) return false;
      return !row.unfinishedRuns.some((r) => isUnfinished(runStateAfterCancel(snapshot, r.state)));
    })
    .map((step) => step.name);
}

/** A run's state once the cancel (if any) has been applied to queued runs. */
function runStateAfterCancel(snapshot: { cancelRequested: boolean }, state: RunState): RunState {
  return snapshot.cancelRequested && state === 'queued' ? 'cancelled' : state;
}

/** An item as the text of {{item}} and TDS_ITEM: a string as it is, anything else as JSON. */
export function itemText(item: unknown): string {
  return typeof item === 'string' ? item : JSON.stringify(item);
}

/**
 * A decision being made: the snapshot, the step rows as they become, the changes so far and the
 * runs that hold a place under max_parallel. Passed to each part of `decide`.
 */
interface Deciding {
  snapshot: WorkflowRunSnapshot;
  newId: () => string;
  decision: Decision;
  rows: Map<string, SnapshotStep>;
  changes: Map<string, StepChange>;
  /** The order steps end in within this decision, after every step ended before it. */
  endedNow: string[];
  /** Runs not ended (queued runs being cancelled excepted), by step name. */
  stillUnfinished: { id: string; state: RunState; step: string }[];
  /** How many runs hold a place under max_parallel, those queued by this decision included. */
  unfinishedRuns: number;
}

/** Moves a workflow run on, from its snapshot alone. `newId` names each run queued. */
export function decide(snapshot: WorkflowRunSnapshot, newId: () => string): Decision {
  const decision: Decision = {
    waiting: false,
    stepChanges: [],
    runsToQueue: [],
    cancelQueued: [],
    requestCancel: [],
    start: false,
    end: undefined,
    fanOutEnded: false,
  };
  if (snapshot.state !== 'queued' && snapshot.state !== 'running') return decision;
  if (snapshot.waiting && !snapshot.cancelRequested) return { ...decision, waiting: true };
  const stillUnfinished = cancelRuns(snapshot, decision);
  const d: Deciding = {
    snapshot,
    newId,
    decision,
    rows: new Map(snapshot.steps.map((s) => [s.name, { ...s }])),
    changes: new Map(),
    endedNow: [],
    stillUnfinished,
    unfinishedRuns: stillUnfinished.length,
  };
  for (const step of snapshot.definition.steps) advanceStepUnderWay(d, step);
  for (const name of snapshot.definition.order) {
    advancePendingStep(
      d,
      snapshot.definition.steps.find((s) => s.name === name)!,
    );
  }
  return concludeDecision(d);
}

/**
 * Cancelling: no new runs; queued runs are cancelled, those under way are asked to stop. Resolves
 * with the runs that stay unfinished (every one when not cancelling).
 */
function cancelRuns(snapshot: WorkflowRunSnapshot, decision: Decision): Deciding['stillUnfinished'] {
  const unfinished = snapshot.steps.flatMap((s) => s.unfinishedRuns.map((r) => ({ ...r, step: s.name })));
  if (snapshot.cancelRequested) {
    for (const run of unfinished) {
      if (run.state === 'queued') decision.cancelQueued.push(run.id);
      else decision.requestCancel.push(run.id);
    }
  }
  return unfinished.filter((r) => isUnfinished(runStateAfterCancel(snapshot, r.state)));
}

/** Changes a step's row, checked against the step state machine, and records the change. */
function setStep(
  d: Deciding,
  name: string,
  transition: StepChange['transition'],
  values: Partial<StepValues>,
  items?: unknown[],
): void {
  const row = d.rows.get(name)!;
  const earlier = d.changes.get(name);
  const from = earlier?.from ?? row.state;
  const to = values.state ?? row.state;
  if (transition !== 'progress') checkStepChange(transition, row.state, to);
  const started = row.state === 'pending' && to !== 'pending' && to !== 'skipped' && to !== 'cancelled';
  const ended = !isEndedStep(row.state) && isEndedStep(to);
  if (ended) d.endedNow.push(name);
  Object.assign(row, values);
  if (items) row.itemCount = items.length;
  d.changes.set(name, {
    name,
    transition: earlier && transition === 'progress' ? earlier.transition : transition,
    from,
    values: pickValues(row),
    items: items ?? earlier?.items,
    started: (earlier?.started ?? false) || started,
    ended: (earlier?.ended ?? false) || ended,
  });
}

/** A step under way: a plain one follows its run; a fan-out starts more items, or ends once its runs have. */
function advanceStepUnderWay(d: Deciding, step: StepDefinition): void {
  const row = d.rows.get(step.name)!;
  if (row.state !== 'queued' && row.state !== 'running') return;
  if (step.forEach.kind === 'none') {
    followPlainRun(d, step, row);
    return;
  }
  const notStarted = (row.itemCount ?? 0) - row.itemsStarted;
  if (!d.snapshot.cancelRequested && notStarted > 0) {
    startMoreItems(d, step, row, notStarted);
    return;
  }
  if (d.stillUnfinished.some((r) => r.step === step.name) || !row.conclusion) return;
  concludeFanOut(d, step, row, notStarted);
}

/** A plain step takes the state of its latest run (cancelled with it when the workflow run is). */
function followPlainRun(d: Deciding, step: StepDefinition, row: SnapshotStep): void {
  const run = row.latestRun;
  if (!run) return;
  const runState = runStateAfterCancel(d.snapshot, run.state);
  const cancelledNow = runState !== run.state;
  const state = RUN_TO_STEP[runState];
  if (state === row.state) return;
  const failureReason = cancelledNow ? 'cancelled' : run.failureReason;
  const failureMessage = cancelledNow ? CANCELLED_BEFORE_START : run.failureMessage;
  setStep(d, step.name, isEndedStep(state) ? 'end' : 'follow', {
    state,
    result: run.result,
    exitCode: run.exitCode,
    attempts: run.attempt,
    reason:
      state === 'failed' || state === 'cancelled'
        ? `${failureReason ?? state}: ${failureMessage ?? ''}`.trim()
        : null,
    outputs:
      state === 'succeeded'
        ? [{ name: step.name, bucket: run.resultsBucket, prefix: `${run.resultsPrefix}output/` }]
        : row.outputs,
  });
}

/** A fan-out with items not started: more of them, in index order, as places free up. */
function startMoreItems(d: Deciding, step: StepDefinition, row: SnapshotStep, notStarted: number): void {
  const room = Math.min(notStarted, d.snapshot.maxParallel - d.unfinishedRuns);
  const next = room > 0 ? row.nextItems.slice(0, room) : [];
  for (const [offset, item] of next.entries()) {
    queueStepRun(d, step, { item, index: row.itemsStarted + offset });
  }
  if (next.length > 0 || row.state === 'queued') {
    setStep(d, step.name, row.state === 'queued' ? 'follow' : 'progress', {
      state: 'running',
      itemsStarted: row.itemsStarted + next.length,
    });
  }
}

/**
 * A fan-out whose every item's run has ended (or, cancelling, will not start) ends: cancelled if
 * any item was, failed past max_failures, else succeeded; its result is the items' results joined,
 * or only its manifest when over the bound.
 */
function concludeFanOut(d: Deciding, step: StepDefinition, row: SnapshotStep, notStarted: number): void {
  const { snapshot } = d;
  const count = row.itemCount ?? 0;
  const runs = row.conclusion!.runs.map((r) => ({ ...r, state: runStateAfterCancel(snapshot, r.state) }));
  const { results } = row.conclusion!;
  const result =
    results === 'over the bound'
      ? undefined
      : joinItemResults(
          runs.map((r) => results.get(r.id) ?? null),
          snapshot.maxResultBytes,
        );
  const failed = runs.filter((r) => r.state !== 'succeeded' && r.state !== 'cancelled').length;
  const cancelled = runs.filter((r) => r.state === 'cancelled').length + Math.max(0, notStarted);
  const tolerated =
    'count' in step.maxFailures
      ? step.maxFailures.count
      : Math.floor((step.maxFailures.percent * count) / 100);
  const state: StepState = cancelled > 0 ? 'cancelled' : failed > tolerated ? 'failed' : 'succeeded';
  const folder = stepResultsPrefix(step.spec, {
    workflowRunId: snapshot.id,
    step: step.name,
    itemIndex: null,
    attempt: 1,
  });
  setStep(d, step.name, 'end', {
    state,
    result: result ?? null,
    resultTruncated: result === undefined,
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
      // Every item's files, failed or not: a failed item's output is uploaded as a succeeded one's.
      ...row.conclusion!.runs.map((r) => ({
        name: `${step.name}/${r.itemIndex}`,
        bucket: r.resultsBucket,
        prefix: `${r.resultsPrefix}output/`,
      })),
      // The manifest (each item's state, exit code, reason and result), a file beside the items' folders.
      { name: step.name, bucket: step.spec.s3_bucket, prefix: folder, file: MANIFEST_FILE },
    ],
  });
}

/**
 * A pending step whose dependencies have ended: cancelled (the workflow run is), skipped (run_if),
 * failed before it starts (a placeholder it cannot have, items it cannot read), or started while
 * max_parallel leaves room.
 */
function advancePendingStep(d: Deciding, step: StepDefinition): void {
  const { name } = step;
  const row = d.rows.get(name)!;
  if (row.state !== 'pending') return;
  if (d.snapshot.cancelRequested) {
    setStep(d, name, 'cancelBeforeStart', { state: 'cancelled', reason: CANCELLED_BEFORE_START });
    return;
  }
  const deps = step.dependsOn.map((dep) => ({ name: dep, state: d.rows.get(dep)!.state }));
  if (deps.some((dep) => !isEndedStep(dep.state))) return;
  // A fan-out dependency's manifest is given as a file (its result too, when kept only there): wait
  // until it is written, just after the fan-out ends.
  if (step.dependsOn.some((dep) => hasManifest(d.rows.get(dep)!) && !d.rows.get(dep)!.manifestReady)) return;
  const skip = skipReason(step, deps);
  if (skip) {
    setStep(d, name, 'skip', { state: 'skipped', reason: skip });
    return;
  }
  const truncated = truncatedPlaceholder(
    step,
    (dep) => d.rows.get(dep)?.resultTruncated === true,
    d.snapshot.maxResultBytes,
  );
  if (truncated) {
    setStep(d, name, 'endBeforeStart', { state: 'failed', reason: truncated });
    return;
  }
  if (step.forEach.kind === 'none') {
    if (d.unfinishedRuns >= d.snapshot.maxParallel) return;
    queueStepRun(d, step, undefined);
    setStep(d, name, 'start', { state: 'queued' });
    return;
  }
  startFanOut(d, step);
}

/** A step with a manifest: a fan-out whose items were known (one that failed reading them has none). */
function hasManifest(row: SnapshotStep): boolean {
  return row.itemCount !== null;
}

/** A fan-out starts: its items read (or it fails, or succeeds with none), the first ones queued. */
function startFanOut(d: Deciding, step: StepDefinition): void {
  const items = itemsOf(step, d.rows, d.snapshot.maxResultBytes, (name) =>
    paramOf(d.snapshot.definition, d.snapshot.overrides ?? null, name),
  );
  if (typeof items === 'string') {
    setStep(d, step.name, 'endBeforeStart', { state: 'failed', reason: items });
    return;
  }
  if (items.length === 0) {
    setStep(d, step.name, 'endBeforeStart', { state: 'succeeded', result: '[]', reason: 'no items' }, items);
    return;
  }
  const first = items.slice(0, Math.max(0, d.snapshot.maxParallel - d.unfinishedRuns));
  for (const [index, item] of first.entries()) queueStepRun(d, step, { item, index });
  setStep(d, step.name, 'start', { state: 'running', itemsStarted: first.length }, items);
}

/** Queues the run of a step (or of one of its items), which then holds a place under max_parallel. */
function queueStepRun(d: Deciding, step: StepDefinition, item: { item: unknown; index: number } | undefined) {
  d.decision.runsToQueue.push(
    stepRun(d.snapshot.id, step, d.snapshot.definition, d.rows, item, d.newId, d.snapshot.overrides ?? null),
  );
  d.unfinishedRuns++;
}

/** The decision's step changes, whether the workflow run starts, and how it ends once every step has. */
function concludeDecision(d: Deciding): Decision {
  const { decision, snapshot, changes, rows } = d;
  decision.stepChanges = [...changes.values()];
  decision.start = snapshot.state === 'queued';
  decision.fanOutEnded = snapshot.definition.steps.some(
    (s) =>
      s.forEach.kind !== 'none' &&
      changes.get(s.name)?.ended === true &&
      rows.get(s.name)!.itemCount !== null,
  );
  if ([...rows.values()].every((s) => isEndedStep(s.state))) {
    decision.end = endOf(snapshot, rows, d.endedNow);
  }
  return decision;
}

function pickValues(row: StepValues): StepValues {
  return {
    state: row.state,
    reason: row.reason,
    result: row.result,
    exitCode: row.exitCode,
    attempts: row.attempts,
    itemsStarted: row.itemsStarted,
    outputs: row.outputs,
    resultTruncated: row.resultTruncated,
  };
}

/** How the workflow run ends: cancelled on request, else failed at its first failed step, else succeeded. */
function endOf(
  snapshot: WorkflowRunSnapshot,
  rows: Map<string, SnapshotStep>,
  endedNow: string[],
): WorkflowRunEnd {
  if (snapshot.cancelRequested) {
    return {
      state: 'cancelled',
      failure: { step: null, reason: 'cancelled', message: 'the workflow run was cancelled on request' },
    };
  }
  const position = new Map(snapshot.definition.steps.map((s, i) => [s.name, i]));
  // The first to fail: by when it ended (those ending now after all others, in the order they end), then position.
  const earlier = snapshot.steps
    .filter((s) => s.state === 'failed' && s.endedAt !== null && !endedNow.includes(s.name))
    .sort(
      (a, b) => a.endedAt!.getTime() - b.endedAt!.getTime() || position.get(a.name)! - position.get(b.name)!,
    )
    .map((s) => s.name);
  const failed = [...earlier, ...endedNow.filter((name) => rows.get(name)!.state === 'failed')];
  // A failed step with no end time (written by hand) counts last, as SQL orders NULLs last.
  const undated = snapshot.steps
    .filter((s) => s.state === 'failed' && s.endedAt === null && !endedNow.includes(s.name))
    .sort((a, b) => position.get(a.name)! - position.get(b.name)!)
    .map((s) => s.name);
  const first = [...failed, ...undated][0];
  if (first === undefined) return { state: 'succeeded', failure: null };
  return {
    state: 'failed',
    failure: {
      step: first,
      reason: 'step_failed',
      message: `step "${first}" failed: ${rows.get(first)!.reason ?? ''}`,
    },
  };
}

/** Why a step whose dependencies have all ended does not run, or undefined when it runs. */
export function skipReason(
  step: StepDefinition,
  deps: { name: string; state: StepState }[],
): string | undefined {
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
function itemsOf(
  step: StepDefinition,
  rows: Map<string, SnapshotStep>,
  maxBytes: number,
  param: (name: string) => ParamValue | undefined,
): unknown[] | string {
  if (step.forEach.kind === 'static') return step.forEach.items;
  if (step.forEach.kind === 'none') return [];
  if (step.forEach.kind === 'param') {
    const name = step.forEach.param;
    const items = param(name);
    if (!Array.isArray(items)) return `for_each: param "${name}" has no list for this run`;
    if (items.length > MAX_ITEMS)
      return `for_each: param "${name}" has ${items.length} items; at most ${MAX_ITEMS}`;
    return items;
  }
  const source = step.forEach.step;
  if (rows.get(source)?.resultTruncated) {
    return `for_each: the result of fan-out step "${source}" came to more than ${maxBytes} bytes (TDS_MAX_RESULT_BYTES) and is kept only in its manifest; a for_each list must be a result within that bound`;
  }
  const text = rows.get(source)?.result ?? '';
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
  rows: Map<string, SnapshotStep>,
  item: { item: unknown; index: number } | undefined,
  newId: () => string,
  overrides: RunOverrides | null,
): NewRun {
  const results: Record<string, string> = {};
  for (const [name, row] of rows) results[name] = row.result ?? '';
  const values: PlaceholderValues = {
    results,
    params: paramTexts(definition, overrides),
    ...(item ? { item: itemText(item.item), itemValue: item.item, index: item.index } : {}),
  };
  const fill = (text: string) => fillPlaceholders(text, values);
  const base = step.spec;
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base.env)) env[name] = fill(value);
  // A trigger's env goes over the definition's, as given (its values are not templates).
  Object.assign(env, overrides?.env ?? {});
  // Earlier results in the environment: each is within TDS_MAX_RESULT_BYTES, which fits in one
  // variable. One over it (a large fan-out's) is not there; a dependency's manifest is named instead.
  for (const name of ancestorsOf(step, definition)) {
    const row = rows.get(name);
    if (!row?.resultTruncated) env[resultEnvName(name)] = results[name] ?? '';
    else if (step.dependsOn.includes(name)) env[manifestEnvName(name)] = manifestPath(name);
    if (row && hasManifest(row) && step.dependsOn.includes(name))
      env[itemsEnvName(name)] = manifestPath(name);
  }
  // The item's reserved variables (the user may not set TDS_ names).
  if (item) Object.assign(env, { TDS_ITEM: values.item!, TDS_INDEX: String(item.index) });
  const image = base.image === null ? null : fill(base.image);
  const spec: JobSpec = {
    ...base,
    command: base.command === null ? null : fill(base.command),
    image,
    args:
      base.args === null
        ? null
        : typeof base.args === 'string'
          ? fill(base.args)
          : fillArgs(base.args, values),
    env,
    source_s3_prefix: overrides?.source_s3_prefix ?? base.source_s3_prefix,
    step_inputs: step.dependsOn.flatMap((d) => rows.get(d)?.outputs ?? []),
    capture_result: true,
  };
  const problem = item ? itemProblem(base, image, item.item) : undefined;
  if (problem !== undefined) spec.item_problem = problem;
  const itemIndex = item?.index ?? null;
  return {
    id: newId(),
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

/** A param's value for this run: the trigger's, else the declared default. */
function paramOf(
  definition: WorkflowDefinition,
  overrides: RunOverrides | null,
  name: string,
): ParamValue | undefined {
  if (overrides?.params && Object.hasOwn(overrides.params, name)) return overrides.params[name];
  return definition.params?.[name]?.default;
}

/** Each param's value for this run as text. */
function paramTexts(definition: WorkflowDefinition, overrides: RunOverrides | null): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const name of Object.keys(definition.params ?? {})) {
    const value = paramOf(definition, overrides, name);
    if (value !== undefined) texts[name] = paramText(value);
  }
  return texts;
}

/**
 * Why an item cannot run its step, found as it is queued: a `{{item.FIELD}}` of the step's image,
 * command, args or env the item lacks, or an image filled from the item that no job may name (the
 * rule a literal image is held to, imageReferenceProblem).
 */
export function itemProblem(base: JobSpec, image: string | null, item: unknown): string | undefined {
  const texts = [base.image ?? '', base.command ?? '', ...(base.args === null ? [] : [base.args].flat())];
  texts.push(...Object.values(base.env));
  const missing = missingItemField(texts, item);
  if (missing !== undefined) return missing;
  if (image === null || image === base.image) return undefined;
  const refused = imageReferenceProblem(image);
  return refused === undefined ? undefined : `image ${JSON.stringify(base.image)} of this item: ${refused}`;
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

/**
 * Which steps a retry of an ended workflow run reuses: every step that succeeded, unless it is
 * `fromStep`, changed in the definition the retry runs (`changed`), or depends (at any depth) on a
 * step run again, whose inputs change with it. Every other step runs again.
 */
export function reusedByRetry(
  definition: WorkflowDefinition,
  ended: ReadonlyMap<string, StepState>,
  options: { fromStep?: string; changed: readonly string[] },
): Set<string> {
  const rerun = new Set(definition.steps.filter((s) => ended.get(s.name) !== 'succeeded').map((s) => s.name));
  if (options.fromStep !== undefined) rerun.add(options.fromStep);
  for (const name of options.changed) rerun.add(name);
  // definition.order lists each step after its dependencies: one pass reaches every dependant.
  for (const name of definition.order) {
    const step = definition.steps.find((s) => s.name === name)!;
    if (step.dependsOn.some((d) => rerun.has(d))) rerun.add(name);
  }
  return new Set(definition.steps.filter((s) => !rerun.has(s.name)).map((s) => s.name));
}
