import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { SqlExecutor } from '../../../services/db/database.js';
import { listingScope } from '../../auth/principal.js';
import { NAME_PATTERN } from '../../jobs/job-spec.js';
import { parseStates } from '../../runs/run-listing.js';
import { readJobSummaries, readOverview } from '../../runs/run-overview.js';
import { RUN_STATES } from '../../runs/run-states.js';
import { WORKFLOW_RUN_STATES } from '../../workflows/workflow-states.js';
import { parseWorkflowRunStates, readWorkflowSummaries } from '../../workflows/workflow-summaries.js';
import { ErrorSchema } from '../schemas.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema };
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);
const UserParam = Type.Optional(
  Type.String({
    pattern: NAME_PATTERN,
    description:
      "whose: required with a user's key (its own user); an operator may leave it out for every user's",
  }),
);
const State = Type.String({ description: RUN_STATES.join(', ') });

/** How the overview names a run (in `running` and `recentFailures`). */
const OverviewRunFields = {
  runId: Type.String(),
  jobId: Nullable(Type.String()),
  uniqueId: Nullable(Type.String({ description: "the job's uniqueId, or the workflow's for a step's run" })),
  workflowRunId: Nullable(Type.String({ description: "a workflow step's run: its workflow run" })),
  stepName: Nullable(Type.String()),
  userId: Type.String(),
  state: State,
};

const OverviewSchema = Type.Object({
  since: Type.String({ format: 'date-time' }),
  runsByState: Type.Record(Type.String(), Type.Integer()),
  successRate: Nullable(Type.Number({ description: 'succeeded out of the runs that ended, 0 to 1' })),
  running: Type.Array(
    Type.Object({
      ...OverviewRunFields,
      startedAt: Nullable(Type.String()),
      elapsedSeconds: Type.Integer(),
    }),
  ),
  nextFires: Type.Array(
    Type.Object({
      jobId: Type.Union([Type.String(), Type.Null()], { description: "the job's, or null for a workflow's" }),
      workflowId: Type.Union([Type.String(), Type.Null()], { description: "the workflow's, or null" }),
      uniqueId: Type.String(),
      userId: Type.String(),
      fireAt: Type.String(),
    }),
  ),
  recentFailures: Type.Array(
    Type.Object({
      ...OverviewRunFields,
      reason: Nullable(Type.String()),
      message: Nullable(Type.String()),
      endedAt: Nullable(Type.String()),
    }),
  ),
});

/** The parameters of GET /job-summaries and GET /workflow-summaries; `state` as `stateDescription` says. */
const SummaryQuery = (stateDescription: string) =>
  Type.Object(
    {
      userId: UserParam,
      name: Type.Optional(Type.String({ maxLength: 200, description: 'part of the uniqueId, any case' })),
      state: Type.Optional(
        Type.Union([Type.String(), Type.Array(Type.String())], { description: stateDescription }),
      ),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 200 })),
    },
    { additionalProperties: false },
  );

/** What a job's summary and a workflow's share: its schedule and its latest run. */
const SummaryFields = {
  id: Type.String(),
  userId: Type.String(),
  uniqueId: Type.String(),
  cron: Nullable(Type.String({ description: "a recurring job's or workflow's cron expression" })),
  timezone: Nullable(Type.String()),
  paused: Nullable(Type.Boolean()),
  nextFireAt: Nullable(Type.String({ description: 'its next fire time; null when paused or not recurring' })),
};
const LastRunFields = { queuedAt: Type.String(), endedAt: Nullable(Type.String()) };

const JobSummarySchema = Type.Object({
  ...SummaryFields,
  command: Nullable(Type.String()),
  lastRun: Nullable(
    Type.Object({ id: Type.String(), state: State, exitCode: Nullable(Type.Integer()), ...LastRunFields }),
  ),
});

