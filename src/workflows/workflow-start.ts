import { v7 as uuidv7 } from 'uuid';
import type { SqlExecutor } from '../../services/db/database.js';
import { advanceWorkflowRun, type StepResultLimits } from './advance.js';
import { initialStepState, type StepState } from './step-states.js';
import { INITIAL_WORKFLOW_RUN_STATE } from './workflow-states.js';
import type { Workflow } from './workflow-repository.js';
import type { RunOverrides } from '../definitions/trigger-overrides.js';

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
    /** What its trigger changed (src/definitions/trigger-overrides.ts); a retry keeps its run's. */
    overrides?: RunOverrides | null;
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
  // A run recorded with no params (a scheduled fire, a backfill) has its params at their defaults.
  const overrides =
    options.overrides ??
    (definition.params && Object.keys(definition.params).length > 0
      ? { params: Object.fromEntries(Object.entries(definition.params).map(([n, d]) => [n, d.default])) }
      : null);
  await tx.query(
    `INSERT INTO workflow_runs (id, workflow_id, user_id, state, trigger, retry_of, from_step, max_parallel,
                                scheduled_for, waits_for_previous, workflow_version, overrides)
     VALUES ($1::uuid, $2::uuid, $3, $11, $4, $5::uuid, $6, $7::int, $8::timestamptz, $9::boolean, $10::int,
             $12::jsonb)`,
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
      overrides ? JSON.stringify(overrides) : null,
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
