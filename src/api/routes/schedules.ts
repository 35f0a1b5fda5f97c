import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { JobRequestSchema } from '../../jobs/job-spec.js';
import type { JobSchedules } from '../../definitions/job-kind.js';
import { ownerOf } from '../route-access.js';
import { BackfillRequestSchema } from '../../definitions/backfill.js';
import {
  BackfillAnswerSchema,
  BackfillQuerySchema,
  backfillView,
  ErrorSchema,
  IdParams,
  JobSchema,
  RunSchema,
  TriggerBodySchema,
} from '../schemas.js';
import { jobView, runView } from '../views.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
const fields = JobRequestSchema.properties;
/** A change to a job's or a workflow's schedule: any of its fields. */
export const ScheduleChangeSchema = Type.Object(
  {
    cron: Type.Optional(fields.cron),
    timezone: Type.Optional(fields.timezone),
    overlap_policy: Type.Optional(fields.overlap_policy),
    catch_up_policy: Type.Optional(fields.catch_up_policy),
    catch_up_window_seconds: Type.Optional(fields.catch_up_window_seconds),
    catch_up_limit: Type.Optional(fields.catch_up_limit),
  },
  { additionalProperties: false, minProperties: 1 },
);

/** Managing jobs after they are submitted: recurring ones above all. */
export const scheduleRoutes: FastifyPluginAsyncTypebox<{ schedules: JobSchedules }> = async (
  app,
  { schedules },
) => {
  const withDetails = async (job: Parameters<typeof jobView>[0]) =>
    jobView(job, await schedules.details(job.id));

  app.patch(
    '/jobs/:id',
    {
      config: { access: ownerOf('job') },
      schema: {
        summary: "Change a job's schedule: cron expression, timezone, overlap or catch-up policy",
        description:
          'The next fire times are recomputed from now. Runs already queued or under way are left as they are.',
        tags: ['schedules'],
        params: IdParams,
        body: ScheduleChangeSchema,
        response: { 200: JobSchema, ...errors },
      },
    },
    async (request) => withDetails(await schedules.change(request.params.id, request.body)),
  );

  app.post(
    '/jobs/:id/pause',
    {
      config: { access: ownerOf('job') },
      schema: {
        summary: 'Pause a recurring job: no fire time is acted on until it is resumed',
        tags: ['schedules'],
        params: IdParams,
        response: { 200: JobSchema, ...errors },
      },
    },
    async (request) => {
      await schedules.pause(request.params.id);
      return withDetails(await schedules.get(request.params.id));
    },
  );

  app.post(
    '/jobs/:id/resume',
    {
      config: { access: ownerOf('job') },
      schema: {
        summary: 'Resume a paused job from its next fire time (fire times while paused are not caught up)',
        tags: ['schedules'],
        params: IdParams,
        response: { 200: JobSchema, ...errors },
      },
    },
    async (request) => {
      await schedules.resume(request.params.id);
      return withDetails(await schedules.get(request.params.id));
    },
  );

  app.post(
    '/jobs/:id/trigger',
    {
      config: { access: ownerOf('job') },
      schema: {
        summary:
          'Run a job now, whatever its schedule; optionally with other env values or another input prefix',
        description:
          "The body is optional: `env` is merged over the job's for this run, `source_s3_prefix` replaces its input folder. Checked as a submitted job's fields are (400 naming the field); the run records them as `overrides`.",
        tags: ['schedules'],
        params: IdParams,
        body: TriggerBodySchema,
        response: { 202: RunSchema, ...errors },
      },
    },
    async (request, reply) =>
      reply.status(202).send(runView(await schedules.trigger(request.params.id, request.body ?? undefined))),
  );

  app.post(
    '/jobs/:id/backfill',
    {
      config: { access: ownerOf('job') },
      schema: {
        summary: "Queue a run for each fire time of a recurring job's cron in a past period [from, to)",
        description:
          "Each run has its fire time as `scheduledFor` (its ${TODAY}, TDS_SCHEDULED_FOR and TDS_RUN_DATE are that fire's). Under overlap policy `allow` they run side by side, otherwise one after another. At most TDS_BACKFILL_MAX_RUNS fire times; `to` may not be after now. `?dry_run=true` lists the fire times and queues nothing.",
        tags: ['schedules'],
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
    '/jobs/:id',
    {
      config: { access: ownerOf('job') },
      schema: {
        summary: 'Delete a job: no future runs, queued runs cancelled, its history kept and readable',
        tags: ['schedules'],
        params: IdParams,
        response: { 200: JobSchema, ...errors },
      },
    },
    async (request) => jobView(await schedules.remove(request.params.id)),
  );
};
