import type { SqlExecutor } from '../../services/db/database.js';
import { queueRunsSql } from '../runs/queue-runs.js';
import { RUN_RESULTS } from '../runs/results-layout.js';
import type { RunState } from '../runs/run-states.js';
import {
  latestStepRunSql,
  listLatestItemRuns,
  readResults,
  STEP_RUN_OUTCOME_COLUMNS,
  toStepRunOutcome,
  unfinishedRunsOfWorkflowRunSql,
} from '../runs/workflow-step-runs.js';
import {
  fanOutsToConclude,
  type Decision,
  type ItemRun,
  type SnapshotStep,
  type WorkflowRunSnapshot,
} from './decide.js';
import { itemResultsMayFit } from './step-results.js';
import { checkStepChange, type StepState } from './step-states.js';
import type { WorkflowDefinition } from './workflow-definition.js';
import type { RunOverrides } from '../definitions/trigger-overrides.js';
import {
  checkWorkflowRunChange,
  UNFINISHED_WORKFLOW_RUN_STATES,
  type WorkflowRunState,
} from './workflow-states.js';
import { runDefinitionSql } from './workflow-versions.js';

/**
 * The workflow_steps and workflow_runs statements of the engine: a workflow run's snapshot read
 * (its row under a lock, then its steps with their runs in one statement) and a decision written
 * in one statement (every changed step, the runs queued with their first events, and the
 * workflow run's start, end or last move). On the RDS Data API each statement is an HTTPS call:
 * a step's end costs the finish, these three and, at a workflow run's start or end, its event.
 */

const UNFINISHED_WORKFLOW_RUN = `(${UNFINISHED_WORKFLOW_RUN_STATES.map((s) => `'${s}'`).join(', ')})`;

/** A workflow run's row under a lock, or undefined when it is not there. */
interface LockedRow {
  id: string;
  workflow_id: string;
  state: WorkflowRunState;
  max_parallel: number;
  cancel_requested: boolean;
  waiting: boolean;
  definition: WorkflowDefinition;
  overrides: RunOverrides | null;
}

const parse = <T>(value: unknown): T => (typeof value === 'string' ? (JSON.parse(value) as T) : (value as T));

/** Locks the workflow run's row and reads what moving it on needs; undefined when there is no such run. */
export async function loadSnapshot(
  tx: SqlExecutor,
  workflowRunId: string,
  maxResultBytes: number,
): Promise<(WorkflowRunSnapshot & { workflowId: string }) | undefined> {
  const [wr] = await tx.query<LockedRow>(
    `SELECT r.id, r.workflow_id, r.state, r.max_parallel, r.cancel_requested_at IS NOT NULL AS cancel_requested,
            ${runDefinitionSql('r')} AS definition, r.overrides,
            (r.state = 'queued' AND r.waits_for_previous AND EXISTS (
              SELECT FROM workflow_runs p WHERE p.workflow_id = r.workflow_id AND p.state IN ${UNFINISHED_WORKFLOW_RUN}
                AND (p.queued_at, p.id) < (r.queued_at, r.id))) AS waiting
     FROM workflow_runs r
     WHERE r.id = $1::uuid FOR UPDATE OF r`,
    [workflowRunId],
  );
  if (!wr) return undefined;
  const base = {
    id: wr.id,
    workflowId: wr.workflow_id,
    state: wr.state,
    maxParallel: Number(wr.max_parallel),
    cancelRequested: wr.cancel_requested,
    waiting: wr.waiting,
    definition: parse<WorkflowDefinition>(wr.definition),
    overrides: wr.overrides === null || wr.overrides === undefined ? null : parse<RunOverrides>(wr.overrides),
    maxResultBytes,
  };
  if (!(UNFINISHED_WORKFLOW_RUN_STATES as readonly string[]).includes(wr.state))
    return { ...base, steps: [] };
  if (wr.waiting && !wr.cancel_requested) return { ...base, steps: [] };
  const steps = await readSteps(tx, workflowRunId, base.maxParallel);
  const snapshot = { ...base, steps };
  const concluding = fanOutsToConclude(snapshot);
  for (const name of concluding) {
    const step = steps.find((s) => s.name === name)!;
    step.conclusion = await readConclusion(tx, workflowRunId, name, maxResultBytes);
  }
  return snapshot;
}

