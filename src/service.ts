import { createSubnetPool } from '../services/docker/subnet-pool.js';
import type { FastifyInstance } from 'fastify';
import path from 'node:path';
import type { RDSDataClient } from '@aws-sdk/client-rds-data';
import type { S3Client } from '@aws-sdk/client-s3';
import Docker from 'dockerode';
import type { Logger } from 'pino';
import { createS3Client, createS3ObjectStore } from '../services/aws/s3-object-store.js';
import type { ObjectStore } from '../services/aws/object-store.js';
import type { Database, SqlExecutor } from '../services/db/database.js';
import {
  DatabaseBehindError,
  MigrationLockTimeoutError,
  migrate,
  pendingMigrations,
  UnknownMigrationsError,
} from '../services/db/migrate.js';
import { createPgDatabase, tlsFailure } from '../services/db/pg-database.js';
import type { ContainerEngine } from '../services/docker/container-engine.js';
import { createDockerEngine, dockerOptions } from '../services/docker/docker-engine.js';
import type { Config } from './config.js';
import { createAuditTrail } from './audit/audit-trail.js';
import { createFleetService } from './fleet/fleet-service.js';
import { createJobService, type JobService } from './jobs/job-service.js';
import { createResultSpool } from './runner/result-spool.js';
import { createRunOutput } from './runner/run-output.js';
import { createApiRole } from './roles/api-role.js';
import { createHousekeeperRole } from './roles/housekeeper-role.js';
import { createWorkflowPass } from './workflows/workflow-pass.js';
import { createWorkflowService, type WorkflowService } from './workflows/workflow-service.js';
import { createWorkflowSchedules } from './definitions/workflow-kind.js';
import { createJobSchedules, type JobSchedules } from './definitions/job-kind.js';
import { createQueueRoom } from './runs/queue-room.js';
import { createBucketCheck } from './definitions/bucket-check.js';
import { syncSchedule } from './definitions/schedule-sync.js';
import { createSchedulerRole } from './roles/scheduler-role.js';
import type { SharedParts } from './roles/shared-parts.js';
import { createWorkerRole } from './roles/worker-role.js';
import { createSignals } from './signals.js';
import { countingFailures, createServiceMetrics, type ServiceMetrics } from './metrics/service-metrics.js';
import { countingDatabaseFaults } from './metrics/database-health.js';
import { createExporterRole } from './roles/exporter-role.js';
import { createTracing } from '../services/telemetry/tracing.js';
import { createMetricsListenerRole } from './roles/metrics-listener-role.js';
import { createWebhookSenderRole } from './roles/webhook-sender-role.js';
import { createSigningKey } from './webhooks/secrets.js';
import { loadOrCreateKeyFile } from './secrets/key-file.js';
import { createSecretService } from './secrets/secret-service.js';
import { createWebhookService, type WebhookService } from './webhooks/webhook-service.js';
import type { StartStop } from './start-stop.js';
import { dockerUnreachable, portTaken, StartupError } from './startup-error.js';
import type { Housekeeper } from './worker/housekeeper.js';
import { loadInstallationId } from './fleet/installation.js';

export interface Service {
  apiUrl: string | undefined;
  /** The API's Fastify app, when this process serves the API. */
  app: FastifyInstance | undefined;
  /** The Postgres connected to; undefined when the database is reached through the RDS Data API. */
  databaseUrl: string | undefined;
  databaseIsEmbedded: boolean;
  s3Endpoint: string | undefined;
  db: Database;
  store: ObjectStore;
  engine: ContainerEngine;
  jobs: JobService;
  schedules: JobSchedules;
  workflows: WorkflowService;
  /** Where the metrics listener serves /metrics (TDS_METRICS_PORT), when it is set. */
  metricsUrl: string | undefined;
  metrics: ServiceMetrics;
  webhooks: WebhookService;
  /** The worker's housekeeping, when this process is a worker. */
  housekeeper: Housekeeper | undefined;
  /** This installation's identity, labelled on every container, image and network it makes. */
  installationId: string;
  /** Stops the roles in the reverse order of their start, then closes the shared parts. */
  stop(): Promise<void>;
}

