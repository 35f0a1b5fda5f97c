import type { RunOverrides } from '../definitions/trigger-overrides.js';
import type { Logger } from 'pino';
import type { ObjectStore } from '../../services/aws/object-store.js';
import type { Database, SqlExecutor } from '../../services/db/database.js';
import type { Authorise } from '../definitions/definition-rules.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { isUuid } from '../ids.js';
import { stepResultsPrefix } from '../runs/results-layout.js';
import type { RunState } from '../runs/run-states.js';
import { countLatestItemRunsByState, latestStepRunSql } from '../runs/workflow-step-runs.js';
import type { Signals } from '../signals.js';
import type { FollowChange } from '../versions/new-version.js';
import type { VersionPageRequest } from '../versions/version-page.js';
import { advanceWorkflowRun } from './advance.js';
import { reusedByRetry } from './decide.js';
import { RUN_TO_STEP, type StepState } from './step-states.js';
import { staleWorkflowRuns } from './workflow-snapshot.js';
import type { StepDefinition, WorkflowDefinition } from './workflow-definition.js';
import {
  dryRunWorkflow,
  listWorkflows,
  loadWorkflow,
  replaceWorkflow,
  submitWorkflow,
  workflowVersions,
  type WorkflowDefinitionsDeps,
} from './workflow-definitions.js';
import { writeStepManifests, workflowRunsWithManifestsDue } from './step-items.js';
import { latestWorkflowRunIds, type Workflow } from './workflow-repository.js';
import { toWorkflowRunHeader, type WorkflowRunHeader } from './workflow-run-header.js';
import { writeReport, type ReportStep } from './workflow-report.js';
import { startWorkflowRun } from './workflow-start.js';
import { changedSteps, runDefinitionSql } from './workflow-versions.js';

export type { Workflow } from './workflow-repository.js';
export { startWorkflowRun } from './workflow-start.js';

/**
 * Workflows: their definitions (workflow-definitions.ts, the one definition model's rules) and
 * their runs: read, cancelled, retried, moved on, reported.
 */

type ItemCounts = Record<
  'total' | 'pending' | 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'skipped',
  number
>;

export interface WorkflowRunStep {
  name: string;
  state: StepState;
  dependsOn: string[];
  runIf: string;
  reason: string | null;
  /** Null, with `resultTruncated`, when a fan-out's result was over TDS_MAX_RESULT_BYTES. */
  result: string | null;
  /** Every item's result is in the step's manifest (`items.jsonl`) and its items, not in `result`. */
  resultTruncated: boolean;
  exitCode: number | null;
  runId: string | null;
  attempts: number;
  startedAt: Date | null;
  endedAt: Date | null;
  durationSeconds: number | null;
  results: { prefix: string; uri: string };
  reusedFrom: string | null;
  items: ItemCounts | null;
}

export interface WorkflowRun extends WorkflowRunHeader {
  steps: WorkflowRunStep[];
}

export interface WorkflowServiceDeps extends WorkflowDefinitionsDeps {
  store: ObjectStore;
  logger: Logger;
  signals: Pick<Signals, 'runQueued' | 'cancelRequested' | 'scheduleChanged'>;
}

type Row = Record<string, unknown>;
type ItemCountRow = { step_name: string; state: string; count: number };

function requireUuid(kind: string, id: string): void {
  if (!isUuid(id)) throw new NotFoundError(kind, id);
}

/** A fan-out step's items by state, from the latest attempt of each item's run. */
function itemCountsOf(step: StepDefinition, s: Row, rows: ItemCountRow[]): ItemCounts {
  const total = Array.isArray(s.items)
    ? s.items.length
    : step.forEach.kind === 'static'
      ? step.forEach.items.length
      : 0;
  const counts: ItemCounts = {
    total,
    pending: 0,
    queued: 0,
    running: 0,
    succeeded: 0,
    failed: 0,
    cancelled: 0,
    skipped: 0,
  };
  let started = 0;
  for (const c of rows.filter((c) => c.step_name === step.name)) {
    started += c.count;
    counts[RUN_TO_STEP[c.state as RunState] as keyof ItemCounts] += c.count;
  }
  const notStarted = Math.max(0, total - started);
  if (s.state === 'skipped') counts.skipped = total;
  else if (s.state === 'cancelled') counts.cancelled += notStarted;
  else counts.pending = notStarted;
  return counts;
}

