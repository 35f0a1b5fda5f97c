import { createEngineSampler } from '../runner/engine-sampler.js';
import { createImageBuilder } from '../runner/image-builder.js';
import { createRunExecutor } from '../runner/run-executor.js';
import { createRunFinisher, engineMetricsPath } from '../runner/run-finisher.js';
import { ACTIVE_STATES, sqlStates } from '../runs/run-states.js';
import { startStop, startStopAll, type StartStop } from '../start-stop.js';
import { serviceVersion } from '../version.js';
import { createPresence } from '../worker/presence.js';
import { createWatcher } from '../worker/watcher.js';
import { createWorker } from '../worker/worker.js';
import type { WorkflowService } from '../workflows/workflow-service.js';
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
  { config, logger, db, store, engine, signals, metrics }: SharedParts,
  options: { followDockerEvents?: boolean; workflows?: WorkflowService } = {},
): WorkerRole {
  const { workflows } = options;
  const executions = new Map<string, AbortController>();
  const engineSampler = createEngineSampler(engine, logger);
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
    stepEnded: workflows && {
      transaction: (fn) => db.transaction(fn),
      advance: (tx, run) => workflows.advance(tx, run.workflowRunId!),
      workflowRunEnded: (id) => workflows.writeReportOf(id),
    },
    engineSampler,
    observeUpload: (seconds) => metrics.observeStage('uploading', seconds),
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
    keepSampling(run) {
      if (!run.containerId || engineSampler.isSampling(run.id)) return;
      void engineSampler.start(
        run.id,
        run.containerId,
        engineMetricsPath(config.dataDir, run.id),
        run.spec.metrics_interval_seconds,
        run.startedAt ?? new Date(),
      );
    },
    disk: { checkIntervalMs: config.diskCheckIntervalMs, defaultDiskMb: config.jobDefaults.diskMb },
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
    engineSampler,
    onStarted: (runId) => watcher.check(runId),
    observeStage: (stage, seconds) => metrics.observeStage(stage, seconds),
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
  metrics.registerWorker(config.maxConcurrentRuns, async () => {
    const [row] = await db.query<{ n: string | number }>(
      `SELECT count(*) AS n FROM runs WHERE worker_id = $1 AND state IN ${sqlStates(ACTIVE_STATES)}`,
      [config.workerId],
    );
    return Number(row?.n ?? 0);
  });
  // Sampling from the engine stops with the worker: its containers outlive it.
  const samplers = startStop({ start: () => undefined, stop: () => engineSampler.stopAll() });
  return { ...startStopAll([presence, samplers, watcher, worker]), executions };
}
