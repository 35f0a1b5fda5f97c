import { createUsageReports } from '../usage/usage-reports.js';
import type { FastifyInstance } from 'fastify';
import { createDownloadLinks } from '../runs/download-links.js';
import { buildApp } from '../api/app.js';
import type { RateLimitSettings } from '../api/rate-limits.js';
import type { Config } from '../config.js';
import { findDashboardDir } from '../api/routes/dashboard.js';
import { createAccessControl } from '../auth/access-control.js';
import type { FleetService } from '../fleet/fleet-service.js';
import type { JobService } from '../jobs/job-service.js';
import type { WorkflowService } from '../workflows/workflow-service.js';
import type { WorkflowSchedules } from '../definitions/workflow-kind.js';
import type { RunOutput } from '../runner/run-output.js';
import type { JobSchedules } from '../definitions/job-kind.js';
import type { WebhookService } from '../webhooks/webhook-service.js';
import { createEventHub } from '../events/event-hub.js';
import { startStop, type StartStop } from '../start-stop.js';
import { createStreamSlots } from '../streams/stream-slots.js';
import { portTaken } from '../startup-error.js';
import type { SharedParts } from './shared-parts.js';

export interface ApiRole extends StartStop {
  /** Where the API listens, once started. */
  readonly url: string | undefined;
  /** The Fastify app, once started: its routes and their declared access. */
  readonly app: FastifyInstance | undefined;
}

/** The HTTP API: started, it listens on HOST and PORT; stopped, it finishes the requests under way and closes. */
export function createApiRole(
  { config, logger, db, engine, store, metrics, tracing, secrets, audit }: SharedParts,
  services: {
    jobs: JobService;
    schedules: JobSchedules;
    workflows: WorkflowService;
    workflowSchedules: WorkflowSchedules;
    webhooks: WebhookService;
    fleet: FleetService;
    output: RunOutput;
  },
): ApiRole {
  let app: FastifyInstance | undefined;
  let url: string | undefined;

  const lifecycle = startStop({
    async start() {
      const access = createAccessControl({
        db,
        authEnabled: config.authEnabled,
        defaultCeilings: config.userCeilings,
        secrets,
      });
      if (!config.authEnabled) {
        logger.warn(
          { host: config.host },
          'AUTHENTICATION IS OFF: any program on this machine can use the API as an operator. ' +
            'This is for local development only; set TDS_AUTH=on and create keys with `npm run keys`.',
        );
      }
      const eventHub = createEventHub({
        db,
        logger: logger.child({ part: 'event-streams' }),
        pollMs: config.streams.pollIntervalMs,
        bufferBytes: config.streams.bufferBytes,
      });
      const streamSlots = createStreamSlots(config.streams);
      metrics.registerStreams(() => ({ ...eventHub.stats(), open: streamSlots.open }));
      const built = await buildApp({
        eventHub,
        streamSlots,
        db,
        audit,
        auditPageMax: config.audit.pageMax,
        jobs: services.jobs,
        workflows: services.workflows,
        workflowSchedules: services.workflowSchedules,
        output: services.output,
        dashboardDir: findDashboardDir(),
        schedules: services.schedules,
        fleet: services.fleet,
        store,
        links: createDownloadLinks(config.downloadLinks),
        access,
        defaultCeilings: config.userCeilings,
        logger,
        corsOrigins: config.corsOrigins,
        trustProxy: config.trustProxy,
        healthChecks: {
          database: async () => void (await db.query('SELECT 1')),
          docker: () => engine.ping(),
        },
        bodyLimit: config.bodyLimitBytes,
        rateLimits: rateLimitSettings(config),
        versionPaging: config.versionPaging,
        usage: createUsageReports(db, config.usage),
        webhooks: services.webhooks,
        secrets,
        tracing,
        metrics:
          config.metricsPort === undefined
            ? { contentType: metrics.registry.contentType, render: () => metrics.registry.metrics() }
            : undefined,
      });
      try {
        await built.listen({ host: config.host, port: config.port });
      } catch (error) {
        await built.close();
        throw portTaken(error, 'The API', `${config.host}:${config.port}`, 'PORT');
      }
      const address = built.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      app = built;
      url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    },
    async stop() {
      await app?.close();
      app = undefined;
      url = undefined;
    },
  });

  return {
    ...lifecycle,
    get url() {
      return url;
    },
    get app() {
      return app;
    },
  };
}

/** The request limits the settings give (the API role's, and the API-types script's). */
export function rateLimitSettings(
  config: Pick<
    Config,
    | 'rateLimitPerMinute'
    | 'rateLimitPerSecond'
    | 'rateLimitPerAddressPerMinute'
    | 'authFailuresPerMinute'
    | 'rateLimitRefusalDelayMs'
  >,
): RateLimitSettings {
  return {
    perKeyPerMinute: config.rateLimitPerMinute,
    perKeyPerSecond: config.rateLimitPerSecond,
    perAddressPerMinute: config.rateLimitPerAddressPerMinute,
    authFailuresPerMinute: config.authFailuresPerMinute,
    refusalDelayMs: config.rateLimitRefusalDelayMs,
  };
}