/** A step of a workflow run as GET /workflow-runs/:id shows it. */
function stepView(
  id: string,
  definition: WorkflowDefinition,
  s: Row,
  itemRows: ItemCountRow[],
): WorkflowRunStep {
  const step = definition.steps.find((d) => d.name === s.name)!;
  const startedAt = (s.started_at as Date | null) ?? null;
  const endedAt = (s.ended_at as Date | null) ?? null;
  const spec = {
    destination_s3_prefix: definition.shared.destination_s3_prefix,
    uniqueId: definition.shared.uniqueId,
  };
  const stepPrefix = stepResultsPrefix(spec, {
    workflowRunId: id,
    step: step.name,
    itemIndex: null,
    attempt: 1,
  });
  // A step moves on when its run ends; meanwhile a queued step whose run has started is running.
  const stored = s.state as StepState;
  const state =
    stored === 'queued' && step.forEach.kind === 'none' && RUN_TO_STEP[s.run_state as RunState] === 'running'
      ? 'running'
      : stored;
  return {
    name: step.name,
    state,
    dependsOn: step.dependsOn,
    runIf: step.runIf,
    reason: (s.reason as string | null) ?? null,
    result: (s.result as string | null) ?? null,
    resultTruncated: s.result_truncated === true,
    exitCode: (s.exit_code as number | null) ?? null,
    runId: step.forEach.kind === 'none' ? ((s.run_id as string | null) ?? null) : null,
    attempts: s.attempts as number,
    startedAt,
    endedAt,
    durationSeconds: startedAt && endedAt ? (endedAt.getTime() - startedAt.getTime()) / 1000 : null,
    results: { prefix: stepPrefix, uri: `s3://${definition.shared.s3_bucket}/${stepPrefix}` },
    reusedFrom: (s.reused_from as string | null) ?? null,
    items: step.forEach.kind === 'none' ? null : itemCountsOf(step, s, itemRows),
  };
}

/** A workflow run with each step's state, result, run and folder. */
export async function readWorkflowRun(db: SqlExecutor, id: string): Promise<WorkflowRun> {
  requireUuid('workflow run', id);
  const [row] = await db.query(
    `SELECT r.*, w.unique_id, ${runDefinitionSql('r')} AS definition
     FROM workflow_runs r JOIN workflows w ON w.id = r.workflow_id
     WHERE r.id = $1::uuid`,
    [id],
  );
  if (!row) throw new NotFoundError('workflow run', id);
  const definition = row.definition as WorkflowDefinition;
  const stepRows = await db.query(
    `SELECT s.*, latest.id AS run_id, latest.state AS run_state
     FROM workflow_steps s
     LEFT JOIN LATERAL (
       ${latestStepRunSql(['id', 'state'], {
         workflowRunIdSql: 's.workflow_run_id',
         stepNameSql: 's.name',
         itemIndexSql: null,
       })}) latest ON true
     WHERE s.workflow_run_id = $1::uuid ORDER BY s.position`,
    [id],
  );
  const itemRows: ItemCountRow[] = await countLatestItemRunsByState(db, id);
  const steps = stepRows.map((s) => stepView(id, definition, s, itemRows));
  return { ...toWorkflowRunHeader(row, definition.shared), steps };
}

/** A workflow, deleted or not, and its latest workflow runs. */
export async function readWorkflowWithRuns(
  db: Database,
  id: string,
): Promise<{ workflow: Workflow; runs: WorkflowRun[] }> {
  const workflow = await loadWorkflow(db, id, true);
  const ids = await latestWorkflowRunIds(db, id, 10);
  return { workflow, runs: await Promise.all(ids.map((runId) => readWorkflowRun(db, runId))) };
}

/**
 * Writes the manifests of the workflow run's ended fan-out steps; as the dependants of one wait
 * for it (they are given it as a file), moves the workflow run on at once to start them.
 */
export async function writeManifestsOf(deps: WorkflowServiceDeps, id: string): Promise<void> {
  const { written } = await writeStepManifests(deps.db, deps.store, id);
  if (written === 0) return;
  const outcome = await deps.db.transaction((tx) => advanceWorkflowRun(tx, id, deps.limits));
  if (outcome.queued > 0) deps.signals.runQueued.notify();
  if (outcome.cancelRequested > 0) deps.signals.cancelRequested.notify();
}

