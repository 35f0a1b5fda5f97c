import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Tracing } from '../../services/telemetry/tracing.js';
import type { Logger } from 'pino';
import type { Database } from '../../services/db/database.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import { auditActorPlugin } from './audit-actor.js';
import type { AccessControl } from '../auth/access-control.js';
import type { Ceilings } from '../auth/policy.js';
import type { FleetService } from '../fleet/fleet-service.js';
import type { JobService } from '../jobs/job-service.js';
import type { RunOutput } from '../runner/run-output.js';
import { authPlugin, createRequestAuthenticator, routeAccessPlugin } from './auth.js';
import { errorHandler } from './error-handler.js';
import { createInputGuard } from './input-guard.js';
import { createRateLimits, type RateLimitSettings } from './rate-limits.js';
import { loopbackGuardPlugin } from './loopback-guard.js';
import { serializeRequest } from './request-log.js';
import { trackSilentConnections } from './silent-connections.js';
import { unowned } from './route-access.js';
import type { ObjectStore } from '../../services/aws/object-store.js';
import type { DownloadLinks } from '../runs/download-links.js';
import { adminRoutes } from './routes/admin.js';
import { auditRoutes } from './routes/audit.js';
import { fileRoutes } from './routes/files.js';
import { healthRoutes, type HealthCheck } from './routes/health.js';
import { stateRoutes } from './routes/states.js';
import { jobRoutes } from './routes/jobs.js';
import { runListRoutes } from './routes/run-lists.js';
import { eventRoutes } from './routes/events.js';
import { metricsRoutes, type MetricsEndpoint } from './routes/metrics.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { overviewRoutes } from './routes/overview.js';
import { runOutputRoutes } from './routes/run-output.js';
import { runRoutes } from './routes/runs.js';
import { webhookRoutes } from './routes/webhooks.js';
import { definitionScheduleRoutes } from './routes/definition-schedules.js';
import { jobScheduleRoutes } from './routes/schedules.js';
import { secretRoutes } from './routes/secrets.js';
import type { SecretService } from '../secrets/secret-service.js';
import { workflowListingRoutes } from './routes/workflow-listings.js';
import { workflowRoutes } from './routes/workflows.js';
import type { WorkflowService } from '../workflows/workflow-service.js';
import type { WorkflowSchedules } from '../definitions/workflow-kind.js';
import { workflowScheduleRoutes } from './routes/workflow-schedules.js';
import { workerRoutes } from './routes/workers.js';
import { usageRoutes } from './routes/usage.js';
import type { UsageReports } from '../usage/usage-reports.js';
import type { JobSchedules } from '../definitions/job-kind.js';
import type { WebhookService } from '../webhooks/webhook-service.js';
import type { EventHub } from '../events/event-hub.js';
import type { StreamSlots } from '../streams/stream-slots.js';
import { buildSerializer } from './serializers.js';
import { validatorCompiler } from './validation.js';
import type { VersionPaging } from '../versions/version-page.js';

