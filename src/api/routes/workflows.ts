import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { AccessControl } from '../../auth/access-control.js';
import { requireSameUser } from '../../auth/principal.js';
import type { FleetService } from '../../fleet/fleet-service.js';
import { NAME_PATTERN, requiredTags } from '../../jobs/job-spec.js';
import { WorkflowRequestSchema } from '../../workflows/workflow-definition.js';
import type { ScheduleDetails } from '../../definitions/schedule-sync.js';
import type { WorkflowSchedules } from '../../definitions/workflow-kind.js';
import type { Workflow, WorkflowRun, WorkflowService } from '../../workflows/workflow-service.js';
import type { WebhookService } from '../../webhooks/webhook-service.js';
import { authoriseDefinition } from '../../definitions/definition-rules.js';
import { followingNotifyUrl, updateAnswer, updateAnswerSchema } from '../definition-updates.js';
import { ownerOf } from '../route-access.js';
import { ErrorSchema, IdParams, ScheduleSchema, notifySchema } from '../schemas.js';
import { notifyView, scheduleView } from '../views.js';
import { WorkflowRunHeaderFields, workflowRunHeaderView } from './workflow-run-view.js';
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
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(
  schema: T,
  options?: { description: string },
) => Type.Union([schema, Type.Null()], options);
const Time = Nullable(Type.String({ format: 'date-time' }));

// Open objects (additionalProperties): the fields a reader relies on are declared, and the rest of
// the stored definition (a step's whole job spec, its failure tolerance, the start order) is served
// as stored. Only what every stored definition holds is required.
const open = { additionalProperties: true } as const;

/** A workflow's definition as stored (src/workflows/workflow-definition.ts, WorkflowDefinition). */
const storedDefinition = (description: string) =>
  Type.Object(
    {
      shared: Type.Object(
        {
          source_s3_prefix: Type.Optional(Type.String()),
          cron: Type.Optional(
            Nullable(Type.String({ description: 'the cron expression; null: not recurring' })),
          ),
        },
        {
          ...open,
          description:
            'the job fields every step shares (userId, uniqueId, bucket, prefixes, cron and its policies)',
        },
      ),
      maxParallel: Type.Integer({ description: 'at most this many step runs at once' }),
      steps: Type.Array(
        Type.Object(
          {
            name: Type.String(),
            dependsOn: Type.Array(Type.String()),
            runIf: Type.String({ description: 'all_succeeded, all_done or any_failed' }),
            forEach: Type.Optional(
              Type.Object(
                {
                  kind: Type.Union([
                    Type.Literal('none'),
                    Type.Literal('static'),
                    Type.Literal('dynamic'),
                    Type.Literal('param'),
                  ]),
                  items: Type.Optional(Type.Array(Type.Unknown(), { description: 'static: the items' })),
                  step: Type.Optional(
                    Type.String({ description: 'dynamic: the step whose result lists them' }),
                  ),
                  param: Type.Optional(Type.String({ description: 'param: the list param holding them' })),
                },
                { ...open, description: 'how a fan-out step gets its items' },
              ),
            ),
            spec: Type.Object(
              {
                command: Type.Optional(Nullable(Type.String())),
                image: Type.Optional(Nullable(Type.String())),
                args: Type.Optional(Nullable(Type.Union([Type.Array(Type.String()), Type.String()]))),
              },
              { ...open, description: 'the step as a job spec (placeholders still in it)' },
            ),
          },
          open,
        ),
      ),
      order: Type.Array(Type.String(), { description: 'the step names in a valid start order' }),
      params: Type.Optional(
        Type.Record(
          Type.String(),
          Type.Object(
            {
              type: Type.String({ description: 'string, number, boolean or list' }),
              default: Type.Optional(Type.Unknown()),
              description: Type.Optional(Type.String()),
            },
            open,
          ),
          { description: 'the declared params; absent when none are declared' },
        ),
      ),
    },
    { ...open, description },
  );

export const WorkflowSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  userId: Type.String(),
  uniqueId: Type.String(),
  definition: storedDefinition(
    'the workflow as stored: shared fields, max_parallel, each step as a job spec',
  ),
  version: Type.Integer({ description: 'counts the definitions it has had (PUT /workflows/:id adds one)' }),
  schedule: Nullable(ScheduleSchema, {
    description:
      "a recurring workflow's schedule, as a job's: in words, its timezone and policies; read alone (GET /workflows/:id and the schedule routes) also paused or not, next fire times and recent fires",
  }),
  createdAt: Type.String({ format: 'date-time' }),
  deletedAt: Time,
});

