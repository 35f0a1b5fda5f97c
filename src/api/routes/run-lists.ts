import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { SqlExecutor } from '../../../services/db/database.js';
import { listingScope } from '../../auth/principal.js';
import { NotFoundError } from '../../errors.js';
import { NAME_PATTERN } from '../../jobs/job-spec.js';
import {
  checkFilter,
  decodeRunCursor,
  pageRuns,
  pageRunsOfJob,
  parseStates,
  parseTime,
  type RunFilter,
  type RunPage,
} from '../../runs/run-listing.js';
import { RUN_STATES } from '../../runs/run-states.js';
import { ownerOf } from '../route-access.js';
import { ErrorSchema, IdParams, RunSchema } from '../schemas.js';
import { runView } from '../views.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema };

const StateParam = Type.Union([Type.String(), Type.Array(Type.String())], {
  description: `only runs in these states: one or more of ${RUN_STATES.join(', ')}, comma-separated (state=failed,timed_out) or the parameter repeated (state=failed&state=timed_out)`,
});
const LimitParam = Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'runs per page' });
const CursorParam = Type.String({
  maxLength: 512,
  description: 'nextCursor of the previous page, to read the next one (keep the same filters)',
});
const TimeParam = (description: string) => Type.String({ format: 'date-time', description });

const PageSchema = Type.Object({
  runs: Type.Array(RunSchema, { description: 'newest first (by the time each was queued)' }),
  nextCursor: Type.Union([Type.String(), Type.Null()], {
    description: 'pass as cursor for the next page; null on the last page',
  }),
});

function pageView(page: RunPage) {
  return { runs: page.runs.map((run) => runView(run)), nextCursor: page.nextCursor };
}

/** Runs a page at a time: a job's, and a user's (or, for an operator, everyone's) across jobs. */
export const runListRoutes: FastifyPluginAsyncTypebox<{ db: SqlExecutor }> = async (app, { db }) => {
  app.get(
    '/jobs/:id/runs',
    {
      config: { access: ownerOf('job') },
      schema: {
        summary: "A job's runs, newest first, a page at a time",
        description:
          'Every run of the job, a deleted one included, newest first by the time each was queued. Pass nextCursor as cursor for the next page: pages neither skip nor repeat runs while new ones are queued.',
        tags: ['runs'],
        params: IdParams,
        querystring: Type.Object(
          {
            state: Type.Optional(StateParam),
            limit: Type.Optional(LimitParam),
            cursor: Type.Optional(CursorParam),
          },
          { additionalProperties: false },
        ),
        response: { 200: PageSchema, ...errors },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { state, limit, cursor } = request.query;
      const filter: RunFilter = { states: parseStates(state) };
      const after = cursor === undefined ? undefined : decodeRunCursor(cursor);
      const page = await pageRunsOfJob(db, id, filter, limit ?? 50, after);
      if (!page) throw new NotFoundError('job', id);
      return pageView(page);
    },
  );

  app.get(
    '/runs',
    {
      config: { access: 'user' },
      schema: {
        summary: "A user's runs across their jobs, newest first, a page at a time",
        description:
          "Runs newest first by the time each was queued, filtered by state and by when they were queued. A user's key lists its own user's runs only, and must name it in userId; an operator lists any user's, or every user's without userId. Pass nextCursor as cursor for the next page.",
        tags: ['runs'],
        querystring: Type.Object(
          {
            userId: Type.Optional(
              Type.String({
                pattern: NAME_PATTERN,
                description:
                  "whose runs to list: required with a user's key (its own user); an operator may leave it out for every user's",
              }),
            ),
            state: Type.Optional(StateParam),
            since: Type.Optional(
              TimeParam('only runs queued at or after this time (ISO 8601, e.g. 2025-01-31T09:00:00Z)'),
            ),
            until: Type.Optional(TimeParam('only runs queued before this time (ISO 8601)')),
            limit: Type.Optional(LimitParam),
            cursor: Type.Optional(CursorParam),
          },
          { additionalProperties: false },
        ),
        response: { 200: PageSchema, ...errors },
      },
    },
    async (request) => {
      const { userId, state, since, until, limit, cursor } = request.query;
      const scope = listingScope(request.principal, userId);
      const filter: RunFilter = {
        states: parseStates(state),
        since: parseTime('since', since),
        until: parseTime('until', until),
      };
      checkFilter(filter);
      const after = cursor === undefined ? undefined : decodeRunCursor(cursor);
      return pageView(await pageRuns(db, scope, filter, limit ?? 50, after));
    },
  );
};
