import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { AccessControl } from '../../auth/access-control.js';
import { requireSameUser } from '../../auth/principal.js';
import type { FleetService } from '../../fleet/fleet-service.js';
import type { JobService } from '../../jobs/job-service.js';
import type { JobSchedules } from '../../definitions/job-kind.js';
import type { WebhookService } from '../../webhooks/webhook-service.js';
import { JobRequestSchema, NAME_PATTERN, requiredTags } from '../../jobs/job-spec.js';
import { authoriseDefinition } from '../../definitions/definition-rules.js';
import { followingNotifyUrl, updateAnswer, updateAnswerSchema } from '../definition-updates.js';
import { ownerOf } from '../route-access.js';
import { ErrorSchema, IdParams, JobSchema, RunSchema, SpecSchema, notifySchema } from '../schemas.js';
import { jobView, notifyView, runView } from '../views.js';
import {
  NextCursorSchema,
  versionPageQuery,
  versionPageRequest,
  type VersionPaging,
} from '../../versions/version-page.js';

const errors = {
  400: ErrorSchema,
  401: ErrorSchema,
  403: ErrorSchema,
  404: ErrorSchema,
  409: ErrorSchema,
  422: ErrorSchema,
};

export interface JobRouteDeps {
  jobs: JobService;
  schedules: JobSchedules;
  fleet: FleetService;
  access: AccessControl;
  webhooks: WebhookService;
  versionPaging: VersionPaging;
}

type App = Parameters<FastifyPluginAsyncTypebox<JobRouteDeps>>[0];

/** POST /jobs: submit, or with ?dry_run=true validate, a job. */
function postJob(app: App, { jobs, fleet, access, webhooks }: JobRouteDeps): void {
  app.post(
    '/jobs',
    {
      config: { access: 'user' },
      schema: {
        summary: 'Submit a job',
        description:
          "Stores the job and queues its first run (a job without cron runs once, now). The same userId + uniqueId again returns the existing job with 200. A new job answers 202 with warnings, such as required tags that no worker has ever advertised. With ?dry_run=true the job is validated as it would be (every problem listed in a 400's problems, each with a JSON Pointer into the body) and answered with 200 { valid: true, spec } (the job as it would be stored); nothing is stored.",
        tags: ['jobs'],
        querystring: Type.Object(
          {
            dry_run: Type.Optional(
              Type.Boolean({ description: 'validate only: answer { valid, spec } and store nothing' }),
            ),
          },
          { additionalProperties: false },
        ),
        body: JobRequestSchema,
        response: {
          200: Type.Union([
            Type.Object({
              job: JobSchema,
              run: Type.Union([RunSchema, Type.Null()]),
              created: Type.Boolean(),
            }),
            Type.Object({ valid: Type.Literal(true), spec: SpecSchema }),
          ]),
          202: Type.Object({
            job: JobSchema,
            run: Type.Union([RunSchema, Type.Null()]),
            created: Type.Boolean(),
            notify: notifySchema('with notify_url, when the job is created'),
            warnings: Type.Array(Type.String(), {
              description:
                'what may keep the job from running as expected, e.g. required tags no worker has ever advertised',
            }),
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const authorise = authoriseDefinition(access, webhooks, request.principal);
      if (request.query.dry_run) {
        const spec = await jobs.dryRun(request.body, authorise);
        return reply.status(200).send({ valid: true as const, spec });
      }
      const { job, run, created, claimingOffers } = await jobs.submit(request.body, authorise);
      // The job's own endpoint, made as it is created: long before its first run can end.
      const notify =
        created && job.spec.notify_url !== undefined
          ? await webhooks.registerForJob(job.spec.userId, job.id, job.spec.notify_url)
          : undefined;
      request.log.info(
        { jobId: job.id, runId: run?.id, created },
        created ? 'job submitted' : 'job already exists',
      );
      // The run's view as GET /runs/:id shows it: with what it waits for, when it waits.
      const runBody = run ? { ...runView(run), ...(await fleet.whyQueued(run, claimingOffers)) } : null;
      const body = {
        job: jobView(job),
        run: runBody,
        created,
        ...notifyView(notify),
      };
      if (!created) return reply.status(200).send(body);
      const warnings = await fleet.warningsFor(requiredTags(job.spec));
      return reply.status(202).send({ ...body, warnings });
    },
  );
}

/** PUT /jobs/:id: a job's new version. */
function putJob(app: App, { jobs, schedules, access, webhooks }: JobRouteDeps): void {
  app.put(
    '/jobs/:id',
    {
      config: { access: ownerOf('job') },
      schema: {
        summary: "Replace a job's definition (a new version; earlier ones kept)",
        description:
          "Send the whole definition, as to POST /jobs, with the same userId and uniqueId. A changed definition becomes a new version (GET /jobs/:id/versions keeps every one) and a recurring job's next fire times are recomputed from now (a pause is kept); runs already queued or under way keep the definition they were queued with, and no run is queued. A changed notify_url moves the job's own endpoint in the same transaction (same webhookId, same secret); a notify_url where the job had no endpoint makes one, answered in notify with its secret (shown only here); a removed notify_url disables the endpoint (its deliveries kept). An unchanged definition changes nothing: changed is false.",
        tags: ['jobs'],
        params: IdParams,
        body: JobRequestSchema,
        response: {
          200: updateAnswerSchema('job', JobSchema),
          ...errors,
        },
      },
    },
    async (request) => {
      const { job, changed, followed } = await jobs.replace(
        request.params.id,
        request.body,
        authoriseDefinition(access, webhooks, request.principal),
        followingNotifyUrl(
          webhooks,
          { kind: 'job', id: request.params.id },
          (spec) => spec.notify_url,
          (spec) => spec.userId,
        ),
      );
      const details = await schedules.details(job.id);
      return updateAnswer(request.log, 'job', job, jobView(job, details), changed, followed);
    },
  );
}

/** GET /jobs/:id/versions: every definition a job has had. */
function jobVersionsRoute(app: App, { jobs, versionPaging }: JobRouteDeps): void {
  app.get(
    '/jobs/:id/versions',
    {
      config: { access: ownerOf('job') },
      schema: {
        summary: 'Every definition a job has had, newest first, a page at a time',
        tags: ['jobs'],
        params: IdParams,
        querystring: versionPageQuery(versionPaging),
        response: {
          200: Type.Object({
            nextCursor: NextCursorSchema,
            versions: Type.Array(
              Type.Object({
                version: Type.Integer(),
                current: Type.Boolean(),
                replacedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
                spec: SpecSchema,
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const page = await jobs.versions(request.params.id, versionPageRequest(request.query, versionPaging));
      return {
        nextCursor: page.nextCursor,
        versions: page.versions.map((v) => ({
          version: v.version,
          current: v.current,
          replacedAt: v.replacedAt ? v.replacedAt.toISOString() : null,
          spec: v.spec,
        })),
      };
    },
  );
}

/** GET /jobs/:id: a job and its latest runs. */
function getJobRoute(app: App, { jobs, schedules }: JobRouteDeps): void {
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
}

/** GET /jobs: a user's jobs, a page at a time. */
function listJobsRoute(app: App, { jobs }: JobRouteDeps): void {
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
}

/** The job routes: thin shapes over the job side of the one definition model. */
export const jobRoutes: FastifyPluginAsyncTypebox<JobRouteDeps> = async (app, deps) => {
  postJob(app, deps);
  putJob(app, deps);
  jobVersionsRoute(app, deps);
  getJobRoute(app, deps);
  listJobsRoute(app, deps);
};
