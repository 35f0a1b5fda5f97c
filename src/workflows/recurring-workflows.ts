import type { Database, SqlExecutor } from '../../services/db/database.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { isUuid } from '../ids.js';
import { normaliseSchedule, type ScheduleSettings } from '../jobs/job-spec.js';
import type { UnfinishedRun } from '../scheduler/overlap.js';
import {
  deleteSchedule,
  getSchedule,
  lockSchedule,
  setPaused,
  type Schedule,
  type WorkflowFireRow,
} from '../scheduler/schedule-repository.js';
import { nextFireAfterNow, scheduleDetails, type ScheduleChange } from '../scheduler/schedule-service.js';
import type { WorkflowFiring } from '../scheduler/scheduler.js';
import type { Signals } from '../signals.js';
import { advanceWorkflowRun, type StepResultLimits } from './advance.js';
import type { WorkflowDefinition } from './workflow-definition.js';
import { syncWorkflowSchedule } from './workflow-schedule.js';
import { updateWorkflowDefinition } from './workflow-versions.js';
import { startWorkflowRun, toWorkflow, type Workflow } from './workflow-service.js';

/** A stored workflow, deleted or not. */
async function readWorkflow(db: SqlExecutor, id: string): Promise<Workflow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.query('SELECT * FROM workflows WHERE id = $1::uuid', [id]);
  return row ? toWorkflow(row) : undefined;
}

/**
 * Asks a workflow run to stop and moves it on at once: steps not started end cancelled, queued
 * step runs are cancelled, running ones are asked to stop. Resolves with whether any must be
 * stopped by their worker, and how many step runs were queued (a run that waited for it starts
 * when it ends).
 */
async function cancelWorkflowRun(
  tx: SqlExecutor,
  workflowRunId: string,
  limits: StepResultLimits,
): Promise<{ stop: boolean; queued: number }> {
  await tx.query(
    `UPDATE workflow_runs SET cancel_requested_at = coalesce(cancel_requested_at, now())
     WHERE id = $1::uuid AND state IN ('queued', 'running')`,
    [workflowRunId],
  );
  const advanced = await advanceWorkflowRun(tx, workflowRunId, limits);
  return { stop: advanced.cancelRequested > 0, queued: advanced.queued };
}

/** How the scheduler fires workflows' schedules: each call runs in the transaction that records the fire time. */
export const createWorkflowFiring = (limits: StepResultLimits): WorkflowFiring => ({
  async unfinished(tx, workflowIds) {
    const byWorkflow = new Map<string, UnfinishedRun[]>();
    if (workflowIds.length === 0) return byWorkflow;
    const rows = await tx.query<{
      id: string;
      workflow_id: string;
      state: string;
      waits_for_previous: boolean;
    }>(
      `SELECT id, workflow_id, state, waits_for_previous FROM workflow_runs
       WHERE workflow_id = ANY($1::uuid[]) AND state IN ('queued', 'running')
       ORDER BY queued_at, id`,
      [workflowIds],
    );
    for (const row of rows) {
      const list = byWorkflow.get(row.workflow_id) ?? [];
      list.push({ id: row.id, state: row.state, waitsForPrevious: row.waits_for_previous });
      byWorkflow.set(row.workflow_id, list);
    }
    return byWorkflow;
  },

  async start(tx, fires: WorkflowFireRow[]) {
    let queued = 0;
    for (const fire of fires) {
      const workflow = await readWorkflow(tx, fire.workflowId);
      if (!workflow) throw new Error(`workflow ${fire.workflowId} of a due schedule is not stored`);
      const started = await startWorkflowRun(
        tx,
        workflow,
        {
          id: fire.workflowRunId!,
          trigger: fire.trigger,
          scheduledFor: fire.fireAt,
          waitsForPrevious: fire.waitsForPrevious,
        },
        limits,
      );
      queued += started.queued;
    }
    return queued;
  },

  cancel: (tx, workflowRunId) => cancelWorkflowRun(tx, workflowRunId, limits),
});

export interface WorkflowSchedulesDeps {
  db: Database;
  /** The bound of a step's result carried inline (TDS_MAX_RESULT_BYTES). */
  limits: StepResultLimits;
  signals: Pick<Signals, 'scheduleChanged' | 'runQueued' | 'cancelRequested'>;
}

export type WorkflowSchedules = ReturnType<typeof createWorkflowSchedules>;

/** A workflow's schedule settings as the request fields that would give them (none without cron). */
function scheduleRequest(shared: ScheduleSettings): ScheduleChange {
  if (shared.cron === null) return {};
  return {
    cron: shared.cron,
    timezone: shared.timezone,
    overlap_policy: shared.overlap_policy,
    catch_up_policy: shared.catch_up_policy,
    catch_up_window_seconds: shared.catch_up_window_seconds,
    catch_up_limit: shared.catch_up_limit,
  };
}

