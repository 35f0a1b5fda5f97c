import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { WorkflowSchedules } from '../../definitions/workflow-kind.js';
import type { Workflow, WorkflowService } from '../../workflows/workflow-service.js';
import { ownerOf } from '../route-access.js';
import { BackfillRequestSchema } from '../../definitions/backfill.js';
import {
  BackfillAnswerSchema,
  BackfillQuerySchema,
  backfillView,
  ErrorSchema,
  IdParams,
  TriggerBodySchema,
} from '../schemas.js';
import { ScheduleChangeSchema } from './schedules.js';
import { WorkflowRunSchema, WorkflowSchema, workflowRunView, workflowView } from './workflows.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };

/** Managing workflows after they are stored, as jobs are managed: recurring ones above all. */
export const workflowScheduleRoutes: FastifyPluginAsyncTypebox<{
  workflows: WorkflowService;
  schedules: WorkflowSchedules;
}> = async (app, { workflows, schedules }) => {
  const withDetails = async (workflow: Workflow) =>
    workflowView(workflow, await schedules.details(workflow.id));

  app.patch(
    '/workflows/:id',
    {
      config: { access: ownerOf('workflow') },
      schema: {
        summary: "Change a workflow's schedule: cron expression, timezone, overlap or catch-up policy",
        description:
          'Validated as a job\'s schedule is. The next fire times are recomputed from now; "cron" makes a workflow recurring. Workflow runs already queued or under way are left as they are.',
        tags: ['workflows'],
        params: IdParams,
        body: ScheduleChangeSchema,
        response: { 200: WorkflowSchema, ...errors },
      },
    },
    async (request) => withDetails(await schedules.change(request.params.id, request.body)),
  );

  app.post(
    '/workflows/:id/pause',
    {
      config: { access: ownerOf('workflow') },
      schema: {
        summary: 'Pause a recurring workflow: no fire time is acted on until it is resumed',
        tags: ['workflows'],
        params: IdParams,
        response: { 200: WorkflowSchema, ...errors },
      },
    },
    async (request) => {
      await schedules.pause(request.params.id);
      return withDetails(await schedules.get(request.params.id));
    },
  );

  app.post(
    '/workflows/:id/resume',
    {
      config: { access: ownerOf('workflow') },
      schema: {
        summary:
          'Resume a paused workflow from its next fire time (fire times while paused are not caught up)',
        tags: ['workflows'],
        params: IdParams,
        response: { 200: WorkflowSchema, ...errors },
      },
    },
    async (request) => {
      await schedules.resume(request.params.id);
      return withDetails(await schedules.get(request.params.id));
    },
  );

  app.post(
    '/workflows/:id/trigger',
    {
      config: { access: ownerOf('workflow') },
      schema: {
        summary:
          'Start a workflow run now, whatever the schedule (recurring or not); optionally with params, other env values or another input prefix',
        description:
          "The body is optional: `params` gives the workflow's declared params (those left out take their defaults; one without a default must be given), `env` is merged over every step's, `source_s3_prefix` replaces the input folder of every step. Checked as a submitted workflow's fields are (400 naming the field); the workflow run shows them as `params` and `overrides`.",
        tags: ['workflows'],
        params: IdParams,
        body: TriggerBodySchema,
        response: { 202: WorkflowRunSchema, ...errors },
      },
    },
    async (request, reply) => {
      const id = await schedules.trigger(request.params.id, request.body ?? undefined);
      return reply.status(202).send(workflowRunView(await workflows.getWorkflowRun(id)));
    },
  );

  app.post(
    '/workflows/:id/backfill',
    {
      config: { access: ownerOf('workflow') },
      schema: {
        summary:
          "Start a workflow run for each fire time of a recurring workflow's cron in a past period [from, to)",
        description:
          'As POST /jobs/:id/backfill: each workflow run has its fire time as `scheduledFor` and its params at their defaults; one after another unless the overlap policy is `allow`; at most TDS_BACKFILL_MAX_RUNS; `?dry_run=true` lists the fire times only.',
        tags: ['workflows'],
        params: IdParams,
        querystring: BackfillQuerySchema,
        body: BackfillRequestSchema,
        response: { 200: BackfillAnswerSchema, 202: BackfillAnswerSchema, ...errors, 429: ErrorSchema },
      },
    },
    async (request, reply) => {
      const dryRun = request.query.dry_run === true;
      const answer = await schedules.backfill(request.params.id, request.body, dryRun);
      return reply.status(dryRun ? 200 : 202).send(backfillView(answer));
    },
  );

  app.delete(
    '/workflows/:id',
    {
      config: { access: ownerOf('workflow') },
      schema: {
        summary:
          'Delete a workflow: no future runs, queued workflow runs cancelled, its history kept and readable',
        description: 'Workflow runs under way finish. GET /workflows/:id still answers, with `deletedAt`.',
        tags: ['workflows'],
        params: IdParams,
        response: { 200: WorkflowSchema, ...errors },
      },
    },
    async (request) => workflowView(await schedules.remove(request.params.id)),
  );
};