interface StepRowOut {
  name: string;
  state: StepState;
  reason: string | null;
  result: string | null;
  exit_code: number | null;
  attempts: number;
  item_count: number | null;
  items_started: number;
  outputs: unknown;
  result_truncated: boolean;
  manifest_ready: boolean;
  ended_at: Date | null;
  unfinished_runs: unknown;
  latest_run: unknown;
  next_items: unknown;
}

/**
 * The steps, each with its unfinished runs, a plain step under way with its latest run, and a
 * fan-out under way with the items that may start next (at most max_parallel less the runs not
 * ended): one statement whose cost does not grow with a fan-out's size.
 */
async function readSteps(
  tx: SqlExecutor,
  workflowRunId: string,
  maxParallel: number,
): Promise<SnapshotStep[]> {
  const rows = await tx.query<StepRowOut>(
    `WITH open AS (
       ${unfinishedRunsOfWorkflowRunSql('$1::uuid')}),
     room AS (SELECT greatest(0, $2::int - (SELECT count(*) FROM open)::int) AS n)
     SELECT s.name, s.state, s.reason, s.result, s.exit_code, s.attempts,
            jsonb_array_length(s.items) AS item_count, s.items_started, s.outputs, s.result_truncated, s.ended_at,
            (s.manifest_written_at IS NOT NULL OR EXISTS (
              SELECT FROM workflow_steps o WHERE o.workflow_run_id = s.reused_from AND o.name = s.name
                AND o.manifest_written_at IS NOT NULL)) AS manifest_ready,
            (SELECT coalesce(jsonb_agg(jsonb_build_object('id', o.id, 'state', o.state)), '[]'::jsonb)
             FROM open o WHERE o.step_name = s.name) AS unfinished_runs,
            (SELECT to_jsonb(l) FROM (
               ${latestStepRunSql([...STEP_RUN_OUTCOME_COLUMNS, 'result'], { workflowRunIdSql: 's.workflow_run_id', stepNameSql: 's.name', itemIndexSql: null })}) l
             WHERE s.items IS NULL AND s.state IN ('queued', 'running')) AS latest_run,
            (SELECT jsonb_agg(s.items -> i ORDER BY i)
             FROM room, generate_series(s.items_started, least(jsonb_array_length(s.items), s.items_started + room.n) - 1) AS i
             WHERE s.state IN ('queued', 'running')) AS next_items
     FROM workflow_steps s WHERE s.workflow_run_id = $1::uuid`,
    [workflowRunId, maxParallel],
    { prepared: true },
  );
  return rows.map((r) => {
    const latest = parse<Record<string, unknown> | null>(r.latest_run);
    return {
      name: r.name,
      state: r.state,
      reason: r.reason,
      result: r.result,
      exitCode: r.exit_code === null ? null : Number(r.exit_code),
      attempts: Number(r.attempts),
      itemCount: r.item_count === null ? null : Number(r.item_count),
      itemsStarted: Number(r.items_started),
      outputs: parse(r.outputs),
      resultTruncated: r.result_truncated,
      manifestReady: r.manifest_ready,
      endedAt: r.ended_at === null ? null : new Date(r.ended_at),
      unfinishedRuns: parse<{ id: string; state: RunState }[]>(r.unfinished_runs),
      latestRun: latest === null ? null : toStepRunOutcome(latest),
      nextItems: parse<unknown[] | null>(r.next_items) ?? [],
    };
  });
}

/**
 * Every item's latest run of a fan-out step that ends now, in item order (the one read of them
 * all), and their results when their sizes allow a step result within the bound.
 */