/** Writes the manifests of its ended fan-out steps, and the report of an ended workflow run, once. */
export async function writeReportOf(deps: WorkflowServiceDeps, id: string): Promise<void> {
  await writeManifestsOf(deps, id);
  const run = await readWorkflowRun(deps.db, id);
  if (run.timings.endedAt === null) return;
  const events = await deps.db.query<{ name: string; started_at: Date | null; ended_at: Date | null }>(
    'SELECT name, started_at, ended_at FROM workflow_steps WHERE workflow_run_id = $1::uuid',
    [id],
  );
  await writeReport(deps.store, run, run.steps as ReportStep[], events);
  await deps.db.query('UPDATE workflow_runs SET report_written_at = now() WHERE id = $1::uuid', [id]);
}

/** Cancels a workflow run: queued steps end cancelled, running ones are stopped (logs kept). */
export async function cancelWorkflowRunById(deps: WorkflowServiceDeps, id: string): Promise<WorkflowRun> {
  requireUuid('workflow run', id);
  const outcome = await deps.db.transaction(async (tx) => {
    const [row] = await tx.query<{ state: string; workflow_id: string; user_id: string }>(
      `UPDATE workflow_runs SET cancel_requested_at = COALESCE(cancel_requested_at, now())
       WHERE id = $1::uuid RETURNING state, workflow_id::text AS workflow_id, user_id`,
      [id],
    );
    if (!row) throw new NotFoundError('workflow run', id);
    if (!['queued', 'running'].includes(row.state)) {
      throw new ConflictError(`workflow run ${id} has already ended (${row.state})`);
    }
    await deps.audit.record(tx, {
      action: 'workflow_run.cancelled',
      target: { kind: 'workflow_run', id },
      ownerId: row.user_id,
      summary: { workflowId: row.workflow_id, state: row.state },
    });
    return advanceWorkflowRun(tx, id, deps.limits);
  });
  if (outcome.cancelRequested > 0) deps.signals.cancelRequested.notify();
  if (outcome.ended)
    await writeReportOf(deps, id).catch((error) =>
      deps.logger.warn({ err: error, workflowRunId: id }, 'could not write the report'),
    );
  return readWorkflowRun(deps.db, id);
}

interface StoredStep {
  name: string;
  state: StepState;
  result: string | null;
  result_truncated: boolean;
  exit_code: number | null;
  outputs: unknown;
  items: unknown;
  reused_from: string | null;
}

/**
 * A new workflow run of the same workflow that reuses every succeeded step's result and files and
 * runs the others again; `fromStep` also reruns that step and everything downstream of it.
 */
/** The overrides a workflow run was started with, as a retry of it starts again with them. */
function overridesOf(run: WorkflowRun): RunOverrides | null {
  const overrides: RunOverrides = { ...(run.overrides ?? {}) };
  if (run.params) overrides.params = run.params as RunOverrides['params'];
  return Object.keys(overrides).length > 0 ? overrides : null;
}

export async function retryWorkflowRun(
  deps: WorkflowServiceDeps,
  id: string,
  fromStep: string | undefined,
): Promise<WorkflowRun> {
  const { db } = deps;
  const previous = await readWorkflowRun(db, id);
  if (previous.state === 'queued' || previous.state === 'running') {
    throw new ConflictError(`workflow run ${id} has not ended yet (${previous.state}); cancel it or wait`);
  }
  const workflow = await loadWorkflow(db, previous.workflowId);
  const stored = await db.query<StoredStep>(
    `SELECT name, state, result, result_truncated, exit_code, outputs, items, reused_from
     FROM workflow_steps WHERE workflow_run_id = $1::uuid`,
    [id],
  );
  const [ran] = await db.query<{ definition: WorkflowDefinition }>(
    `SELECT ${runDefinitionSql('r')} AS definition FROM workflow_runs r WHERE r.id = $1::uuid`,
    [id],
  );
  if (fromStep !== undefined && !workflow.definition.steps.some((s) => s.name === fromStep)) {
    throw new ValidationError(`from names no step of this workflow: "${fromStep}"`);
  }
  // Under a newer definition than the retried run's, a changed step is run again, not reused.
  const reused = reusedByRetry(workflow.definition, new Map(stored.map((s) => [s.name, s.state])), {
    fromStep,
    changed: changedSteps(ran!.definition, workflow.definition),
  });
  const reuse = new Map(
    stored
      .filter((s) => reused.has(s.name))
      .map((s) => [
        s.name,
        {
          state: s.state,
          result: s.result,
          resultTruncated: s.result_truncated === true,
          exitCode: s.exit_code,
          outputs: s.outputs,
          items: s.items,
          from: s.reused_from ?? id,
        },
      ]),
  );
  await deps.queue.assertRoom(workflow.userId);
  const started = await db.transaction(async (tx) => {
    const run = await startWorkflowRun(
      tx,
      workflow,
      { trigger: 'retry', retryOf: id, fromStep, reuse, overrides: overridesOf(previous) },
      deps.limits,
    );
    await deps.audit.record(tx, {
      action: 'workflow_run.retried',
      target: { kind: 'workflow_run', id },
      ownerId: workflow.userId,
      summary: { workflowId: workflow.id, retriedAs: run.id, fromStep: fromStep ?? null },
    });
    return run;
  });
  if (started.queued > 0) deps.signals.runQueued.notify();
  const run = await readWorkflowRun(db, started.id);
  if (run.state !== 'running' && run.state !== 'queued')
    await writeReportOf(deps, started.id).catch(() => undefined);
  return run;
}

