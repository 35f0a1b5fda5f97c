import { normaliseSchedule, type ScheduleSettings } from '../jobs/job-spec.js';
import type { Signals } from '../signals.js';
import { ValidationError } from '../errors.js';
import { requiredParams } from './params.js';
import type { StepResultLimits } from '../workflows/advance.js';
import { cancelWorkflowRun } from '../workflows/recurring-workflows.js';
import {
  getWorkflow,
  markWorkflowDeleted,
  queuedWorkflowRunIds,
  toWorkflow,
  type Workflow,
} from '../workflows/workflow-repository.js';
import { startWorkflowRun } from '../workflows/workflow-start.js';
import { updateWorkflowDefinition } from '../workflows/workflow-versions.js';
import {
  definitionSchedules,
  type DefinitionKind,
  type DefinitionSchedulesDeps,
  type ScheduleChange,
} from './definition-schedules.js';

/** A workflow as a kind of definition, whose run started by hand is a workflow run (its id). */

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

export function workflowKind(
  limits: StepResultLimits,
  signals: Pick<Signals, 'runQueued' | 'cancelRequested'>,
): DefinitionKind<Workflow, string> {
  return {
    noun: 'workflow',
    addCronHint: ' (PATCH it with "cron" to add one)',
    read: getWorkflow,
    owner: (id) => ({ workflowId: id }),
    userOf: (workflow) => workflow.userId,
    changed(workflow, change) {
      const settings = normaliseSchedule({ ...scheduleRequest(workflow.definition.shared), ...change });
      const required = requiredParams(workflow.definition.params);
      if (settings.cron !== null && required.length > 0) {
        throw ValidationError.of(
          required.map((name) => ({
            path: '/cron',
            message: `param "${name}" has no default, but a scheduled fire gives no params: give it a default (PUT the workflow) before adding "cron"`,
          })),
        );
      }
      return settings;
    },
    async saveSettings(tx, workflow, settings) {
      const definition = { ...workflow.definition, shared: { ...workflow.definition.shared, ...settings } };
      // A new version, the one it replaces kept, as PUT /workflows/:id keeps it.
      return toWorkflow((await updateWorkflowDefinition(tx, workflow.id, definition))!);
    },
    scheduleOf: (workflow) => workflow.definition.shared,
    overrideTarget: (workflow) => ({
      noun: 'workflow',
      secrets: [...new Set(workflow.definition.steps.flatMap((step) => step.spec.secrets ?? []))],
      ...(workflow.definition.params ? { params: workflow.definition.params } : {}),
    }),
    idOf: (id) => id,
    async startNow(tx, workflow, start) {
      const started = await startWorkflowRun(
        tx,
        workflow,
        {
          trigger: start.trigger,
          ...(start.overrides ? { overrides: start.overrides } : {}),
          ...(start.scheduledFor ? { scheduledFor: start.scheduledFor } : {}),
          ...(start.waitsForPrevious ? { waitsForPrevious: true } : {}),
        },
        limits,
      );
      return {
        started: started.id,
        announce: () => {
          if (started.queued > 0) signals.runQueued.notify();
        },
      };
    },
    async remove(tx, id) {
      let stop = false;
      for (const runId of await queuedWorkflowRunIds(tx, id)) {
        stop = (await cancelWorkflowRun(tx, runId, limits)).stop || stop;
      }
      const workflow = await markWorkflowDeleted(tx, id);
      return {
        item: workflow,
        announce: () => {
          if (stop) signals.cancelRequested.notify();
        },
      };
    },
  };
}

export interface WorkflowSchedulesDeps extends DefinitionSchedulesDeps {
  /** The bound of a step's result carried inline (TDS_MAX_RESULT_BYTES). */
  limits: StepResultLimits;
  signals: Pick<Signals, 'scheduleChanged' | 'runQueued' | 'cancelRequested'>;
}

/** Managing stored workflows, as jobs are managed: pause, resume, trigger now, change the schedule, delete. */
export function createWorkflowSchedules(deps: WorkflowSchedulesDeps) {
  return definitionSchedules(deps, workflowKind(deps.limits, deps.signals));
}

export type WorkflowSchedules = ReturnType<typeof createWorkflowSchedules>;