async function readConclusion(
  tx: SqlExecutor,
  workflowRunId: string,
  step: string,
  maxResultBytes: number,
): Promise<NonNullable<SnapshotStep['conclusion']>> {
  const latest = await listLatestItemRuns(tx, workflowRunId, step);
  const runs: ItemRun[] = latest.map(({ resultBytes: _bytes, ...run }) => run);
  const sizes = latest.map((r) => r.resultBytes);
  if (!itemResultsMayFit(sizes, maxResultBytes)) return { runs, results: 'over the bound' };
  const results = await readResults(
    tx,
    runs.flatMap((r, i) => (sizes[i] === null ? [] : [{ id: r.id, bytes: sizes[i]! }])),
  );
  return { runs, results };
}

/**
 * Writes a decision in one statement: the changed steps (each only from the state the snapshot
 * read, as its transition allows), the runs queued with their first events, and the workflow
 * run's start or end (else the time it was last moved on). Throws when a step was not in the state
 * read, which the lock of the workflow run's row rules out: the transaction is rolled back.
 */
export async function writeDecision(
  tx: SqlExecutor,
  snapshot: WorkflowRunSnapshot,
  decision: Decision,
  /** The end written by this statement: none when the workflow run also starts now (its start event first). */
  end: Decision['end'],
): Promise<void> {
  for (const change of decision.stepChanges) {
    if (change.transition === 'progress') {
      if (change.from !== change.values.state)
        throw new Error(`step ${change.name}: progress changes no state`);
    } else checkStepChange(change.transition, change.from, change.values.state);
  }
  if (decision.start) checkWorkflowRunChange('start', snapshot.state, 'running');
  if (end) checkWorkflowRunChange('end', snapshot.state, end.state);
  const c = decision.stepChanges;
  const runs = decision.runsToQueue;
  const rows = await tx.query<{ steps: number; moved: number }>(
    `WITH ${queueRunsSql('queued', {
      from: `FROM unnest($17::uuid[], $18::jsonb[], $19::text[], $20::int[], $21::text[])
               AS q(id, spec, step_name, item_index, results_prefix)`,
      id: 'q.id',
      jobId: 'NULL::uuid',
      trigger: "'workflow'",
      spec: 'q.spec',
      workflowRunId: '$1::uuid',
      stepName: 'q.step_name',
      itemIndex: 'q.item_index',
      resultsPrefix: `COALESCE(q.results_prefix, ${RUN_RESULTS.sql('q.spec', { runId: 'q.id::text' })})`,
    })},
     -- Every change of one decision carries the statement's time: steps that end and the
     -- dependants they let start are one moment (clock_timestamp() would differ row by row, in
     -- whatever order the rows are updated, and a dependant could seem to start before its
     -- dependency ended).
     steps AS (
       UPDATE workflow_steps s SET state = u.state, reason = u.reason, result = u.result,
              result_truncated = u.result_truncated, exit_code = u.exit_code, attempts = u.attempts,
              items = coalesce(u.items, s.items), items_started = u.items_started, outputs = u.outputs,
              started_at = CASE WHEN u.started THEN statement_timestamp() ELSE s.started_at END,
              ended_at = CASE WHEN u.ended THEN statement_timestamp() ELSE s.ended_at END
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[], $8::int[],
                   $9::int[], $10::jsonb[], $11::int[], $12::jsonb[], $13::boolean[], $14::boolean[])
         AS u(name, from_state, state, reason, result, result_truncated, exit_code, attempts, items,
              items_started, outputs, started, ended)
       WHERE s.workflow_run_id = $1::uuid AND s.name = u.name AND s.state = u.from_state
       RETURNING 1),
     moved AS (
       UPDATE workflow_runs SET advanced_at = statement_timestamp(),
              state = CASE WHEN $15::boolean THEN 'running' WHEN $16::boolean THEN $22::text ELSE state END,
              started_at = CASE WHEN $15::boolean THEN statement_timestamp() ELSE started_at END,
              ended_at = CASE WHEN $16::boolean THEN statement_timestamp() ELSE ended_at END,
              failure_step = CASE WHEN $16::boolean THEN $23::text ELSE failure_step END,
              failure_reason = CASE WHEN $16::boolean THEN $24::text ELSE failure_reason END,
              failure_message = CASE WHEN $16::boolean THEN $25::text ELSE failure_message END
       WHERE id = $1::uuid AND state IN ${UNFINISHED_WORKFLOW_RUN}
       RETURNING 1)
     SELECT (SELECT count(*) FROM steps)::int AS steps, (SELECT count(*) FROM moved)::int AS moved`,
    [
      snapshot.id,
      c.map((x) => x.name),
      c.map((x) => x.from),
      c.map((x) => x.values.state),
      c.map((x) => x.values.reason),
      c.map((x) => x.values.result),
      c.map((x) => x.values.resultTruncated),
      c.map((x) => x.values.exitCode),
      c.map((x) => x.values.attempts),
      c.map((x) => (x.items === undefined ? null : JSON.stringify(x.items))),
      c.map((x) => x.values.itemsStarted),
      c.map((x) => JSON.stringify(x.values.outputs)),
      c.map((x) => x.started),
      c.map((x) => x.ended),
      decision.start,
      end !== undefined,
      runs.map((r) => r.id),
      runs.map((r) => JSON.stringify(r.spec)),
      runs.map((r) => r.step!.name),
      runs.map((r) => r.step!.itemIndex),
      runs.map((r) => r.step!.resultsPrefix),
      end?.state ?? null,
      end?.failure?.step ?? null,
      end?.failure?.reason ?? null,
      end?.failure?.message ?? null,
    ],
    { prepared: true },
  );
  const written = Number(rows[0]?.steps ?? 0);
  if (written !== c.length || Number(rows[0]?.moved ?? 0) !== 1) {
    throw new Error(`workflow run ${snapshot.id}: ${c.length - written} step(s) were not in the state read`);
  }
}

