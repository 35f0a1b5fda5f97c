import type { Workflow, WorkflowService } from '../../workflows/workflow-service.js';
import type { ScheduleRouteKind } from './definition-schedules.js';
import { WorkflowRunSchema, WorkflowSchema, workflowRunView, workflowView } from './workflows.js';

/**
 * Managing workflows after they are stored, as jobs are managed, recurring ones above all: what the
 * routes say of a workflow (a trigger answers the workflow run it started, read back whole).
 */
export function workflowScheduleRoutes(workflows: WorkflowService): ScheduleRouteKind<Workflow, string> {
  return {
    noun: 'workflow',
    path: '/workflows',
    tag: 'workflows',
    schema: WorkflowSchema,
    view: workflowView,
    startedSchema: WorkflowRunSchema,
    startedView: async (id) => workflowRunView(await workflows.getWorkflowRun(id)),
    text: {
      change: {
        summary: "Change a workflow's schedule: cron expression, timezone, overlap or catch-up policy",
        description:
          'Validated as a job\'s schedule is. The next fire times are recomputed from now; "cron" makes a workflow recurring. Workflow runs already queued or under way are left as they are.',
      },
      pause: { summary: 'Pause a recurring workflow: no fire time is acted on until it is resumed' },
      resume: {
        summary:
          'Resume a paused workflow from its next fire time (fire times while paused are not caught up)',
      },
      trigger: {
        summary:
          'Start a workflow run now, whatever the schedule (recurring or not); optionally with params, other env values or another input prefix',
        description:
          "The body is optional: `params` gives the workflow's declared params (those left out take their defaults; one without a default must be given), `env` is merged over every step's, `source_s3_prefix` replaces the input folder of every step. Checked as a submitted workflow's fields are (400 naming the field); the workflow run shows them as `params` and `overrides`.",
      },
      backfill: {
        summary:
          "Start a workflow run for each fire time of a recurring workflow's cron in a past period [from, to)",
        description:
          'As POST /jobs/:id/backfill: each workflow run has its fire time as `scheduledFor` and its params at their defaults; one after another unless the overlap policy is `allow`; at most TDS_BACKFILL_MAX_RUNS; `?dry_run=true` lists the fire times only.',
      },
      remove: {
        summary:
          'Delete a workflow: no future runs, queued workflow runs cancelled, its history kept and readable',
        description: 'Workflow runs under way finish. GET /workflows/:id still answers, with `deletedAt`.',
      },
    },
  };
}
