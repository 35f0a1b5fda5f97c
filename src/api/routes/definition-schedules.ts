import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type, { type TSchema } from 'typebox';
import { JobRequestSchema } from '../../jobs/job-spec.js';
import type { DefinitionSchedules, StoredDefinition } from '../../definitions/definition-schedules.js';
import type { ScheduleDetails } from '../../definitions/schedule-sync.js';
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

/** A route's words in the OpenAPI document. */
export interface RouteText {
  summary: string;
  description?: string;
}

/**
 * What the routes of one kind of definition (`T`, whose run started by hand is `S`) say of it: its
 * paths, its answers' schemas and views, and each route's words. The routes themselves, their
 * statuses and their access, are written once, in `definitionScheduleRoutes`.
 */
export interface ScheduleRouteKind<T extends StoredDefinition, S> {
  noun: 'job' | 'workflow';
  /** The collection's path: `/jobs`, `/workflows`. */
  path: string;
  /** The OpenAPI tag of its routes. */
  tag: string;
  schema: TSchema;
  view(item: T, details?: ScheduleDetails): unknown;
  /** The schema of the answer to a trigger: a run, a workflow run. */
  startedSchema: TSchema;
  startedView(started: S): Promise<unknown>;
  text: Record<'change' | 'pause' | 'resume' | 'trigger' | 'backfill' | 'remove', RouteText>;
}

/**
 * Managing a stored job or workflow: change its schedule (PATCH), pause, resume, trigger now,
 * backfill, delete; the same routes for both kinds, at `kind.path`.
 */
export function definitionScheduleRoutes<T extends StoredDefinition, S>(
  kind: ScheduleRouteKind<T, S>,
): FastifyPluginAsyncTypebox<{ schedules: DefinitionSchedules<T, S> }> {
  return async (app, { schedules }) => {
    const access = ownerOf(kind.noun);
    const describe = (route: keyof ScheduleRouteKind<T, S>['text']) => ({
      ...kind.text[route],
      tags: [kind.tag],
    });
    const answer = { 200: kind.schema, ...errors };
    const withDetails = async (item: T) => kind.view(item, await schedules.details(item.id));

    app.patch(
      `${kind.path}/:id`,
      {
        config: { access },
        schema: { ...describe('change'), params: IdParams, body: ScheduleChangeSchema, response: answer },
      },
      async (request) => withDetails(await schedules.change(request.params.id, request.body)),
    );
    // Pause and resume answer the definition as it is afterwards.
    for (const action of ['pause', 'resume'] as const) {
      app.post(
        `${kind.path}/:id/${action}`,
        { config: { access }, schema: { ...describe(action), params: IdParams, response: answer } },
        async (request) => {
          await schedules[action](request.params.id);
          return withDetails(await schedules.get(request.params.id));
        },
      );
    }
    app.post(
      `${kind.path}/:id/trigger`,
      {
        config: { access },
        schema: {
          ...describe('trigger'),
          params: IdParams,
          body: TriggerBodySchema,
          response: { 202: kind.startedSchema, ...errors },
        },
      },
      async (request, reply) => {
        const started = await schedules.trigger(request.params.id, request.body ?? undefined);
        return reply.status(202).send(await kind.startedView(started));
      },
    );
    app.post(
      `${kind.path}/:id/backfill`,
      {
        config: { access },
        schema: {
          ...describe('backfill'),
          params: IdParams,
          querystring: BackfillQuerySchema,
          body: BackfillRequestSchema,
          response: { 200: BackfillAnswerSchema, 202: BackfillAnswerSchema, ...errors, 429: ErrorSchema },
        },
      },
      async (request, reply) => {
        const dryRun = request.query.dry_run === true;
        const backfill = await schedules.backfill(request.params.id, request.body, dryRun);
        return reply.status(dryRun ? 200 : 202).send(backfillView(backfill));
      },
    );
    app.delete(
      `${kind.path}/:id`,
      { config: { access }, schema: { ...describe('remove'), params: IdParams, response: answer } },
      async (request) => kind.view(await schedules.remove(request.params.id)),
    );
  };
}
