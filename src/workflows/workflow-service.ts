import { isDeepStrictEqual } from 'node:util';
import { v7 as uuidv7 } from 'uuid';
import type { Logger } from 'pino';
import type { ObjectStore } from '../../services/aws/object-store.js';
import type { Database, SqlExecutor } from '../../services/db/database.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { isUuid } from '../ids.js';
import type { JobDefaults, JobSpec } from '../jobs/job-spec.js';
import { decodePageCursor, pageKeySql, pageOf } from '../jobs/page-cursor.js';
import { stepResultsPrefix } from '../runs/results-layout.js';
import type { RunState } from '../runs/run-states.js';
import type { Signals } from '../signals.js';
import { keyProblems, storeNewVersion, type FollowChange } from '../versions/new-version.js';
import { versionPageOf, type VersionPageRequest } from '../versions/version-page.js';
import { advanceWorkflowRun, type StepResultLimits } from './advance.js';
import { reusedByRetry } from './decide.js';
import { initialStepState, RUN_TO_STEP, type StepState } from './step-states.js';
import { staleWorkflowRuns } from './workflow-snapshot.js';
import { INITIAL_WORKFLOW_RUN_STATE } from './workflow-states.js';
import {
  InvalidDefinitionError,
  parseWorkflowRequest,
  planOf,
  type Plan,
  type WorkflowDefinition,
  readStoredDefinition,
} from './workflow-definition.js';
import { writeStepManifests, workflowRunsWithManifestsDue } from './step-items.js';
import { toWorkflowRunHeader, type WorkflowRunHeader } from './workflow-run-header.js';
import { writeReport, type ReportStep } from './workflow-report.js';
import {
  changedSteps,
  listWorkflowVersions,
  runDefinitionSql,
  updateWorkflowDefinition,
} from './workflow-versions.js';
import { syncWorkflowSchedule } from './workflow-schedule.js';

export interface Workflow {
  id: string;
  userId: string;
  uniqueId: string;
  definition: WorkflowDefinition;
  /** Counts the definitions the workflow has had (PUT /workflows/:id adds one). */
  version: number;
  createdAt: Date;
  /** Set once deleted: no more runs; it and its runs stay readable. */
  deletedAt: Date | null;
}

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
  items: Record<
    'total' | 'pending' | 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'skipped',
    number
  > | null;
}

export interface WorkflowRun extends WorkflowRunHeader {
  steps: WorkflowRunStep[];
}

export interface WorkflowServiceDeps {
  db: Database;
  store: ObjectStore;
  logger: Logger;
  defaults: JobDefaults;
  /** The bound of a step's result carried inline (TDS_MAX_RESULT_BYTES). */
  limits: StepResultLimits;
  signals: Pick<Signals, 'runQueued' | 'cancelRequested' | 'scheduleChanged'>;
}

export type WorkflowService = ReturnType<typeof createWorkflowService>;

type Row = Record<string, unknown>;

export function toWorkflow(row: Row): Workflow {
  return {
    id: row.id as string,
    userId: row.user_id as string,
    uniqueId: row.unique_id as string,
    definition: readStoredDefinition(row.definition),
    version: Number(row.version ?? 1),
    createdAt: row.created_at as Date,
    deletedAt: (row.deleted_at as Date | null) ?? null,
  };
}

/**
 * Queues a workflow run with every step pending (or reused from `reuse`), and moves it on at once:
 * its first steps' runs are queued in the same transaction (unless it waits for the workflow's
 * previous run to end: `waitsForPrevious`, a schedule's overlap policy).
 */