export interface AppDeps {
  db: Database;
  /** The audit log: who acts is set per request (audit-actor.ts), read by GET /audit. */
  audit: AuditTrail;
  /** The most rows in a page of GET /audit (TDS_AUDIT_PAGE_MAX). */
  auditPageMax: number;
  jobs: JobService;
  workflows: WorkflowService;
  /** Recurring workflows' schedules, and pausing, triggering, deleting workflows. */
  workflowSchedules: WorkflowSchedules;
  /** Runs' logs as streams and their CPU and memory samples. */
  output: RunOutput;
  /** The built dashboard (see routes/dashboard.ts); undefined when it is not built. */
  dashboardDir: string | undefined;
  schedules: JobSchedules;
  fleet: FleetService;
  /** Where a run's result files are read from for GET /files?token=. */
  store: ObjectStore;
  links: DownloadLinks;
  access: AccessControl;
  defaultCeilings: Ceilings;
  logger: Logger;
  corsOrigins: string[] | boolean;
  /** Which proxies' X-Forwarded-For names the client; false: the address a request comes from. */
  trustProxy: false | number | string[];
  healthChecks: Record<string, HealthCheck>;
  /** Largest request body accepted, in bytes. */
  bodyLimit: number;
  /** Requests per minute per API key, per address, and refused as unauthenticated per address. */
  rateLimits: RateLimitSettings;
  /** Page sizes of GET /jobs/:id/versions and GET /workflows/:id/versions. */
  versionPaging: VersionPaging;
  webhooks: WebhookService;
  /** Users' secrets: set, listed by name, deleted. */
  secrets: SecretService;
  /** The one reader of new events that feeds every open GET /events stream of this process. */
  eventHub: EventHub;
  /** The places for open streams (GET /events, log streams), per user and in all. */
  streamSlots: StreamSlots;
  /** CPU, memory and run time summed per job, workflow, user or day (GET /usage). */
  usage: UsageReports;
  /** Prometheus metrics served at /metrics (operator key); undefined when a listener of their own serves them. */
  metrics: MetricsEndpoint | undefined;
  /** A span for each request, named by its route (OpenTelemetry, when configured). */
  tracing?: Pick<Tracing, 'enabled' | 'startRequest'>;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const input = createInputGuard(deps.logger);
  const app = createFastify(deps, input);
  if (deps.tracing?.enabled) traceRequests(app as unknown as FastifyInstance, deps.tracing);
  const limits = await registerGuards(app, deps, input);
  await registerDocumentation(app);
  await registerRoutes(app, deps, limits);
  return app as unknown as FastifyInstance;
}

/**
 * A span for each request, from its arrival to its answer: named by method and route template
 * (`GET /runs/:id`), never the URL, whose query may hold a download link's token.
 */
function traceRequests(app: FastifyInstance, tracing: Pick<Tracing, 'startRequest'>): void {
  const spans = new WeakMap<FastifyRequest, { end(statusCode: number): void }>();
  app.addHook('onRequest', async (request) => {
    spans.set(request, tracing.startRequest(request.method, request.routeOptions.url ?? 'unmatched'));
  });
  app.addHook('onResponse', async (request, reply) => {
    spans.get(request)?.end(reply.statusCode);
  });
}

/** The Fastify instance: its logger, body limit, proxies trusted, validation and error handling. */
function createFastify(deps: AppDeps, input: ReturnType<typeof createInputGuard>) {
  const app = Fastify({
    // Requests are logged with secrets in their URL redacted (download links' tokens).
    loggerInstance: deps.logger.child({}, { serializers: { req: serializeRequest } }),
    bodyLimit: deps.bodyLimit,
    // A number of hops as the function Fastify makes of one (its types take no number).
    trustProxy:
      typeof deps.trustProxy === 'number'
        ? (
            (hops: number) => (_address: string, hop: number) =>
              hop < hops
          )(deps.trustProxy)
        : deps.trustProxy,
    frameworkErrors: input.frameworkErrors,
    // Response serializers compiled once per schema for the process, not once per app.
    schemaController: { compilersFactory: { buildSerializer } },
    clientErrorHandler: input.clientErrorHandler,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  const silent = trackSilentConnections(app.server);
  app.addHook('preClose', async () => silent.closeAll());
  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send({ error: 'not_found', message: `no route ${request.method} ${request.url}; see /docs` }),
  );
  return app;
}

type TypedFastify = ReturnType<typeof createFastify>;

/**
 * What every request meets before its route, in order: route access declared, the loopback guard
 * (without keys), security headers, CORS, the input guard, the rate limits and authentication.
 */
async function registerGuards(
  app: TypedFastify,
  { access, audit, corsOrigins, rateLimits }: AppDeps,
  input: ReturnType<typeof createInputGuard>,
) {
  // First, so that every route registered after it, a plugin's too, states its access or stops the start.
  await app.register(routeAccessPlugin, { knowsOwnerOf: access.knowsOwnerOf });
  // Without keys, before anything else reads the request: a web page must not act as the developer.
  if (!access.authEnabled) await app.register(loopbackGuardPlugin, { corsOrigins });
  await app.register(helmet, {
    // The OpenAPI page loads its own scripts and styles; everything else is JSON.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        frameAncestors: ["'none'"],
        // The API is often reached over plain HTTP on a private network.
        upgradeInsecureRequests: null,
      },
    },
  });
  await app.withRouteAccess(
    unowned('public', 'CORS preflight: browsers send no key with it, and `*` is any path of the API'),
    () => app.register(cors, { origin: corsOrigins }),
  );
  // Before authentication, so no malformed text reaches the key lookup or any route.
  await app.register(input.plugin);
  // Before authentication, so that a flood of requests, with bad keys or none, or past a key's
  // limit, is refused before each costs a key lookup.
  const limits = await createRateLimits(app as unknown as FastifyInstance, rateLimits);
  app.addHook('onRequest', limits.byAddress);
  app.addHook('onRequest', limits.byKey);
  await app.register(authPlugin, { access, limits });
  await app.register(auditActorPlugin, { audit });
  return limits;
}

