import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { SqlExecutor } from '../../../services/db/database.js';
import { listingScope } from '../../auth/principal.js';
import { NotFoundError } from '../../errors.js';
import { NAME_PATTERN } from '../../jobs/job-spec.js';
import { ITEM_STATES } from '../../workflows/step-items.js';
import {
  pageRunsOfWorkflow,
  pageStepItems,
  pageWorkflowRuns,
  parseItemStates,
  parseWorkflowRunStates,
  type WorkflowRunSummary,
} from '../../workflows/workflow-run-listing.js';
import { WORKFLOW_RUN_STATES } from '../../workflows/workflow-states.js';
import { ownerOf } from '../route-access.js';
import { ErrorSchema, IdParams } from '../schemas.js';
import { WorkflowRunHeaderFields, workflowRunHeaderView } from './workflow-run-view.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema };
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);
const LimitParam = (what: string) =>
  Type.Integer({ minimum: 1, maximum: 200, default: 50, description: `${what} per page` });
const CursorParam = Type.String({
  maxLength: 512,
  description: 'nextCursor of the previous page, to read the next one (keep the same filters)',
});
const NextCursor = Nullable(
  Type.String({ description: 'pass as cursor for the next page; null on the last page' }),
);

const WorkflowRunSummarySchema = Type.Object({
  ...WorkflowRunHeaderFields,
  stepCounts: Type.Record(Type.String(), Type.Integer(), {
    description: 'how many of its steps are in each state (pending, queued, running, succeeded, …)',
  }),
});

const WorkflowRunPageSchema = Type.Object({
  workflowRuns: Type.Array(WorkflowRunSummarySchema, {
    description: 'newest first (by the time each was queued); GET /workflow-runs/:id has the steps',
  }),
  nextCursor: NextCursor,
});

function pageView(page: { workflowRuns: WorkflowRunSummary[]; nextCursor: string | null }) {
  return { workflowRuns: page.workflowRuns.map(workflowRunHeaderView), nextCursor: page.nextCursor };
}

type App = Parameters<FastifyPluginAsyncTypebox<{ db: SqlExecutor }>>[0];

/** GET /workflows/:id/runs */
function workflowRunsOfWorkflowRoute(app: App, db: SqlExecutor): void {
  app.get(
    '/workflows/:id/runs',
    {
      config: { access: ownerOf('workflow') },
      schema: {
        summary: "A workflow's runs, newest first, a page at a time",
        description:
          'Each workflow run as a summary (its steps counted by state), newest first by the time each was queued. Pass nextCursor as cursor for the next page: pages neither skip nor repeat runs while new ones start.',
        tags: ['workflows'],
        params: IdParams,
        querystring: Type.Object(
          { limit: Type.Optional(LimitParam('workflow runs')), cursor: Type.Optional(CursorParam) },
          { additionalProperties: false },
        ),
        response: { 200: WorkflowRunPageSchema, ...errors },
      },
    },
    async (request) => {
      const { id } = request.params;
      const page = await pageRunsOfWorkflow(db, id, request.query.limit ?? 50, request.query.cursor);
      if (!page) throw new NotFoundError('workflow', id);
      return pageView(page);
    },
  );
}

/** GET /workflow-runs */
function workflowRunsRoute(app: App, db: SqlExecutor): void {
  app.get(
    '/workflow-runs',
    {
      config: { access: 'user' },
      schema: {
        summary: "A user's workflow runs, newest first, a page at a time",
        description:
          "Workflow runs as summaries, newest first, filtered by workflow and state. A user's key lists its own user's only, and must name it in userId; an operator lists any user's, or every user's without userId.",
        tags: ['workflows'],
        querystring: Type.Object(
          {
            userId: Type.Optional(
              Type.String({
                pattern: NAME_PATTERN,
                description:
                  "whose workflow runs to list: required with a user's key (its own user); an operator may leave it out for every user's",
              }),
            ),
            workflowId: Type.Optional(
              Type.String({ format: 'uuid', description: "only this workflow's runs" }),
            ),
            state: Type.Optional(
              Type.String({
                maxLength: 200,
                description: `only workflow runs in these states: one or more of ${WORKFLOW_RUN_STATES.join(', ')}, comma-separated`,
              }),
            ),
            limit: Type.Optional(LimitParam('workflow runs')),
            cursor: Type.Optional(CursorParam),
          },
          { additionalProperties: false },
        ),
        response: { 200: WorkflowRunPageSchema, ...errors },
      },
    },
    async (request) => {
      const { userId, workflowId, state, limit, cursor } = request.query;
      const scope = listingScope(request.principal, userId);
      const filter = { userId: scope, workflowId, states: parseWorkflowRunStates(state) };
      return pageView(await pageWorkflowRuns(db, filter, limit ?? 50, cursor));
    },
  );
}

/** GET /workflow-runs/:id/steps/:name/items */
function stepItemsRoute(app: App, db: SqlExecutor): void {
  app.get(
    '/workflow-runs/:id/steps/:name/items',
    {
      // `name` is a step of the workflow run: looked up within the run whose owner is checked.
      config: { access: ownerOf('workflow_run', 'id', ['name']) },
      schema: {
        summary: "A fan-out step's items, a page at a time",
        description:
          "Each item of the step in index order, with its state, its run (the latest attempt), exit code, attempts, result (the run's last non-empty line of stdout, as text), failure reason and results folder. A step without for_each has none (400).",
        tags: ['workflows'],
        params: Type.Object({ id: Type.String({ maxLength: 64 }), name: Type.String({ maxLength: 63 }) }),
        querystring: Type.Object(
          {
            state: Type.Optional(
              Type.String({
                maxLength: 200,
                description: `only items in these states: one or more of ${ITEM_STATES.join(', ')}, comma-separated`,
              }),
            ),
            limit: Type.Optional(LimitParam('items')),
            cursor: Type.Optional(CursorParam),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                index: Type.Integer(),
                item: Type.Unknown({ description: 'the item, as for_each gave it' }),
                state: Type.String({ description: ITEM_STATES.join(', ') }),
                runId: Nullable(Type.String({ description: "the item's run (its latest attempt)" })),
                exitCode: Nullable(Type.Integer()),
                attempts: Type.Integer(),
                result: Nullable(Type.String()),
                reason: Nullable(
                  Type.String({
                    description: "why the item's run failed, timed out or was cancelled (reason: message)",
                  }),
                ),
                results: Nullable(
                  Type.String({ description: "the item's run's results folder, s3://bucket/prefix/" }),
                ),
              }),
            ),
            nextCursor: NextCursor,
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { id, name } = request.params;
      const { state, limit, cursor } = request.query;
      const page = await pageStepItems(db, id, name, {
        states: parseItemStates(state),
        limit: limit ?? 50,
        cursor,
      });
      if (!page) throw new NotFoundError('step in this workflow run', name);
      return page;
    },
  );
}

/** Workflow runs a page at a time (a workflow's, a user's or everyone's), and a fan-out step's items. */
export const workflowListingRoutes: FastifyPluginAsyncTypebox<{ db: SqlExecutor }> = async (app, { db }) => {
  workflowRunsOfWorkflowRoute(app, db);
  workflowRunsRoute(app, db);
  stepItemsRoute(app, db);
};