const WorkflowSummarySchema = Type.Object({
  ...SummaryFields,
  steps: Type.Integer({ description: 'how many steps its definition has' }),
  createdAt: Type.String(),
  lastRun: Nullable(
    Type.Object({
      id: Type.String({ description: 'the latest workflow run' }),
      state: Type.String({ description: WORKFLOW_RUN_STATES.join(', ') }),
      ...LastRunFields,
    }),
  ),
});

/** Summaries a dashboard (or any client) shows at a glance, and who the caller's key is. */
export const overviewRoutes: FastifyPluginAsyncTypebox<{ db: SqlExecutor; authEnabled: boolean }> = async (
  app,
  { db, authEnabled },
) => {
  app.get(
    '/whoami',
    {
      config: { access: 'user' },
      schema: {
        summary: 'Who the API key belongs to: a user, an operator, or no one when authentication is off',
        tags: ['health'],
        response: {
          200: Type.Object({
            authEnabled: Type.Boolean(),
            kind: Type.Union([Type.Literal('user'), Type.Literal('operator'), Type.Literal('local')]),
            userId: Nullable(Type.String()),
            operator: Type.Boolean(),
          }),
          401: ErrorSchema,
        },
      },
    },
    async (request) => {
      const principal = request.principal;
      return {
        authEnabled,
        kind: principal.kind,
        userId: principal.kind === 'user' ? principal.userId : null,
        operator: principal.kind !== 'user',
      };
    },
  );

  app.get(
    '/overview',
    {
      config: { access: 'user' },
      schema: {
        summary:
          'Runs of the last day by state, success rate, what runs now, the next fire times, recent failures',
        description:
          'For one user (a user key must name its own), or every user for an operator. Runs are counted since `sinceHours` ago (default 24) by the time they were queued; fire times cover the next `aheadHours` (default 24) of every schedule that is not paused; failures are the latest failed or timed out runs of the last week.',
        tags: ['runs'],
        querystring: Type.Object(
          {
            userId: UserParam,
            sinceHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 31 })),
            aheadHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 7 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: OverviewSchema, ...errors },
      },
    },
    async (request) => {
      const scope = listingScope(request.principal, request.query.userId);
      return readOverview(db, scope, {
        sinceHours: request.query.sinceHours ?? 24,
        aheadHours: request.query.aheadHours ?? 24,
        limit: 50,
      });
    },
  );

  app.get(
    '/job-summaries',
    {
      config: { access: 'user' },
      schema: {
        summary: 'Jobs with their last run and next fire time, newest first, filtered by name and last state',
        tags: ['jobs'],
        querystring: SummaryQuery(
          "the last run's state: one or more, comma-separated (failed,timed_out for failed only)",
        ),
        response: { 200: Type.Object({ jobs: Type.Array(JobSummarySchema) }), ...errors },
      },
    },
    async (request) => {
      const { userId, name, state, limit } = request.query;
      const scope = listingScope(request.principal, userId);
      const jobs = await readJobSummaries(db, scope, {
        name: name || undefined,
        lastStates: parseStates(state),
        limit: limit ?? 200,
      });
      return { jobs };
    },
  );

  app.get(
    '/workflow-summaries',
    {
      config: { access: 'user' },
      schema: {
        summary:
          "Workflows with their latest workflow run, newest first, filtered by name and that run's state",
        tags: ['workflows'],
        querystring: SummaryQuery(
          `the latest workflow run's state: one or more of ${WORKFLOW_RUN_STATES.join(', ')}, comma-separated`,
        ),
        response: { 200: Type.Object({ workflows: Type.Array(WorkflowSummarySchema) }), ...errors },
      },
    },
    async (request) => {
      const { userId, name, state, limit } = request.query;
      const scope = listingScope(request.principal, userId);
      const workflows = await readWorkflowSummaries(db, scope, {
        name: name || undefined,
        lastStates: parseWorkflowRunStates(state),
        limit: limit ?? 200,
      });
      return { workflows };
    },
  );
};