const ItemCounts = Type.Object({
  total: Type.Integer(),
  pending: Type.Integer(),
  queued: Type.Integer(),
  running: Type.Integer(),
  succeeded: Type.Integer(),
  failed: Type.Integer(),
  cancelled: Type.Integer(),
  skipped: Type.Integer(),
});

export const WorkflowRunSchema = Type.Object({
  ...WorkflowRunHeaderFields,
  steps: Type.Array(
    Type.Object({
      name: Type.String(),
      state: Type.String({
        description: 'pending, queued, running, succeeded, failed, skipped or cancelled',
      }),
      dependsOn: Type.Array(Type.String()),
      runIf: Type.String(),
      reason: Nullable(Type.String({ description: 'why the step was skipped, failed or cancelled' })),
      result: Nullable(
        Type.String({
          description:
            "the step's result: the last non-empty line of its stdout; a fan-out step's is the JSON array of its items' results, or null when that came to more than TDS_MAX_RESULT_BYTES (see resultTruncated)",
        }),
      ),
      resultTruncated: Type.Boolean({
        description:
          "a fan-out step's result came to more than TDS_MAX_RESULT_BYTES: result is null, and every item's result is in the step's manifest (<results.uri>items.jsonl, given to its dependants as /job/steps/<name>/items.jsonl) and at GET /workflow-runs/:id/steps/:name/items",
      }),
      exitCode: Nullable(Type.Integer()),
      runId: Nullable(
        Type.String({ description: "the step's run (its last attempt); null for a fan-out step" }),
      ),
      attempts: Type.Integer(),
      startedAt: Time,
      endedAt: Time,
      durationSeconds: Nullable(Type.Number()),
      results: Type.Object({ prefix: Type.String(), uri: Type.String() }),
      reusedFrom: Nullable(
        Type.String({ description: 'the workflow run whose result and files a retry reused' }),
      ),
      items: Nullable(ItemCounts),
    }),
  ),
});

/**
 * What changes while a workflow run runs: its state and each step's, without the definition,
 * results and folders GET /workflow-runs/:id also gives (a page polls this, having read those once).
 */
export const WorkflowRunStatesSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  state: WorkflowRunSchema.properties.state,
  failure: WorkflowRunSchema.properties.failure,
  cancelRequested: Type.Boolean(),
  timings: WorkflowRunSchema.properties.timings,
  steps: Type.Array(
    Type.Object({
      name: Type.String(),
      state: Type.String({
        description: 'pending, queued, running, succeeded, failed, skipped or cancelled',
      }),
      reason: Nullable(Type.String()),
      exitCode: Nullable(Type.Integer()),
      runId: Nullable(Type.String()),
      attempts: Type.Integer(),
      startedAt: Time,
      endedAt: Time,
      durationSeconds: Nullable(Type.Number()),
      items: Nullable(ItemCounts),
    }),
  ),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A workflow; with `details` its schedule shows paused or not, next fire times and recent fires. */
export function workflowView(w: Workflow, details?: ScheduleDetails) {
  return {
    id: w.id,
    userId: w.userId,
    uniqueId: w.uniqueId,
    definition: w.definition,
    version: w.version,
    schedule: scheduleView(w.definition.shared, details),
    createdAt: w.createdAt.toISOString(),
    deletedAt: iso(w.deletedAt),
  };
}

export function workflowRunView(r: WorkflowRun) {
  return {
    ...workflowRunHeaderView(r),
    steps: r.steps.map((s) => ({ ...s, startedAt: iso(s.startedAt), endedAt: iso(s.endedAt) })),
  };
}

/** Warnings for a new workflow: tags its steps require that no worker has ever advertised. */
async function workflowWarnings(
  workflow: Workflow,
  fleet: Pick<FleetService, 'warningsFor'> | undefined,
): Promise<string[]> {
  if (!fleet) return [];
  const tags = new Set(workflow.definition.steps.flatMap((s) => requiredTags(s.spec)));
  return tags.size === 0 ? [] : fleet.warningsFor([...tags]);
}

const PlanSchema = Type.Object({
  steps: Type.Array(
    Type.Object({
      name: Type.String(),
      dependsOn: Type.Array(Type.String()),
      runIf: Type.String(),
      forEach: Type.String({ description: 'none, static or dynamic' }),
      items: Type.Optional(Type.Integer()),
    }),
  ),
  order: Type.Array(Type.String(), { description: 'the step names in a valid start order' }),
});

