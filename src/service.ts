import path from 'node:path';
import Docker from 'dockerode';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createS3Client, createS3ObjectStore } from '../services/aws/s3-object-store.js';
import type { ObjectStore } from '../services/aws/object-store.js';
import type { Database, SqlExecutor } from '../services/db/database.js';
import { migrate } from '../services/db/migrate.js';
import { createPgDatabase } from '../services/db/pg-database.js';
import type { ContainerEngine } from '../services/docker/container-engine.js';
import { createDockerEngine, dockerOptions } from '../services/docker/docker-engine.js';
import { buildApp } from './api/app.js';
import { createAccessControl } from './auth/access-control.js';
import type { Config } from './config.js';
import { errorMessage } from './errors.js';
import { createJobService, type JobService } from './jobs/job-service.js';
import { createImageBuilder } from './runner/image-builder.js';
import { createRunExecutor } from './runner/run-executor.js';
import { createRunFinisher } from './runner/run-finisher.js';
import { createScheduler, type Scheduler } from './scheduler/scheduler.js';
import { createScheduleService, type ScheduleService } from './scheduler/schedule-service.js';
import { createHousekeeper, type Housekeeper } from './worker/housekeeper.js';
import { createWatcher, type Watcher } from './worker/watcher.js';
import { createWorker, type Worker } from './worker/worker.js';

export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

export interface Service {
  apiUrl: string | undefined;
  /** The Postgres connected to; undefined when the database is reached through the RDS Data API. */
  databaseUrl: string | undefined;
  databaseIsEmbedded: boolean;
  s3Endpoint: string | undefined;
  db: Database;
  store: ObjectStore;
  engine: ContainerEngine;
  jobs: JobService;
  schedules: ScheduleService;
  scheduler: Scheduler | undefined;
  app: FastifyInstance | undefined;
  worker: Worker | undefined;
  watcher: Watcher | undefined;
  housekeeper: Housekeeper | undefined;
  stop(): Promise<void>;
}

export interface ServiceOverrides {
  /** Turns Docker's event stream off so that only the reconcile pass notices exits (tests). */
  followDockerEvents?: boolean;
  /** The scheduler's "now" (tests of catch-up and daylight-saving changes); the database's clock otherwise. */
  schedulerClock?: (db: SqlExecutor) => Promise<Date>;
}

async function checkDocker(engine: ContainerEngine, config: Config, logger: Logger): Promise<void> {
  try {
    await engine.ping();
  } catch (error) {
    throw new StartupError(
      `No Docker engine answered at ${engine.address} (${errorMessage(error)}). Start Docker ` +
        '(for example `sudo systemctl start docker`, or `sudo dockerd &`), or set DOCKER_HOST to an engine ' +
        'that is reachable, then start the service again. To run only the API here, set TDS_ROLES=api.',
      { cause: error },
    );
  }
  if (!(await engine.imageId(config.baseImage))) {
    logger.warn(
      { image: config.baseImage },
      `base image ${config.baseImage} is not present yet: it is pulled when the first job needs it ` +
        '(offline, build it with `bash scripts/base-image.sh`)',
    );
  }
}

/** A StartupError saying what to do when `error` is a port already in use; `error` itself otherwise. */
function portTaken(error: unknown, what: string, address: string, setting: string): unknown {
  if ((error as { code?: string }).code !== 'EADDRINUSE') return error;
  return new StartupError(
    `${what} cannot listen on ${address}: the port is in use (another copy of the service, or another ` +
      `program). Stop it, or set ${setting} to a free port, then start the service again.`,
    { cause: error },
  );
}

