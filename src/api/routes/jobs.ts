import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { AccessControl } from '../../auth/access-control.js';
import { requireSameUser } from '../../auth/principal.js';
import type { JobService } from '../../jobs/job-service.js';
import type { ScheduleService } from '../../scheduler/schedule-service.js';
import type { WebhookService } from '../../webhooks/webhook-service.js';
import { JobRequestSchema, NAME_PATTERN } from '../../jobs/job-spec.js';
import { ownerOf } from '../route-access.js';
import { ErrorSchema, IdParams, JobSchema, RunSchema } from '../schemas.js';
import { jobView, runView } from '../views.js';

const errors = {
  400: ErrorSchema,
  401: ErrorSchema,
  403: ErrorSchema,
  404: ErrorSchema,
  409: ErrorSchema,
  422: ErrorSchema,
};

export const jobRoutes: FastifyPluginAsyncTypebox<{
  jobs: JobService;
  schedules: ScheduleService;
  access: AccessControl;
  webhooks: WebhookService;
}> = async (app, { jobs, schedules, access, webhooks }) => {
  const Notify = Type.Optional(
    Type.Object(
      {
        webhookId: Type.String(),
        secret: Type.String({ description: "the notify_url's whsec_ signing secret: shown here only" }),
      },
      { description: 'with notify_url, when the job is created' },
    ),
  );
  app.post(
    '/jobs',
    {
      config: { access: 'user' },
      schema: {
        summary: 'Submit a job',
        description:
          'Stores the job and queues its first run (a job without cron runs once, now). The same userId + uniqueId again returns the existing job with 200.',
        tags: ['jobs'],
        body: JobRequestSchema,
        response: {
          200: Type.Object({
            job: JobSchema,
            run: Type.Union([RunSchema, Type.Null()]),
            created: Type.Boolean(),
          }),
          202: Type.Object({
            job: JobSchema,
            run: Type.Union([RunSchema, Type.Null()]),
            created: Type.Boolean(),
            notify: Notify,
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { job, run, created } = await jobs.submit(request.body, async (spec) => {
        await access.checkSubmission(request.principal, spec);
        if (spec.notify_url !== undefined) await webhooks.checkUrl(spec.notify_url, 'notify_url');
      });
      // The job's own endpoint, made as it is created: long before its first run can end.
      const notify =
        created && job.spec.notify_url !== undefined
          ? await webhooks.registerForJob(job.spec.userId, job.id, job.spec.notify_url)
          : undefined;
      request.log.info(
        { jobId: job.id, runId: run?.id, created },
        created ? 'job submitted' : 'job already exists',
      );
      return reply.status(created ? 202 : 200).send({
        job: jobView(job),
        run: run ? runView(run) : null,
        created,
        ...(notify ? { notify: { webhookId: notify.endpoint.id, secret: notify.secret } } : {}),
      });
    },
  );

  app.get(
    '/jobs/:id',
    {
      config: { access: ownerOf('job') },
      schema: {
        summary: 'A job and its latest runs',
        tags: ['jobs'],
        params: IdParams,
        response: { 200: Type.Object({ job: JobSchema, runs: Type.Array(RunSchema) }), ...errors },
      },
    },
    async (request) => {
      const { job, runs } = await jobs.getJob(request.params.id);
      const details = await schedules.details(job.id);
      return { job: jobView(job, details), runs: runs.map((r) => runView(r)) };
    },
  );

  app.get(
    '/jobs',
    {
      config: { access: 'user' },
      schema: {
        summary: "A user's jobs, newest first, a page at a time",
        tags: ['jobs'],
        querystring: Type.Object(
          {
            userId: Type.String({ pattern: NAME_PATTERN, description: 'whose jobs to list' }),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
            cursor: Type.Optional(
              Type.String({ maxLength: 512, description: 'nextCursor of the previous page' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            jobs: Type.Array(JobSchema),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { userId, limit, cursor } = request.query;
      requireSameUser(request.principal, userId);
      const page = await jobs.listJobs(userId, limit ?? 50, cursor);
      return { jobs: page.jobs.map((job) => jobView(job)), nextCursor: page.nextCursor };
    },
  );
};