export async function startWorkflowRun(
  tx: SqlExecutor,
  workflow: Workflow,
  options: {
    /** Given by a schedule, which records it with its fire time first. */
    id?: string;
    scheduledFor?: Date;
    waitsForPrevious?: boolean;
    trigger: string;
    retryOf?: string;
    fromStep?: string;
    reuse?: Map<
      string,
      {
        state: StepState;
        result: string | null;
        resultTruncated: boolean;
        exitCode: number | null;
        outputs: unknown;
        items: unknown;
        from: string;
      }
    >;
  },
  limits: StepResultLimits,
): Promise<{ id: string; queued: number }> {
  const id = options.id ?? uuidv7();
  const { definition } = workflow;
  await tx.query(
    `INSERT INTO workflow_runs (id, workflow_id, user_id, state, trigger, retry_of, from_step, max_parallel,
                                scheduled_for, waits_for_previous, workflow_version)
     VALUES ($1::uuid, $2::uuid, $3, $11, $4, $5::uuid, $6, $7::int, $8::timestamptz, $9::boolean, $10::int)`,
    [
      id,
      workflow.id,
      workflow.userId,
      options.trigger,
      options.retryOf ?? null,
      options.fromStep ?? null,
      definition.maxParallel,
      options.scheduledFor ?? null,
      options.waitsForPrevious ?? false,
      workflow.version,
      INITIAL_WORKFLOW_RUN_STATE,
    ],
  );
  const names = definition.steps.map((s) => s.name);
  const reused = names.map((n) => options.reuse?.get(n));
  await tx.query(
    `INSERT INTO workflow_steps (workflow_run_id, name, position, state, result, exit_code, outputs, items,
                                 reused_from, result_truncated, started_at, ended_at)
     SELECT $1::uuid, u.name, u.position, u.state, u.result, u.exit_code, u.outputs, u.items, u.reused_from,
            u.result_truncated,
            CASE WHEN u.reused_from IS NULL THEN NULL ELSE clock_timestamp() END,
            CASE WHEN u.reused_from IS NULL THEN NULL ELSE clock_timestamp() END
     FROM unnest($2::text[], $3::int[], $4::text[], $5::text[], $6::int[], $7::jsonb[], $8::jsonb[], $9::uuid[],
                 $10::boolean[])
       AS u(name, position, state, result, exit_code, outputs, items, reused_from, result_truncated)`,
    [
      id,
      names,
      names.map((_, i) => i),
      reused.map((r) => initialStepState(r !== undefined)),
      reused.map((r) => r?.result ?? null),
      reused.map((r) => r?.exitCode ?? null),
      reused.map((r) => JSON.stringify(r?.outputs ?? [])),
      reused.map((r) => (r?.items == null ? null : JSON.stringify(r.items))),
      reused.map((r) => r?.from ?? null),
      reused.map((r) => r?.resultTruncated ?? false),
    ],
  );
  const advanced = await advanceWorkflowRun(tx, id, limits);
  return { id, queued: advanced.queued };
}

