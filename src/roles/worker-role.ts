import { createImageBuilder } from '../runner/image-builder.js';
import { createRunExecutor } from '../runner/run-executor.js';
import { createRunFinisher } from '../runner/run-finisher.js';
import { startStopAll, type StartStop } from '../start-stop.js';
import { serviceVersion } from '../version.js';
import { createPresence } from '../worker/presence.js';
import { createWatcher } from '../worker/watcher.js';
import { createWorker } from '../worker/worker.js';
import type { SharedParts } from './shared-parts.js';

export interface WorkerRole extends StartStop {
  /** Runs this worker is staging or building, each with the controller that stops it. */
  readonly executions: ReadonlyMap<string, AbortController>;
}

/**
 * The worker: claims queued runs and takes each to `running` (executor), and its watcher follows
 * their containers to the end (finisher). Its presence in the fleet comes first (it learns its
 * platform and whether it is drained) and goes last. Started, the watcher comes first, so that runs the
 * worker adopts or starts are watched; stopped, the worker stops claiming and hands back what it
 * could not start, then the watcher stops.
 */
export function createWorkerRole(
  { config, logger, db, store, engine, signals }: SharedParts,
  options: { followDockerEvents?: boolean } = {},
): WorkerRole {
  const executions = new Map<string, AbortController>();
  const finisher = createRunFinisher({
    db,
    store,
    engine,
    logger,
    dataDir: config.dataDir,
    workerId: config.workerId,
    signals,
    uploadRetry: config.storeRetry,
    limits: config.limits,
  });
  const watcher = createWatcher({
    db,
    engine,
    finisher,
    logger,
    workerId: config.workerId,
    reconcileIntervalMs: config.reconcileIntervalMs,
    leaseMs: config.leaseMs,
    executions,
    followEvents: options.followDockerEvents,
    signals,
  });
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
    onStarted: (runId) => watcher.check(runId),
  });
  const presence = createPresence({
    db,
    engine,
    logger,
    workerId: config.workerId,
    tags: config.workerTags,
    capacity: config.maxConcurrentRuns,
    version: serviceVersion(),
    heartbeatIntervalMs: config.reconcileIntervalMs,
    onDrainChange: () => worker.wake(),
  });
  const worker = createWorker({
    db,
    executor,
    logger,
    workerId: config.workerId,
    maxConcurrentRuns: config.maxConcurrentRuns,
    userConcurrencyLimit: config.userCeilings.maxConcurrentRuns,
    pollIntervalMs: config.pollIntervalMs,
    shutdownGraceMs: config.shutdownGraceMs,
    executions,
    signals,
    tags: () => presence.tags,
    draining: () => presence.draining,
  });
  return { ...startStopAll([presence, watcher, worker]), executions };
}