export interface ServiceOverrides {
  /** Turns Docker's event stream off so that only the reconcile pass notices exits (tests). */
  followDockerEvents?: boolean;
  /** The scheduler's "now" (tests of catch-up and daylight-saving changes); the database's clock otherwise. */
  schedulerClock?: (db: SqlExecutor) => Promise<Date>;
  /**
   * Sees each AWS SDK client made (S3, the RDS Data API) before it is used: tests record the
   * commands each role sends, to check the IAM policies in deploy/iam against them.
   */
  observeAwsClient?: (client: S3Client | RDSDataClient) => void;
  /** Sees each statement sent outside a transaction (tests count the queries a part makes). */
  observeQuery?: (sql: string) => void;
}

/** The composition root: builds the shared parts from the configuration, then starts the roles asked for. */
export async function startService(
  config: Config,
  logger: Logger,
  overrides: ServiceOverrides = {},
): Promise<Service> {
  const closers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (let close = closers.pop(); close; close = closers.pop()) {
      await close().catch((error: unknown) => logger.warn({ err: error }, 'error while stopping'));
    }
  };
  try {
    const { parts, database, storage, engine } = await openSharedParts(config, logger, overrides, closers);
    const domain = createDomainServices(parts);
    const started = await startRoles(parts, domain, engine, overrides, closers);
    return {
      apiUrl: started.api?.url,
      metricsUrl: started.metricsListener?.url,
      metrics: parts.metrics,
      webhooks: domain.webhooks,
      app: started.api?.app,
      databaseUrl: database.url,
      databaseIsEmbedded: !config.databaseUrl && !config.rdsData,
      s3Endpoint: storage.endpoint,
      db: parts.db,
      store: parts.store,
      engine,
      jobs: domain.jobs,
      schedules: domain.schedules,
      workflows: domain.workflows,
      housekeeper: started.housekeeper,
      installationId: parts.installationId,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The parts every role shares: the database (migrated, or refused), the object store, the
 * container engine, the signals, the metrics, this installation's id and the secrets. What must
 * be closed is pushed on `closers`.
 */
async function openSharedParts(
  config: Config,
  logger: Logger,
  overrides: ServiceOverrides,
  closers: (() => Promise<void>)[],
) {
  const observe = overrides.observeAwsClient ?? (() => undefined);
  const database = await openDatabase(config, logger, closers, observe);
  if (overrides.observeQuery) database.db = observingQueries(database.db, overrides.observeQuery);
  await migrateOrRefuse(database.db, config, logger);
  const storage = await openObjectStore(config, closers, observe);
  const engine = createDockerEngine(
    new Docker(dockerOptions(config.dockerHost)),
    logger,
    config.dockerHost ?? 'unix:///var/run/docker.sock',
    config.sandbox.runSubnets === undefined ? undefined : createSubnetPool(config.sandbox.runSubnets),
  );
  const signals = createSignals();
  // A scrape reads the database as the driver gives it and counts its own failures (`metrics`).
  const metrics = createServiceMetrics(database.db, signals, {
    databaseTimeoutMs: config.metricsDatabaseTimeoutMs,
  });
  const tracing = await createTracing(config.tracing, logger);
  closers.push(() => tracing.shutdown());
  const installationId = await loadInstallationId(database.db);
  // Who acts is set per request by the API, per command by the keys CLI; every writer records here.
  const audit = createAuditTrail();
  const secrets = createSecretService({
    db: database.db,
    audit,
    key: await secretsKey(config, logger),
    maxPerUser: config.secrets.maxPerUser,
    maxValueBytes: config.secrets.maxValueBytes,
  });
  const parts: SharedParts = {
    config,
    installationId,
    logger,
    // The database's faults (unreachable, connection lost, timeouts) are counted (tds_database_errors_total).
    db: countingDatabaseFaults(database.db, (operation) => metrics.countDatabaseError(operation)),
    // Failures of the object store and the engine are counted (tds_external_errors_total).
    store: countingFailures(storage.store, (operation) => metrics.countError('s3', operation)),
    engine: countingFailures(engine, (operation) => metrics.countError('docker', operation)),
    signals,
    metrics,
    tracing,
    secrets,
    audit,
  };
  return { parts, database, storage, engine };
}

/** The services the roles act through: jobs, workflows, their schedules, webhooks. */
function createDomainServices(parts: SharedParts) {
  const { config, audit } = parts;
  const signingKey = createSigningKey(
    parts.db,
    config.webhooks.signingKey,
    config.webhooks.acceptedSigningKeys,
  );
  const webhooks = createWebhookService({
    db: parts.db,
    audit,
    signingKey,
    allowPrivate: config.webhooks.allowPrivate,
    endpointsPerUser: config.webhooks.endpointsPerUser,
  });
  const defaults = { ...config.jobDefaults, baseImage: config.baseImage };
  const limits = { maxResultBytes: config.limits.maxResultBytes };
  // The one definition model: jobs and workflows share their checks and their lifecycle.
  const buckets = createBucketCheck(parts.store);
  const queue = createQueueRoom(parts.db, config.queue);
  const backfillMaxRuns = config.queue.backfillMaxRuns;
  const schedules = createJobSchedules({
    db: parts.db,
    defaults,
    queue,
    signals: parts.signals,
    audit,
    backfillMaxRuns,
  });
  const workflowSchedules = createWorkflowSchedules({
    db: parts.db,
    backfillMaxRuns,
    limits,
    queue,
    signals: parts.signals,
    audit,
  });
  const jobs = createJobService({
    db: parts.db,
    audit,
    store: parts.store,
    engine: parts.engine,
    defaults,
    schedules: { sync: (tx, jobId, spec) => syncSchedule(tx, { jobId }, spec) },
    buckets,
    queue,
    signals: parts.signals,
    secrets: parts.secrets,
    liveLogBytes: config.limits.liveLogBytes,
    leaseMs: config.leaseMs,
  });
  const workflows = createWorkflowService({
    db: parts.db,
    audit,
    store: parts.store,
    logger: parts.logger,
    defaults,
    buckets,
    queue,
    limits,
    signals: parts.signals,
  });
  return { signingKey, webhooks, schedules, workflowSchedules, jobs, workflows };
}

type DomainServices = ReturnType<typeof createDomainServices>;

/**
 * Makes the roles this process plays (worker and its companions, scheduler, exporter, API, metrics
 * listener) and starts them in that order; each one's stop is pushed on `closers`.
 */
async function startRoles(
  parts: SharedParts,
  domain: DomainServices,
  engine: ContainerEngine,
  overrides: ServiceOverrides,
  closers: (() => Promise<void>)[],
) {
  const { config, logger } = parts;
  const roles: StartStop[] = [];
  // Where a worker's runs' results wait for S3; the API reads logs and metrics from it too, for
  // runs whose results are still there (when it runs on the worker's host).
  const spool = createResultSpool(config.dataDir, config.spool.maxBytes);
  let housekeeper: Housekeeper | undefined;
  if (config.roles.includes('worker')) {
    await checkDocker(engine, config, logger);
    const worker = createWorkerRole(parts, {
      followDockerEvents: overrides.followDockerEvents,
      workflows: domain.workflows,
      spool,
    });
    housekeeper = createHousekeeperRole(parts, worker.executions, worker.spool);
    roles.push(
      worker,
      housekeeper,
      createWorkflowPass({ workflows: domain.workflows, logger, intervalMs: config.workflowPassIntervalMs }),
      createWebhookSenderRole(parts, domain.signingKey),
    );
  }
  if (config.roles.includes('scheduler')) {
    roles.push(createSchedulerRole(parts, { clock: overrides.schedulerClock }));
  }
  if (config.roles.includes('exporter')) roles.push(createExporterRole(parts));
  const api = config.roles.includes('api') ? createApi(parts, domain, engine, spool) : undefined;
  if (api) roles.push(api);
  const metricsListener =
    config.metricsPort === undefined ? undefined : createMetricsListenerRole(parts, config.metricsPort);
  if (metricsListener) roles.push(metricsListener);
  warnOfDerivedSigningKey(config, logger);
  for (const role of config.roles) parts.metrics.playsRole(role);
  for (const role of roles) {
    closers.push(() => role.stop());
    await role.start();
  }
  return { api, metricsListener, housekeeper };
}

/** The API role, with what it reads runs' output through. */
function createApi(
  parts: SharedParts,
  domain: DomainServices,
  engine: ContainerEngine,
  spool: ReturnType<typeof createResultSpool>,
) {
  // A log stream waiting for its run to start or end looks again this often.
  const output = createRunOutput({
    db: parts.db,
    store: parts.store,
    engine,
    spool,
    pollMs: 500,
    secrets: parts.secrets,
    metricsLimits: parts.config.metricsRead,
    searchLimits: parts.config.logSearch,
    // The engine's readings of runs on this host's worker are read live from its data folder.
    ...(parts.config.roles.includes('worker') ? { dataDir: parts.config.dataDir } : {}),
  });
  return createApiRole(parts, {
    jobs: domain.jobs,
    schedules: domain.schedules,
    workflows: domain.workflows,
    workflowSchedules: domain.workflowSchedules,
    webhooks: domain.webhooks,
    fleet: createFleetService({ db: parts.db, leaseMs: parts.config.leaseMs, audit: parts.audit }),
    output,
  });
}

function warnOfDerivedSigningKey(config: Config, logger: Logger): void {
  if ((config.roles.includes('api') || config.roles.includes('worker')) && !config.webhooks.signingKey) {
    logger.warn(
      'TDS_WEBHOOK_SIGNING_KEY is not set: webhook secrets are derived from a key kept in the database, ' +
        'so a copy of the database is enough to forge deliveries; set it (32+ random characters) in production',
    );
  }
}

/**
 * The key users' secrets are sealed with: TDS_SECRETS_KEY; unset with the embedded database (the
 * zero-config default), one kept in the data folder; unset otherwise, none (secrets unavailable).
 */
async function secretsKey(config: Config, logger: Logger): Promise<Buffer | undefined> {
  if (config.secrets.key) return config.secrets.key;
  if (!config.databaseUrl && !config.rdsData) return loadOrCreateKeyFile(config.dataDir);
  if (config.roles.includes('api') || config.roles.includes('worker')) {
    logger.warn(
      'TDS_SECRETS_KEY is not set: secrets are unavailable (their routes answer 503, and jobs naming secrets are refused); set it to 32 random bytes, the same on every process (see docs/secrets.md)',
    );
  }
  return undefined;
}

/** The database the configuration names: the RDS Data API, a Postgres URL, or the embedded Postgres. */
async function openDatabase(
  config: Config,
  logger: Logger,
  closers: (() => Promise<void>)[],
  observe: (client: RDSDataClient) => void,
): Promise<{ db: Database; url: string | undefined }> {
  if (config.rdsData) {
    const { clusterArn, secretArn, database, region, endpoint } = config.rdsData;
    // Loaded only when used, as are the embedded servers: each costs memory for as long as the
    // process lives.
    const { createRdsDataClient, createRdsDataDatabase } =
      await import('../services/aws/rds-data-database.js');
    const client = createRdsDataClient({ region, endpoint });
    observe(client);
    const db = createRdsDataDatabase(client, { resourceArn: clusterArn, secretArn, database }, logger);
    closers.push(() => db.close());
    return { db, url: undefined };
  }
  let url = config.databaseUrl;
  if (!url) {
    const { startEmbeddedPostgres } = await import('../services/embedded/embedded-postgres.js');
    const pg = await startEmbeddedPostgres(
      path.join(config.dataDir, 'postgres'),
      config.embeddedPostgresPort,
      logger,
    );
    closers.push(pg.stop);
    url = pg.url;
  }
  const db = createPgDatabase(url, logger, config.database);
  closers.push(() => db.close());
  return { db, url };
}

/**
 * With TDS_MIGRATE=auto, applies the migrations not applied yet; with `never`, a database behind
 * this version stops the start, naming the deploy step that migrates it. A database migrated by
 * newer code stops the start either way.
 */
async function migrateOrRefuse(db: Database, config: Config, logger: Logger): Promise<void> {
  try {
    if (config.database.migrate === 'never') {
      const pending = await pendingMigrations(db);
      if (pending.length > 0) throw new DatabaseBehindError(pending);
      return;
    }
    const applied = await migrate(db, undefined, { lockTimeoutMs: config.database.migrationLockTimeoutMs });
    if (applied.length > 0) logger.info({ versions: applied }, 'database migrated');
  } catch (error) {
    if (
      error instanceof UnknownMigrationsError ||
      error instanceof DatabaseBehindError ||
      error instanceof MigrationLockTimeoutError
    ) {
      throw new StartupError(error.message, { cause: error });
    }
    const tls = tlsFailure(error);
    if (tls) throw new StartupError(tls, { cause: error });
    throw error;
  }
}

/**
 * The deploy step (`npm run migrate`, the image's `migrate` command): applies the migrations not
 * applied yet to the database the configuration names, whatever TDS_MIGRATE says, and returns
 * their versions. A database migrated by newer code, or a migration that cannot take its locks in
 * time, throws a StartupError saying what to do.
 */
export async function migrateDatabase(config: Config, logger: Logger): Promise<number[]> {
  const closers: (() => Promise<void>)[] = [];
  try {
    const { db } = await openDatabase(config, logger, closers, () => undefined);
    return await migrate(db, undefined, { lockTimeoutMs: config.database.migrationLockTimeoutMs });
  } catch (error) {
    if (error instanceof UnknownMigrationsError || error instanceof MigrationLockTimeoutError) {
      throw new StartupError(error.message, { cause: error });
    }
    const tls = tlsFailure(error);
    if (tls) throw new StartupError(tls, { cause: error });
    throw error;
  } finally {
    for (let close = closers.pop(); close; close = closers.pop()) {
      await close().catch((error: unknown) => logger.warn({ err: error }, 'error while stopping'));
    }
  }
}

/** The object store the configuration names: the embedded S3-compatible server, or S3 (or one like it). */
async function openObjectStore(
  config: Config,
  closers: (() => Promise<void>)[],
  observe: (client: S3Client) => void,
): Promise<{ store: ObjectStore; endpoint: string | undefined }> {
  if (config.storage.kind === 'embedded') {
    const { startEmbeddedS3 } = await import('../services/embedded/embedded-s3.js');
    const { port } = config.storage;
    const s3 = await startEmbeddedS3(path.join(config.dataDir, 's3'), port, config.storage).catch(
      (error: unknown) => {
        throw portTaken(error, 'The embedded S3 server', `127.0.0.1:${port}`, 'TDS_S3_PORT');
      },
    );
    closers.push(s3.stop);
    const client = createS3Client({
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: {
        accessKeyId: config.storage.accessKeyId,
        secretAccessKey: config.storage.secretAccessKey,
      },
    });
    observe(client);
    return { store: createS3ObjectStore(client), endpoint: s3.endpoint };
  }
  const client = createS3Client({
    endpoint: config.storage.endpoint,
    region: config.storage.region,
    forcePathStyle: config.storage.forcePathStyle,
  });
  observe(client);
  return { store: createS3ObjectStore(client), endpoint: config.storage.endpoint };
}

async function checkDocker(engine: ContainerEngine, config: Config, logger: Logger): Promise<void> {
  try {
    await engine.ping();
  } catch (error) {
    throw dockerUnreachable(engine.address, error);
  }
  if (!(await engine.imageId(config.baseImage))) {
    logger.warn(
      { image: config.baseImage },
      `base image ${config.baseImage} is not present yet: it is pulled when the first job needs it ` +
        '(offline, build it with `bash scripts/base-image.sh`)',
    );
  }
}

function observingQueries(db: Database, observe: (sql: string) => void): Database {
  return {
    query(sql, params, options) {
      observe(sql);
      return db.query(sql, params, options);
    },
    // A transaction is observed as its BEGIN, its statements and its end.
    async transaction(fn) {
      observe('BEGIN');
      let end = 'ROLLBACK';
      try {
        const result = await db.transaction((tx) =>
          fn({
            query(sql, params, options) {
              observe(sql);
              return tx.query(sql, params, options);
            },
          }),
        );
        end = 'COMMIT';
        return result;
      } finally {
        observe(end);
      }
    },
    subscribe: (channel, onNotify) => db.subscribe(channel, onNotify),
    close: () => db.close(),
  };
}