/**
 * Managing workflows after they are stored, as jobs are managed: pause, resume, trigger now,
 * change the schedule, delete; and reading a workflow's schedule.
 */
export function createWorkflowSchedules({ db, signals, limits }: WorkflowSchedulesDeps) {
  async function liveWorkflow(id: string): Promise<Workflow> {
    const workflow = await readWorkflow(db, id);
    if (!workflow) throw new NotFoundError('workflow', id);
    if (workflow.deletedAt)
      throw new ConflictError(`workflow ${id} was deleted at ${workflow.deletedAt.toISOString()}`);
    return workflow;
  }

  async function scheduledWorkflow(id: string): Promise<{ workflow: Workflow; schedule: Schedule }> {
    const workflow = await liveWorkflow(id);
    const schedule = await getSchedule(db, id);
    if (!schedule) {
      throw new ConflictError(
        `workflow ${id} has no cron schedule; only recurring workflows can be paused or resumed (PATCH it with "cron" to add one)`,
      );
    }
    return { workflow, schedule };
  }

  return {
    /** A workflow, deleted or not (404 when unknown). */
    async workflow(id: string): Promise<Workflow> {
      const workflow = await readWorkflow(db, id);
      if (!workflow) throw new NotFoundError('workflow', id);
      return workflow;
    },

    /** A workflow's schedule with its description, next fire times and recent fires; undefined without one. */
    details: (id: string) => scheduleDetails(db, id),

    /** No fire times are acted on while paused; they are not caught up on resume. */
    async pause(id: string): Promise<void> {
      const { schedule } = await scheduledWorkflow(id);
      if (!schedule.paused) await setPaused(db, id, true, null);
    },

    /** Fires again from the next fire time after now. */
    async resume(id: string): Promise<void> {
      const { schedule } = await scheduledWorkflow(id);
      if (!schedule.paused) return;
      await setPaused(db, id, false, await nextFireAfterNow(db, schedule.cron, schedule.timezone));
      signals.scheduleChanged.notify();
    },

    /**
     * Starts a workflow run now, whatever the schedule (any workflow, recurring or not). A fire of
     * its schedule being decided is waited for, so that its overlap policy never misses this run.
     */
    async trigger(id: string): Promise<string> {
      const workflow = await liveWorkflow(id);
      const started = await db.transaction(async (tx) => {
        await lockSchedule(tx, id);
        return startWorkflowRun(tx, workflow, { trigger: 'manual' }, limits);
      });
      if (started.queued > 0) signals.runQueued.notify();
      return started.id;
    },

    /**
     * Changes the schedule's expression, timezone or policies, validated as a job's are (adding
     * "cron" makes a workflow recurring); the next fire times are recomputed from now.
     */
    async change(id: string, change: ScheduleChange): Promise<Workflow> {
      const workflow = await liveWorkflow(id);
      const settings = normaliseSchedule({ ...scheduleRequest(workflow.definition.shared), ...change });
      if (settings.cron === null)
        throw new ConflictError(`workflow ${id} has no cron schedule; send "cron" to add one`);
      const definition: WorkflowDefinition = {
        ...workflow.definition,
        shared: { ...workflow.definition.shared, ...settings },
      };
      const updated = await db.transaction(async (tx) => {
        // A new version, the one it replaces kept, as PUT /workflows/:id keeps it.
        const row = await updateWorkflowDefinition(tx, id, definition);
        const saved = toWorkflow(row!);
        await syncWorkflowSchedule(tx, saved);
        return saved;
      });
      signals.scheduleChanged.notify();
      return updated;
    },

    /**
     * No future workflow runs; queued ones are cancelled (those under way finish); the workflow
     * and its runs stay readable.
     */
    async remove(id: string): Promise<Workflow> {
      await liveWorkflow(id);
      let stop = false;
      const workflow = await db.transaction(async (tx) => {
        stop = false;
        await deleteSchedule(tx, id);
        const queued = await tx.query<{ id: string }>(
          `SELECT id FROM workflow_runs WHERE workflow_id = $1::uuid AND state = 'queued' ORDER BY queued_at, id`,
          [id],
        );
        for (const run of queued) stop = (await cancelWorkflowRun(tx, run.id, limits)).stop || stop;
        const [row] = await tx.query(
          'UPDATE workflows SET deleted_at = now(), updated_at = now() WHERE id = $1::uuid RETURNING *',
          [id],
        );
        return toWorkflow(row!);
      });
      if (stop) signals.cancelRequested.notify();
      return workflow;
    },
  };
}