/** The OpenAPI description, and its page at /docs. */
async function registerDocumentation(app: TypedFastify): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Task Deploy Service',
        description:
          'Runs commands in Docker containers, once or on a cron schedule, and delivers the logs, outputs and CPU/memory metrics of every run to S3.',
        version: '0.1.0',
      },
      tags: [
        { name: 'jobs' },
        { name: 'workflows' },
        { name: 'schedules' },
        { name: 'secrets' },
        { name: 'runs' },
        { name: 'usage' },
        { name: 'webhooks' },
        { name: 'events' },
        { name: 'admin' },
        { name: 'health' },
        { name: 'dashboard' },
      ],
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'an API key (tds_…)' } },
      },
      security: [{ apiKey: [] }],
    },
  });
  await app.withRouteAccess(
    unowned('public', 'the API documentation: its `*` parameter names a file of the documentation page'),
    () => app.register(swaggerUi, { routePrefix: '/docs' }),
  );
}

/** Every route of the API. */
async function registerRoutes(
  app: TypedFastify,
  deps: AppDeps,
  limits: Awaited<ReturnType<typeof createRateLimits>>,
): Promise<void> {
  const { db, jobs, schedules, fleet, access, healthChecks } = deps;
  await app.register(healthRoutes, {
    checks: healthChecks,
    authEnabled: access.authEnabled,
    authenticate: createRequestAuthenticator(access, limits),
  });
  await app.register(jobRoutes, {
    jobs,
    schedules,
    fleet,
    access,
    webhooks: deps.webhooks,
    versionPaging: deps.versionPaging,
  });
  await app.register(adminRoutes, { db, defaultCeilings: deps.defaultCeilings, audit: deps.audit });
  await app.register(auditRoutes, { db, pageMax: deps.auditPageMax });
  await app.register(workerRoutes, { fleet });
  await app.register(definitionScheduleRoutes(jobScheduleRoutes), { schedules });
  await app.register(runRoutes, { jobs, fleet });
  await app.register(runOutputRoutes, { output: deps.output, slots: deps.streamSlots });
  await app.register(overviewRoutes, { db, authEnabled: access.authEnabled });
  await app.register(dashboardRoutes, { dir: deps.dashboardDir });
  await app.register(stateRoutes);
  await app.register(runListRoutes, { db });
  await app.register(workflowRoutes, {
    workflows: deps.workflows,
    schedules: deps.workflowSchedules,
    access,
    fleet,
    webhooks: deps.webhooks,
    versionPaging: deps.versionPaging,
  });
  await app.register(definitionScheduleRoutes(workflowScheduleRoutes(deps.workflows)), {
    schedules: deps.workflowSchedules,
  });
  await app.register(workflowListingRoutes, { db });
  await app.register(webhookRoutes, { webhooks: deps.webhooks });
  await app.register(secretRoutes, { secrets: deps.secrets });
  await app.register(eventRoutes, { db, hub: deps.eventHub, slots: deps.streamSlots });
  if (deps.metrics) await app.register(metricsRoutes, { metrics: deps.metrics });
  await app.register(usageRoutes, { usage: deps.usage });
  await app.register(fileRoutes, { jobs, store: deps.store, links: deps.links });
}