export function createWorkflowService(deps: WorkflowServiceDeps) {
  const { db, store, logger, limits } = deps;

  function requireUuid(kind: string, id: string): void {
    if (!isUuid(id)) throw new NotFoundError(kind, id);
  }

  /** A stored workflow; a deleted one only `withDeleted` (it stays readable). */
  async function loadWorkflow(executor: SqlExecutor, id: string, withDeleted = false): Promise<Workflow> {
    requireUuid('workflow', id);
    const [row] = await executor.query(
      'SELECT * FROM workflows WHERE id = $1::uuid AND ($2::boolean OR deleted_at IS NULL)',
      [id, withDeleted],
    );
    if (!row) throw new NotFoundError('workflow', id);
    return toWorkflow(row);
  }

  async function getWorkflowRun(id: string): Promise<WorkflowRun> {
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
         SELECT r.id, r.state FROM runs r WHERE r.workflow_run_id = s.workflow_run_id AND r.step_name = s.name
            AND r.item_index IS NULL ORDER BY r.attempt DESC LIMIT 1) latest ON true
       WHERE s.workflow_run_id = $1::uuid ORDER BY s.position`,
      [id],
    );
    const itemCounts = await db.query<{ step_name: string; state: string; count: number }>(
      `SELECT step_name, state, count(*)::int AS count FROM (
         SELECT DISTINCT ON (step_name, item_index) step_name, state FROM runs
         WHERE workflow_run_id = $1::uuid AND item_index IS NOT NULL
         ORDER BY step_name, item_index, attempt DESC) latest
       GROUP BY step_name, state`,
      [id],
    );
    const spec = {
      destination_s3_prefix: definition.shared.destination_s3_prefix,
      uniqueId: definition.shared.uniqueId,
    };
    const bucket = definition.shared.s3_bucket;
    const steps: WorkflowRunStep[] = stepRows.map((s) => {
      const step = definition.steps.find((d) => d.name === s.name)!;
      const startedAt = (s.started_at as Date | null) ?? null;
      const endedAt = (s.ended_at as Date | null) ?? null;
      const stepPrefix = stepResultsPrefix(spec, {
        workflowRunId: id,
        step: step.name,
        itemIndex: null,
        attempt: 1,
      });
      let items: WorkflowRunStep['items'] = null;
      if (step.forEach.kind !== 'none') {
        const total = Array.isArray(s.items)
          ? s.items.length
          : step.forEach.kind === 'static'
            ? step.forEach.items.length
            : 0;
        const counts = {
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
        for (const c of itemCounts.filter((c) => c.step_name === step.name)) {
          started += c.count;
          counts[RUN_TO_STEP[c.state as RunState] as keyof typeof counts] += c.count;
        }
        const notStarted = Math.max(0, total - started);
        if (s.state === 'skipped') counts.skipped = total;
        else if (s.state === 'cancelled') counts.cancelled += notStarted;
        else counts.pending = notStarted;
        items = counts;
      }
      // A step moves on when its run ends; meanwhile a queued step whose run has started is running.
      const stored = s.state as StepState;
      const state =
        stored === 'queued' &&
        step.forEach.kind === 'none' &&
        RUN_TO_STEP[s.run_state as RunState] === 'running'
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
        results: { prefix: stepPrefix, uri: `s3://${bucket}/${stepPrefix}` },
        reusedFrom: (s.reused_from as string | null) ?? null,
        items,
      };
    });
    return { ...toWorkflowRunHeader(row, definition.shared), steps };
  }

  /**
   * Writes the manifests of the workflow run's ended fan-out steps; when the dependants of one wait
   * for it (its result was over the bound), moves the workflow run on at once to start them.
   */
  async function writeManifestsOf(id: string): Promise<void> {
    const { awaited } = await writeStepManifests(db, store, id);
    if (awaited === 0) return;
    const outcome = await db.transaction((tx) => advanceWorkflowRun(tx, id, limits));
    if (outcome.queued > 0) deps.signals.runQueued.notify();
    if (outcome.cancelRequested > 0) deps.signals.cancelRequested.notify();
  }

  /** Writes the manifests of its ended fan-out steps, and the report of an ended workflow run, once. */
  async function writeReportOf(id: string): Promise<void> {
    await writeManifestsOf(id);
    const run = await getWorkflowRun(id);
    if (run.timings.endedAt === null) return;
    const events = await db.query<{ name: string; started_at: Date | null; ended_at: Date | null }>(
      'SELECT name, started_at, ended_at FROM workflow_steps WHERE workflow_run_id = $1::uuid',
      [id],
    );
    await writeReport(store, run, run.steps as ReportStep[], events);
    await db.query('UPDATE workflow_runs SET report_written_at = now() WHERE id = $1::uuid', [id]);
  }

  return {
    /** Validates a workflow; with `dryRun` answers its plan and stores nothing. */
    validate(body: unknown): { definition: WorkflowDefinition; plan: Plan } {
      const definition = parseWorkflowRequest(body, deps.defaults);
      return { definition, plan: planOf(definition) };
    },

    /**
     * Stores the workflow and starts its first run; the same userId + uniqueId and definition
     * again returns the stored one, a different definition is refused.
     */
    async submit(
      body: unknown,
      authorise: (spec: JobSpec) => Promise<void>,
    ): Promise<{ workflow: Workflow; workflowRunId: string | null; created: boolean }> {
      const definition = parseWorkflowRequest(body, deps.defaults);
      for (const step of definition.steps) await authorise(step.spec);
      const stored = JSON.parse(JSON.stringify(definition)) as WorkflowDefinition;
      const result = await db.transaction(async (tx) => {
        const [inserted] = await tx.query(
          `INSERT INTO workflows (id, user_id, unique_id, definition, cron, timezone)
           VALUES ($1::uuid, $2, $3, $4::jsonb, $5, $6)
           ON CONFLICT (user_id, unique_id) DO NOTHING RETURNING *`,
          [
            uuidv7(),
            definition.shared.userId,
            definition.shared.uniqueId,
            JSON.stringify(stored),
            definition.shared.cron,
            definition.shared.timezone,
          ],
        );
        if (!inserted) return undefined;
        const workflow = toWorkflow(inserted);
        // A recurring workflow's runs come from its schedule; another one's first run starts now.
        if (definition.shared.cron !== null) {
          await syncWorkflowSchedule(tx, workflow);
          return { workflow, workflowRunId: null, created: true, queued: 0 };
        }
        const run = await startWorkflowRun(tx, workflow, { trigger: 'submit' }, limits);
        return { workflow, workflowRunId: run.id, created: true, queued: run.queued };
      });
      if (result) {
        if (result.queued > 0) deps.signals.runQueued.notify();
        if (definition.shared.cron !== null) deps.signals.scheduleChanged.notify();
        return result;
      }
      const [row] = await db.query('SELECT * FROM workflows WHERE user_id = $1 AND unique_id = $2', [
        definition.shared.userId,
        definition.shared.uniqueId,
      ]);
      const workflow = toWorkflow(row!);
      if (!isDeepStrictEqual(workflow.definition, stored)) {
        throw new ConflictError(
          `uniqueId "${workflow.uniqueId}" is already used by workflow ${workflow.id} of user "${workflow.userId}" with a different definition; use a new uniqueId for a new workflow`,
        );
      }
      const [latest] = await db.query<{ id: string }>(
        'SELECT id FROM workflow_runs WHERE workflow_id = $1::uuid ORDER BY queued_at DESC, id DESC LIMIT 1',
        [workflow.id],
      );
      return { workflow, workflowRunId: latest?.id ?? null, created: false };
    },

    async getWorkflow(id: string): Promise<{ workflow: Workflow; runs: WorkflowRun[] }> {
      const workflow = await loadWorkflow(db, id, true);
      const rows = await db.query<{ id: string }>(
        'SELECT id FROM workflow_runs WHERE workflow_id = $1::uuid ORDER BY queued_at DESC, id DESC LIMIT 10',
        [id],
      );
      return { workflow, runs: await Promise.all(rows.map((r) => getWorkflowRun(r.id))) };
    },

    async listWorkflows(userId: string, limit: number, cursor: string | undefined) {
      const after = cursor === undefined ? undefined : decodePageCursor(cursor);
      if (cursor !== undefined && !after) {
        throw new ValidationError(
          'cursor is not one this service returned; use nextCursor from the previous page',
        );
      }
      const rows = await db.query(
        `SELECT *, ${pageKeySql('created_at')} AS page_key FROM workflows
         WHERE user_id = $1 AND deleted_at IS NULL
           AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
         ORDER BY created_at DESC, id DESC LIMIT $4`,
        [userId, after?.at ?? null, after?.id ?? null, limit + 1],
      );
      const page = pageOf(rows, limit, toWorkflow);
      return { workflows: page.items, nextCursor: page.nextCursor };
    },

    getWorkflowRun,

    /**
     * Replaces a stored workflow's definition with a whole new one (same userId and uniqueId): a new
     * version, the earlier kept; a recurring one's schedule follows it (next fire times recomputed,
     * a pause kept). Workflow runs under way keep the definition they started with; no run is
     * started. An unchanged definition changes nothing.
     */
    async replace<F = undefined>(
      id: string,
      body: unknown,
      authorise: (spec: JobSpec) => Promise<void>,
      /** What else follows a changed definition, in its transaction. */
      follow?: FollowChange<WorkflowDefinition, F>,
    ): Promise<{ workflow: Workflow; changed: boolean; followed?: F }> {
      const workflow = await loadWorkflow(db, id);
      // The key is checked with the rest, so that every problem is listed at once.
      const moved = keyProblems('workflow', workflow, (body ?? {}) as Record<string, unknown>);
      let definition: WorkflowDefinition;
      try {
        definition = parseWorkflowRequest(body, deps.defaults);
      } catch (error) {
        if (!(error instanceof InvalidDefinitionError) || moved.length === 0) throw error;
        const others = error.problems.filter((p) => !moved.some((k) => k.path === p.path));
        throw new InvalidDefinitionError([...moved, ...others]);
      }
      if (moved.length > 0) throw new InvalidDefinitionError(moved);
      for (const step of definition.steps) await authorise(step.spec);
      const stored = JSON.parse(JSON.stringify(definition)) as WorkflowDefinition;
      const { item, changed, followed } = await storeNewVersion({
        db,
        current: workflow,
        before: workflow.definition,
        after: stored,
        save: async (tx) => {
          const row = await updateWorkflowDefinition(tx, id, stored);
          if (!row) throw new NotFoundError('workflow', id);
          const saved = toWorkflow(row);
          // A recurring workflow's next fire times follow its new cron, timezone and policies.
          await syncWorkflowSchedule(tx, saved);
          return saved;
        },
        follow,
        stored: () => deps.signals.scheduleChanged.notify(),
      });
      return { workflow: item, changed, followed };
    },

    /** A page of the definitions the workflow has had, newest first. */
    async versions(id: string, page: VersionPageRequest) {
      requireUuid('workflow', id);
      const rows = await listWorkflowVersions(db, id, page);
      // Past the last page a workflow still has versions: only one that is not there answers 404.
      const newest = () => listWorkflowVersions(db, id, { before: undefined, limit: 0 });
      if (rows.length === 0 && (page.before === undefined || (await newest()).length === 0)) {
        throw new NotFoundError('workflow', id);
      }
      return versionPageOf(rows, page.limit);
    },

    /** Cancels a workflow run: queued steps end cancelled, running ones are stopped (logs kept). */
    async cancel(id: string): Promise<WorkflowRun> {
      requireUuid('workflow run', id);
      const outcome = await db.transaction(async (tx) => {
        const [row] = await tx.query<{ state: string }>(
          `UPDATE workflow_runs SET cancel_requested_at = COALESCE(cancel_requested_at, now())
           WHERE id = $1::uuid RETURNING state`,
          [id],
        );
        if (!row) throw new NotFoundError('workflow run', id);
        if (!['queued', 'running'].includes(row.state)) {
          throw new ConflictError(`workflow run ${id} has already ended (${row.state})`);
        }
        return advanceWorkflowRun(tx, id, limits);
      });
      if (outcome.cancelRequested > 0) deps.signals.cancelRequested.notify();
      if (outcome.ended)
        await writeReportOf(id).catch((error) =>
          logger.warn({ err: error, workflowRunId: id }, 'could not write the report'),
        );
      return getWorkflowRun(id);
    },

    /**
     * A new workflow run of the same workflow that reuses every succeeded step's result and files
     * and runs the others again; `fromStep` also reruns that step and everything downstream of it.
     */
    async retry(id: string, fromStep: string | undefined): Promise<WorkflowRun> {
      const previous = await getWorkflowRun(id);
      if (previous.state === 'queued' || previous.state === 'running') {
        throw new ConflictError(
          `workflow run ${id} has not ended yet (${previous.state}); cancel it or wait`,
        );
      }
      const workflow = await loadWorkflow(db, previous.workflowId);
      const stored = await db.query<{
        name: string;
        state: StepState;
        result: string | null;
        result_truncated: boolean;
        exit_code: number | null;
        outputs: unknown;
        items: unknown;
        reused_from: string | null;
      }>(
        `SELECT name, state, result, result_truncated, exit_code, outputs, items, reused_from
         FROM workflow_steps WHERE workflow_run_id = $1::uuid`,
        [id],
      );
      if (fromStep !== undefined && !workflow.definition.steps.some((s) => s.name === fromStep)) {
        throw new ValidationError(`from names no step of this workflow: "${fromStep}"`);
      }
      // Under a newer definition than the retried run's, a changed step is run again, not reused.
      const [ran] = await db.query<{ definition: WorkflowDefinition }>(
        `SELECT ${runDefinitionSql('r')} AS definition FROM workflow_runs r WHERE r.id = $1::uuid`,
        [id],
      );
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
      const started = await db.transaction((tx) =>
        startWorkflowRun(tx, workflow, { trigger: 'retry', retryOf: id, fromStep, reuse }, limits),
      );
      if (started.queued > 0) deps.signals.runQueued.notify();
      const run = await getWorkflowRun(started.id);
      if (run.state !== 'running' && run.state !== 'queued')
        await writeReportOf(started.id).catch(() => undefined);
      return run;
    },

    /** Moves on a workflow run whose step's run has just ended, in that run's transaction. */
    advance: (tx: SqlExecutor, workflowRunId: string) => advanceWorkflowRun(tx, workflowRunId, limits),

    writeReportOf,

    /**
     * The periodic pass: moves on workflow runs no step's end moved lately (a crash between a
     * step's end and its dependants' start), and writes reports not yet written.
     */
    async sweep(olderThanSeconds = 10): Promise<{ advanced: number; reports: number }> {
      let advanced = 0;
      for (const id of await staleWorkflowRuns(db, olderThanSeconds, 100)) {
        const outcome = await db.transaction((tx) => advanceWorkflowRun(tx, id, limits));
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
          await writeReportOf(id);
          reports++;
        } catch (error) {
          logger.warn({ err: error, workflowRunId: id }, 'could not write the workflow run report');
        }
      }
      // Manifests of fan-out steps whose end a crash separated from their writing (and the
      // dependants that wait for them).
      for (const id of await workflowRunsWithManifestsDue(db, 100)) {
        await writeManifestsOf(id).catch((error: unknown) =>
          logger.warn({ err: error, workflowRunId: id }, 'could not write a fan-out step manifest'),
        );
      }
      return { advanced, reports };
    },
  };
}