/**
 * The periodic pass: moves on workflow runs no step's end moved lately (a crash between a step's
 * end and its dependants' start), and writes reports not yet written.
 */
export async function sweepWorkflowRuns(
  deps: WorkflowServiceDeps,
  olderThanSeconds = 10,
): Promise<{ advanced: number; reports: number }> {
  const { db, logger } = deps;
  let advanced = 0;
  for (const id of await staleWorkflowRuns(db, olderThanSeconds, 100)) {
    const outcome = await db.transaction((tx) => advanceWorkflowRun(tx, id, deps.limits));
    if (outcome.queued > 0) deps.signals.runQueued.notify();
    advanced++;
  }
  const unreported = await db.query<{ id: string }>(
    `SELECT id FROM workflow_runs WHERE report_written_at IS NULL AND ended_at IS NOT NULL
     ORDER BY ended_at LIMIT 100`,
  );
  let reports = 0;
  for (const { id } of unreported) {
    try {
      await writeReportOf(deps, id);
      reports++;
    } catch (error) {
      logger.warn({ err: error, workflowRunId: id }, 'could not write the workflow run report');
    }
  }
  // Manifests of fan-out steps whose end a crash separated from their writing (and the dependants
  // that wait for them).
  for (const id of await workflowRunsWithManifestsDue(db, 100)) {
    await writeManifestsOf(deps, id).catch((error: unknown) =>
      logger.warn({ err: error, workflowRunId: id }, 'could not write a fan-out step manifest'),
    );
  }
  return { advanced, reports };
}

/** The workflow service: the functions above and the definitions', bound to their collaborators. */
export function createWorkflowService(deps: WorkflowServiceDeps) {
  return {
    /** Validates a workflow as submit would (its shape, who may store it, its bucket), storing nothing. */
    dryRun: (body: unknown, authorise?: Authorise) => dryRunWorkflow(deps, body, authorise),
    submit: (body: unknown, authorise?: Authorise) => submitWorkflow(deps, body, authorise),
    getWorkflow: (id: string) => readWorkflowWithRuns(deps.db, id),
    listWorkflows: (userId: string, limit: number, cursor: string | undefined) =>
      listWorkflows(deps, userId, limit, cursor),
    getWorkflowRun: (id: string) => readWorkflowRun(deps.db, id),
    replace: <F = undefined>(
      id: string,
      body: unknown,
      authorise?: Authorise,
      follow?: FollowChange<WorkflowDefinition, F>,
    ) => replaceWorkflow(deps, id, body, authorise, follow),
    versions: (id: string, page: VersionPageRequest) => workflowVersions(deps, id, page),
    cancel: (id: string) => cancelWorkflowRunById(deps, id),
    retry: (id: string, fromStep: string | undefined) => retryWorkflowRun(deps, id, fromStep),
    /** Moves on a workflow run whose step's run has just ended, in that run's transaction. */
    advance: (tx: SqlExecutor, workflowRunId: string) => advanceWorkflowRun(tx, workflowRunId, deps.limits),
    writeReportOf: (id: string) => writeReportOf(deps, id),
    sweep: (olderThanSeconds?: number) => sweepWorkflowRuns(deps, olderThanSeconds),
  };
}

export type WorkflowService = ReturnType<typeof createWorkflowService>;