/** Ends the workflow run, as decided (after its steps are written and its start recorded). */
export async function writeEnd(tx: SqlExecutor, workflowRunId: string, end: NonNullable<Decision['end']>) {
  await tx.query(
    `UPDATE workflow_runs SET state = $2, ended_at = clock_timestamp(), advanced_at = clock_timestamp(),
            failure_step = $3, failure_reason = $4, failure_message = $5
     WHERE id = $1::uuid AND state IN ${UNFINISHED_WORKFLOW_RUN}`,
    [
      workflowRunId,
      end.state,
      end.failure?.step ?? null,
      end.failure?.reason ?? null,
      end.failure?.message ?? null,
    ],
  );
}

/** Marks a waiting workflow run as looked at, so the periodic pass need not look again soon. */
export async function touchWorkflowRun(tx: SqlExecutor, workflowRunId: string): Promise<void> {
  await tx.query('UPDATE workflow_runs SET advanced_at = clock_timestamp() WHERE id = $1::uuid', [
    workflowRunId,
  ]);
}

/** The workflow's next run that waits for this one to end (a schedule's overlap policy). */
export async function nextWaitingRun(tx: SqlExecutor, workflowId: string): Promise<string | undefined> {
  const [next] = await tx.query<{ id: string }>(
    `SELECT id FROM workflow_runs WHERE workflow_id = $1::uuid AND state = 'queued' AND waits_for_previous
     ORDER BY queued_at, id LIMIT 1`,
    [workflowId],
  );
  return next?.id;
}

/** Unfinished workflow runs the periodic pass moves on: none of their steps' ends moved them lately. */
export async function staleWorkflowRuns(
  db: SqlExecutor,
  olderThanSeconds: number,
  limit: number,
): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `SELECT id FROM workflow_runs WHERE state IN ${UNFINISHED_WORKFLOW_RUN}
       AND advanced_at < clock_timestamp() - make_interval(secs => $1::float8)
     ORDER BY advanced_at LIMIT $2`,
    [olderThanSeconds, limit],
  );
  return rows.map((r) => r.id);
}