/** The composition root: builds every part from the configuration and starts the roles asked for. */
export async function startService(
  config: Config,
  logger: Logger,
  overrides: ServiceOverrides = {},
): Promise<Service> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const fn of stops.reverse()) {
      await fn().catch((error: unknown) => logger.warn({ err: error }, 'error while stopping'));
    }
  };
  try {
    let databaseUrl = config.databaseUrl;
    let db: Database;
    if (config.rdsData) {
      const { clusterArn, secretArn, database, region, endpoint } = config.rdsData;
      // Loaded only when used, as are the embedded servers: each costs memory for as long as the
      // process lives.
      const { createRdsDataClient, createRdsDataDatabase } =
        await import('../services/aws/rds-data-database.js');
      const client = createRdsDataClient({ region, endpoint });
      db = createRdsDataDatabase(client, { resourceArn: clusterArn, secretArn, database }, logger);
    } else {
      if (!databaseUrl) {
        const { startEmbeddedPostgres } = await import('../services/embedded/embedded-postgres.js');
        const pg = await startEmbeddedPostgres(
          path.join(config.dataDir, 'postgres'),
          config.embeddedPostgresPort,
          logger,
        );
        stops.push(pg.stop);
        databaseUrl = pg.url;
      }
      db = createPgDatabase(databaseUrl, logger);
    }
    const activeDb = db;
    stops.push(() => activeDb.close());
    const applied = await migrate(db);
    if (applied.length > 0) logger.info({ versions: applied }, 'database migrated');

    let s3Endpoint: string | undefined;
    let store: ObjectStore;
    if (config.storage.kind === 'embedded') {
      const { startEmbeddedS3 } = await import('../services/embedded/embedded-s3.js');
      const { port } = config.storage;
      const s3 = await startEmbeddedS3(path.join(config.dataDir, 's3'), port, config.storage).catch(
        (error: unknown) => {
          throw portTaken(error, 'The embedded S3 server', `127.0.0.1:${port}`, 'TDS_S3_PORT');
        },
      );
      stops.push(s3.stop);
      s3Endpoint = s3.endpoint;
      store = createS3ObjectStore(
        createS3Client({
          endpoint: s3.endpoint,
          forcePathStyle: true,
          credentials: {
            accessKeyId: config.storage.accessKeyId,
            secretAccessKey: config.storage.secretAccessKey,
          },
        }),
      );
    } else {
      s3Endpoint = config.storage.endpoint;
      store = createS3ObjectStore(
        createS3Client({
          endpoint: config.storage.endpoint,
          region: config.storage.region,
          forcePathStyle: config.storage.forcePathStyle,
        }),
      );
    }

    const docker = new Docker(dockerOptions(config.dockerHost));
    const engine = createDockerEngine(docker, logger, config.dockerHost ?? 'unix:///var/run/docker.sock');
    const hasWorker = config.roles.includes('worker');
    if (hasWorker) await checkDocker(engine, config, logger);

    let worker: Worker | undefined;
    let watcher: Watcher | undefined;
    let housekeeper: Housekeeper | undefined;
    if (hasWorker) {
      const executions = new Map<string, AbortController>();
      const finisher = createRunFinisher({
        db,
        store,
        engine,
        logger,
        dataDir: config.dataDir,
        workerId: config.workerId,
        onRetryQueued: () => worker?.wake(),
        onRunEnded: () => worker?.wake(),
        uploadRetry: config.storeRetry,
        limits: config.limits,
      });
      watcher = createWatcher({
        db,
        engine,
        finisher,
        logger,
        workerId: config.workerId,
        reconcileIntervalMs: config.reconcileIntervalMs,
        leaseMs: config.leaseMs,
        executions,
        followEvents: overrides.followDockerEvents,
      });
      const activeWatcher = watcher;
      const executor = createRunExecutor({
        db,
        store,
        engine,
        images: createImageBuilder(engine, logger, config.sandbox.user),
        finisher,
        logger,
        dataDir: config.dataDir,
        workerId: config.workerId,
        pidsLimit: config.jobDefaults.pidsLimit,
        sandbox: config.sandbox,
        defaultNetwork: config.jobDefaults.network,
        maxInputBytes: config.limits.maxInputBytes,
        storeRetry: config.storeRetry,
        onStarted: (runId) => activeWatcher.check(runId),
      });
      worker = createWorker({
        db,
        executor,
        logger,
        workerId: config.workerId,
        maxConcurrentRuns: config.maxConcurrentRuns,
        userConcurrencyLimit: config.userCeilings.maxConcurrentRuns,
        pollIntervalMs: config.pollIntervalMs,
        shutdownGraceMs: config.shutdownGraceMs,
        executions,
      });
      activeWatcher.start();
      stops.push(() => activeWatcher.stop());
      await worker.start();
      const activeWorker = worker;
      stops.push(() => activeWorker.stop());
      housekeeper = createHousekeeper({
        db,
        engine,
        logger,
        dataDir: config.dataDir,
        workerId: config.workerId,
        executions,
        retentionDays: config.retentionDays,
        intervalMs: config.housekeepingIntervalMs,
      });
      const activeHousekeeper = housekeeper;
      // Leftovers of a crash are swept at start, then once a minute.
      void activeHousekeeper
        .sweep()
        .catch((error: unknown) => logger.warn({ err: error }, 'housekeeping failed'));
      activeHousekeeper.start();
      stops.push(async () => activeHousekeeper.stop());
    }

    const defaults = { ...config.jobDefaults, baseImage: config.baseImage };
    let scheduler: Scheduler | undefined;
    if (config.roles.includes('scheduler')) {
      scheduler = createScheduler({
        db,
        logger,
        misfireToleranceMs: config.scheduler.misfireToleranceMs,
        batchSize: config.scheduler.batchSize,
        maxIdleMs: config.scheduler.maxIdleMs,
        clock: overrides.schedulerClock,
        onRunsQueued: () => worker?.wake(),
        onCancelRequested: () => watcher?.reconcileSoon(),
      });
      const activeScheduler = scheduler;
      activeScheduler.start();
      stops.push(() => activeScheduler.stop());
    }
    const jobs = createJobService({
      db,
      store,
      engine,
      defaults,
      onRunQueued: () => worker?.wake(),
      onCancelRequested: () => watcher?.reconcileSoon(),
      onScheduleChanged: () => scheduler?.wake(),
    });
    const schedules = createScheduleService({
      db,
      defaults,
      onScheduleChanged: () => scheduler?.wake(),
      onRunQueued: () => worker?.wake(),
    });

    let app: FastifyInstance | undefined;
    let apiUrl: string | undefined;
    if (config.roles.includes('api')) {
      const healthChecks = {
        database: async () => void (await db.query('SELECT 1')),
        docker: () => engine.ping(),
      };
      const access = createAccessControl({
        db,
        authEnabled: config.authEnabled,
        defaultCeilings: config.userCeilings,
      });
      if (!config.authEnabled) {
        logger.warn(
          { host: config.host },
          'AUTHENTICATION IS OFF: any program on this machine can use the API as an operator. ' +
            'This is for local development only; set TDS_AUTH=on and create keys with `npm run keys`.',
        );
      }
      app = await buildApp({
        db,
        jobs,
        schedules,
        access,
        defaultCeilings: config.userCeilings,
        logger,
        corsOrigins: config.corsOrigins,
        healthChecks,
        bodyLimit: config.bodyLimitBytes,
        rateLimitPerMinute: config.rateLimitPerMinute,
      });
      await app.listen({ host: config.host, port: config.port }).catch((error: unknown) => {
        throw portTaken(error, 'The API', `${config.host}:${config.port}`, 'PORT');
      });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      apiUrl = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
      const activeApp = app;
      stops.push(() => activeApp.close());
    }

    return {
      apiUrl,
      databaseUrl,
      databaseIsEmbedded: !config.databaseUrl && !config.rdsData,
      s3Endpoint,
      db,
      store,
      engine,
      jobs,
      schedules,
      scheduler,
      app,
      worker,
      watcher,
      housekeeper,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