export interface WorkflowRouteDeps {
  workflows: WorkflowService;
  schedules: WorkflowSchedules;
  access: AccessControl;
  /** Warns of required tags no worker ever advertised; without it no warnings are given. */
  fleet?: Pick<FleetService, 'warningsFor'>;
  /** Checks and registers a workflow's notify_url. */
  webhooks: Pick<WebhookService, 'checkUrl' | 'registerForWorkflow' | 'followNotifyUrl'>;
  versionPaging: VersionPaging;
}

type App = Parameters<FastifyPluginAsyncTypebox<WorkflowRouteDeps>>[0];

/** POST /workflows: submit, or with ?dry_run=true validate, a workflow. */
function postWorkflow(app: App, { workflows, schedules, access, fleet, webhooks }: WorkflowRouteDeps): void {
  app.post(
    '/workflows',
    {
      config: { access: 'user' },
      // The body is checked whole by the workflow's own validation, which lists every problem
      // found with its JSON path (schema and graph alike); the schema here documents it.
      validatorCompiler: ({ httpPart }) =>
        httpPart === 'body' ? (input: unknown) => ({ value: input }) : (input: unknown) => ({ value: input }),
      schema: {
        summary: 'Submit a workflow',
        description:
          'Validates the workflow whole (every problem listed with its JSON path in `problems`), stores it and starts its first run. With `cron`, the workflow is recurring: its runs start on the schedule (with the overlap and catch-up policies jobs have), `workflowRun` is null and `workflow.schedule` shows the next fire times. `?dry_run=true` validates and answers the plan and the definition as it would be stored, storing nothing. The same userId + uniqueId and body again answers the stored workflow with 200; a different body 409 (PUT /workflows/:id updates it).',
        tags: ['workflows'],
        querystring: Type.Object(
          { dry_run: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])) },
          { additionalProperties: false },
        ),
        body: WorkflowRequestSchema,
        response: {
          200: Type.Union([
            Type.Object({
              valid: Type.Boolean(),
              plan: PlanSchema,
              definition: storedDefinition(
                'the workflow as it would be stored (as GET /workflows/:id shows it)',
              ),
            }),
            Type.Object({
              workflow: WorkflowSchema,
              workflowRun: Nullable(WorkflowRunSchema),
              created: Type.Boolean(),
            }),
          ]),
          202: Type.Object({
            workflow: WorkflowSchema,
            workflowRun: Nullable(WorkflowRunSchema),
            created: Type.Boolean(),
            warnings: Type.Optional(
              Type.Array(Type.String(), {
                description: 'such as tags a step requires that no worker has ever advertised',
              }),
            ),
            notify: notifySchema('with notify_url, when the workflow is created'),
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const query = (request.query ?? {}) as { dry_run?: string };
      if (query.dry_run !== undefined && query.dry_run !== 'true' && query.dry_run !== 'false') {
        return reply.status(400).send({ error: 'invalid_request', message: 'dry_run is "true" or "false"' });
      }
      // Who may store it, as for a job: every step's ceilings, buckets and secrets, its notify_url.
      const authorise = authoriseDefinition(access, webhooks, request.principal);
      if (query.dry_run === 'true') {
        const { definition, plan } = await workflows.dryRun(request.body, authorise);
        return reply.status(200).send({ valid: true, plan, definition });
      }
      const { workflow, workflowRunId, created } = await workflows.submit(request.body, authorise);
      // The workflow's own endpoint, made as it is created: before its first workflow run can end.
      const url = workflow.definition.shared.notify_url;
      const notify =
        created && url !== undefined
          ? await webhooks.registerForWorkflow(workflow.userId, workflow.id, url)
          : undefined;
      const run = workflowRunId ? await workflows.getWorkflowRun(workflowRunId) : null;
      request.log.info(
        { workflowId: workflow.id, workflowRunId, created },
        created ? 'workflow submitted' : 'workflow already exists',
      );
      const details = await schedules.details(workflow.id);
      const body = {
        workflow: workflowView(workflow, details),
        workflowRun: run ? workflowRunView(run) : null,
        created,
      };
      if (!created) return reply.status(200).send(body);
      return reply.status(202).send({
        ...body,
        warnings: await workflowWarnings(workflow, fleet),
        ...notifyView(notify),
      });
    },
  );
}

/** GET /workflows: a user's workflows, a page at a time. */
function listWorkflowsRoute(app: App, { workflows }: WorkflowRouteDeps): void {
  app.get(
    '/workflows',
    {
      config: { access: 'user' },
      schema: {
        summary: "A user's workflows, newest first, a page at a time",
        tags: ['workflows'],
        querystring: Type.Object(
          {
            userId: Type.String({ pattern: NAME_PATTERN, description: 'whose workflows to list' }),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
            cursor: Type.Optional(
              Type.String({ maxLength: 512, description: 'nextCursor of the previous page' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ workflows: Type.Array(WorkflowSchema), nextCursor: Nullable(Type.String()) }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { userId, limit, cursor } = request.query;
      requireSameUser(request.principal, userId);
      const page = await workflows.listWorkflows(userId, limit ?? 50, cursor);
      return { workflows: page.workflows.map((w) => workflowView(w)), nextCursor: page.nextCursor };
    },
  );
}

/** GET /workflows/:id: a workflow and its latest runs. */
function getWorkflowRoute(app: App, { workflows, schedules }: WorkflowRouteDeps): void {
  app.get(
    '/workflows/:id',
    {
      config: { access: ownerOf('workflow') },
      schema: {
        summary: 'A workflow and its latest runs',
        tags: ['workflows'],
        params: IdParams,
        response: {
          200: Type.Object({ workflow: WorkflowSchema, runs: Type.Array(WorkflowRunSchema) }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { workflow, runs } = await workflows.getWorkflow(request.params.id);
      const details = await schedules.details(workflow.id);
      return { workflow: workflowView(workflow, details), runs: runs.map(workflowRunView) };
    },
  );
}

/** PUT /workflows/:id: a workflow's new version. */
function putWorkflow(app: App, { workflows, schedules, access, webhooks }: WorkflowRouteDeps): void {
  app.put(
    '/workflows/:id',
    {
      config: { access: ownerOf('workflow') },
      // Checked whole by the workflow's own validation, as POST /workflows is.
      validatorCompiler: () => (input: unknown) => ({ value: input }),
      schema: {
        summary: "Replace a workflow's definition (a new version; earlier ones kept)",
        description:
          'Send the whole definition, as to POST /workflows, with the same userId and uniqueId; it is validated as POST validates it (every problem in `problems`). A changed definition becomes a new version (GET /workflows/:id/versions keeps every one) and the next fire times of a recurring workflow are recomputed from now (a pause is kept); workflow runs under way go on with the definition they started with, and no run is started. A changed notify_url moves the endpoint made for it in the same transaction (same webhookId, same secret); a notify_url where the workflow had no endpoint makes one, answered in notify with its secret (shown only here); a removed notify_url disables the endpoint (its deliveries kept). An unchanged definition changes nothing: changed is false.',
        tags: ['workflows'],
        params: IdParams,
        body: WorkflowRequestSchema,
        response: {
          200: updateAnswerSchema('workflow', WorkflowSchema),
          ...errors,
        },
      },
    },
    async (request) => {
      const { workflow, changed, followed } = await workflows.replace(
        request.params.id,
        request.body,
        authoriseDefinition(access, webhooks, request.principal),
        followingNotifyUrl(
          webhooks,
          { kind: 'workflow', id: request.params.id },
          (definition) => definition.shared.notify_url,
          (definition) => definition.shared.userId,
        ),
      );
      const details = await schedules.details(workflow.id);
      return updateAnswer(
        request.log,
        'workflow',
        workflow,
        workflowView(workflow, details),
        changed,
        followed,
      );
    },
  );
}

/** GET /workflows/:id/versions: every definition a workflow has had. */
function workflowVersionsRoute(app: App, { workflows, versionPaging }: WorkflowRouteDeps): void {
  app.get(
    '/workflows/:id/versions',
    {
      config: { access: ownerOf('workflow') },
      schema: {
        summary: 'Every definition a workflow has had, newest first, a page at a time',
        tags: ['workflows'],
        params: IdParams,
        querystring: versionPageQuery(versionPaging),
        response: {
          200: Type.Object({
            nextCursor: NextCursorSchema,
            versions: Type.Array(
              Type.Object({
                version: Type.Integer(),
                current: Type.Boolean(),
                replacedAt: Time,
                definition: storedDefinition('the workflow as stored at that version'),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const page = await workflows.versions(
        request.params.id,
        versionPageRequest(request.query, versionPaging),
      );
      return {
        nextCursor: page.nextCursor,
        versions: page.versions.map((v) => ({
          version: v.version,
          current: v.current,
          replacedAt: iso(v.replacedAt),
          definition: v.definition,
        })),
      };
    },
  );
}

/** GET /workflow-runs/:id: a workflow run. */
function getWorkflowRunRoute(app: App, { workflows }: WorkflowRouteDeps): void {
  app.get(
    '/workflow-runs/:id',
    {
      config: { access: ownerOf('workflow_run') },
      schema: {
        summary: "A workflow run: its state, each step's state, timings, result, run ids and results",
        tags: ['workflows'],
        params: IdParams,
        response: { 200: WorkflowRunSchema, ...errors },
      },
    },
    async (request) => workflowRunView(await workflows.getWorkflowRun(request.params.id)),
  );
}

/** GET /workflow-runs/:id/states: what changes while a workflow run runs. */
function workflowRunStatesRoute(app: App, { workflows }: WorkflowRouteDeps): void {
  app.get(
    '/workflow-runs/:id/states',
    {
      config: { access: ownerOf('workflow_run') },
      schema: {
        summary: "A workflow run's state and each step's, to follow it",
        description:
          "What changes while the workflow run runs (its state, failure, timings, and each step's state, reason, exit code, run id, attempts, timings and item counts), without the definition, results and folders of GET /workflow-runs/:id: a client reads that once, then polls this.",
        tags: ['workflows'],
        params: IdParams,
        response: { 200: WorkflowRunStatesSchema, ...errors },
      },
    },
    async (request) => {
      const run = workflowRunView(await workflows.getWorkflowRun(request.params.id));
      return {
        id: run.id,
        state: run.state,
        failure: run.failure,
        cancelRequested: run.cancelRequested,
        timings: run.timings,
        steps: run.steps.map((s) => ({
          name: s.name,
          state: s.state,
          reason: s.reason,
          exitCode: s.exitCode,
          runId: s.runId,
          attempts: s.attempts,
          startedAt: s.startedAt,
          endedAt: s.endedAt,
          durationSeconds: s.durationSeconds,
          items: s.items,
        })),
      };
    },
  );
}

/** POST /workflow-runs/:id/cancel. */
function cancelWorkflowRunRoute(app: App, { workflows }: WorkflowRouteDeps): void {
  app.post(
    '/workflow-runs/:id/cancel',
    {
      config: { access: ownerOf('workflow_run') },
      schema: {
        summary: 'Cancel a workflow run',
        description:
          "Queued steps end cancelled, running steps' containers are stopped (their logs uploaded), steps not started end cancelled, and the workflow run ends cancelled.",
        tags: ['workflows'],
        params: IdParams,
        response: { 202: WorkflowRunSchema, ...errors },
      },
    },
    async (request, reply) =>
      reply.status(202).send(workflowRunView(await workflows.cancel(request.params.id))),
  );
}

/** POST /workflow-runs/:id/retry. */
function retryWorkflowRunRoute(app: App, { workflows }: WorkflowRouteDeps): void {
  app.post(
    '/workflow-runs/:id/retry',
    {
      config: { access: ownerOf('workflow_run') },
      schema: {
        summary: 'Retry a workflow run',
        description:
          "Starts a new workflow run that reuses every succeeded step's result and files and runs the failed, cancelled and skipped steps again; `from=STEP` also reruns STEP and everything downstream of it.",
        tags: ['workflows'],
        params: IdParams,
        querystring: Type.Object(
          {
            from: Type.Optional(
              Type.String({ maxLength: 63, description: 'a step to rerun with everything downstream of it' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 202: WorkflowRunSchema, ...errors },
      },
    },
    async (request, reply) =>
      reply.status(202).send(workflowRunView(await workflows.retry(request.params.id, request.query.from))),
  );
}

/** The workflow routes: thin shapes over the workflow side of the one definition model. */
export const workflowRoutes: FastifyPluginAsyncTypebox<WorkflowRouteDeps> = async (app, deps) => {
  postWorkflow(app, deps);
  listWorkflowsRoute(app, deps);
  getWorkflowRoute(app, deps);
  putWorkflow(app, deps);
  workflowVersionsRoute(app, deps);
  getWorkflowRunRoute(app, deps);
  workflowRunStatesRoute(app, deps);
  cancelWorkflowRunRoute(app, deps);
  retryWorkflowRunRoute(app, deps);
};
