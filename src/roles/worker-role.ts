import { createLeaseClock, type LeaseClock } from '../worker/lease-clock.js';
import { createDiskFloor } from '../worker/disk-floor.js';
import { createAccessControl } from '../auth/access-control.js';
import { ForbiddenError } from '../errors.js';
import { createEngineSampler, type EngineSampler } from '../runner/engine-sampler.js';
import { INSTALLATION_LABEL, KIND_LABEL, createImageBuilder } from '../runner/image-builder.js';
import { createRunExecutor } from '../runner/run-executor.js';
import { createRunNetworks, type RunNetworks } from '../runner/run-networks.js';
import { createHostGuard, isLocalEngine } from '../runner/host-access.js';
import { createEngineHostFirewall, createIptablesFirewall } from '../../services/firewall/host-firewall.js';
import type { ResultSpool } from '../runner/result-spool.js';
import { engineMetricsPath } from '../runner/finisher-context.js';
import { createRunFinisher, type RunFinisher } from '../runner/run-finisher.js';
import { recordImageUse } from '../runner/image-uses.js';
import { countActiveRunsOfWorker } from '../runs/leases.js';
import { startStop, startStopAll, type StartStop } from '../start-stop.js';
import { serviceVersion } from '../version.js';
import { createLivenessMark } from '../worker/liveness.js';
import { createPresence } from '../worker/presence.js';
import { createWatcher, type Watcher } from '../worker/watcher.js';
import { createWorker } from '../worker/worker.js';
import type { WorkflowService } from '../workflows/workflow-service.js';
import type { SharedParts } from './shared-parts.js';

export interface WorkerRole extends StartStop {
  /** Runs this worker is staging or building, each with the controller that stops it. */
  readonly executions: ReadonlyMap<string, AbortController>;
  /** Where this worker's runs' results wait for their upload. */
  readonly spool: ResultSpool;
}

/**
 * The worker: claims queued runs and takes each to `running` (executor), and its watcher follows
 * their containers to the end (finisher). Its presence in the fleet comes first (it learns its
 * platform and whether it is drained) and goes last. Started, the watcher comes first, so that runs the
 * worker adopts or starts are watched; stopped, the worker stops claiming and hands back what it
 * could not start, then the watcher stops.
 */
export function createWorkerRole(
  parts: SharedParts,
  options: { followDockerEvents?: boolean; workflows?: WorkflowService; spool: ResultSpool },
): WorkerRole {
  const { config, logger, db, engine, signals, metrics } = parts;
  const { spool } = options;
  const executions = new Map<string, AbortController>();
  // The claims and the heartbeats renew the runs' leases; the watcher fences by them.
  const leaseClock = createLeaseClock();
  const engineSampler = createEngineSampler(engine, logger);
  const finisher = createFinisher(parts, options, engineSampler);
  const watcher = createRunWatcher(
    parts,
    { finisher, executions, engineSampler, spool, leaseClock },
    options,
  );
  const networks = createRunNetworks({
    engine,
    hostGuard: createRunHostGuard(parts),
    workerId: config.workerId,
    installationId: parts.installationId,
  });
  const executor = createExecutor(parts, { finisher, engineSampler, spool, networks }, (runId) =>
    watcher.check(runId),
  );
  const presence = createPresence({
    db,
    engine,
    logger,
    workerId: config.workerId,
    tags: config.workerTags,
    capacity: config.maxConcurrentRuns,
    resources: config.workerCapacity,
    version: serviceVersion(),
    heartbeatIntervalMs: config.reconcileIntervalMs,
    onDrainChange: () => worker.wake(),
  });
  const liveness = createLivenessMark(config.dataDir);
  const diskFloor = createDiskFloor(config.dataDir, config.workerMinFreeBytes, logger);
  const worker = createWorker({
    db,
    executor,
    logger,
    workerId: config.workerId,
    maxConcurrentRuns: config.maxConcurrentRuns,
    userConcurrencyLimit: config.userCeilings.maxConcurrentRuns,
    pollIntervalMs: config.pollIntervalMs,
    claimPollMs: config.claimPollMs,
    capacity: () => ({
      ...presence.resources,
      defaultCpus: config.jobDefaults.cpus,
      defaultMemoryMb: config.jobDefaults.memoryMb,
    }),
    shutdownGraceMs: config.shutdownGraceMs,
    executions,
    leaseClock,
    signals,
    tags: () => presence.tags,
    draining: () => presence.draining,
    diskRoom: () => diskFloor.roomToClaim(),
    onPass: () => liveness.pass(),
    onClaimError: () => metrics.countClaimError(),
  });
  metrics.registerWorker(config.maxConcurrentRuns, () => countActiveRunsOfWorker(db, config.workerId));
  metrics.registerDisk(() => diskFloor.freeBytes, config.workerMinFreeBytes);
  // Sampling from the engine stops with the worker: its containers outlive it.
  const samplers = startStop({ start: () => undefined, stop: () => engineSampler.stopAll() });
  // Once no run of this worker starts any more: the networks no container is on go.
  const idleNetworks = startStop({ start: () => undefined, stop: () => networks.removeIdle() });
  return { ...startStopAll([presence, samplers, idleNetworks, watcher, worker]), executions, spool };
}

/** What takes an exited run to its end: its results collected, delivered, and its workflow moved on. */
function createFinisher(
  { config, installationId, logger, db, store, engine, signals, metrics, tracing, secrets }: SharedParts,
  { workflows, spool }: { workflows?: WorkflowService; spool: ResultSpool },
  engineSampler: EngineSampler,
): RunFinisher {
  return createRunFinisher({
    db,
    store,
    engine,
    logger,
    dataDir: config.dataDir,
    workerId: config.workerId,
    installationId,
    signals,
    collectRetry: config.storeRetry,
    spool,
    delivery: {
      patienceSeconds: config.spool.patienceSeconds,
      firstDelayMs: config.storeRetry.firstDelayMs,
      maxDelayMs: config.spool.maxDelayMs,
    },
    limits: config.limits,
    stepEnded: workflows && {
      transaction: (fn) => db.transaction(fn),
      advance: (tx, run) => workflows.advance(tx, run.workflowRunId!),
      workflowRunEnded: (id) => workflows.writeReportOf(id),
    },
    engineSampler,
    observeUpload: (seconds, run) => {
      metrics.observeStage('uploading', seconds);
      // The container ran from its start to its exit, when collecting began.
      const ended = Date.now();
      const exited = ended - seconds * 1000;
      const facts = { runId: run.id, jobId: run.jobId, workerId: config.workerId };
      if (run.startedAt) tracing.runStage('running', facts, run.startedAt.getTime(), exited);
      tracing.runStage('uploading', { ...facts, failureReason: run.failureReason }, exited, ended);
    },
    secrets,
  });
}

/** The watcher of this worker's containers, which samples a running run again when it must. */
function createRunWatcher(
  { config, installationId, logger, db, engine, signals }: SharedParts,
  made: {
    finisher: RunFinisher;
    executions: Map<string, AbortController>;
    engineSampler: EngineSampler;
    spool: ResultSpool;
    leaseClock: LeaseClock;
  },
  options: { followDockerEvents?: boolean },
): Watcher {
  const { engineSampler } = made;
  return createWatcher({
    db,
    engine,
    finisher: made.finisher,
    logger,
    workerId: config.workerId,
    installationId,
    reconcileIntervalMs: config.reconcileIntervalMs,
    leaseMs: config.leaseMs,
    fenceMs: config.fenceMs,
    leaseClock: made.leaseClock,
    executions: made.executions,
    followEvents: options.followDockerEvents,
    signals,
    spool: made.spool,
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
}

/** The images of runs, each use of one recorded (for housekeeping). */
function createImages({ config, installationId, logger, db, engine }: SharedParts) {
  return createImageBuilder(engine, logger, config.sandbox.user, {
    installationId,
    localImages: config.localImages,
    onImageUsed: (ref) => {
      void engine
        .engineId()
        .then((engineId) => recordImageUse(db, engineId, ref))
        .catch((error: unknown) =>
          logger.warn({ err: error, image: ref }, 'could not record the use of an image'),
        );
    },
  });
}

/**
 * What keeps runs' containers from the host: as root beside the engine, the rule is installed
 * directly; otherwise (a worker in a container of its own, as deployed, or far from its engine)
 * from a helper container on the engine's host.
 */
function createRunHostGuard({ config, installationId, engine }: SharedParts) {
  return createHostGuard({
    hostAccess: config.sandbox.hostAccess,
    firewall:
      process.getuid?.() === 0 && isLocalEngine(config.dockerHost)
        ? createIptablesFirewall()
        : createEngineHostFirewall(engine, config.baseImage, {
            [INSTALLATION_LABEL]: installationId,
            [KIND_LABEL]: 'host-firewall',
          }),
  });
}

/**
 * What takes a claimed run to `running`, refusing one whose user lacks the rights it asks for
 * (the API checks the same ones at submission).
 */
function createExecutor(
  parts: SharedParts,
  made: { finisher: RunFinisher; engineSampler: EngineSampler; spool: ResultSpool; networks: RunNetworks },
  onStarted: (runId: string) => void,
) {
  const { config, installationId, logger, db, store, engine, metrics, secrets } = parts;
  const access = createAccessControl({
    db,
    authEnabled: config.authEnabled,
    defaultCeilings: config.userCeilings,
  });
  return createRunExecutor({
    db,
    store,
    engine,
    images: createImages(parts),
    finisher: made.finisher,
    logger,
    dataDir: config.dataDir,
    workerId: config.workerId,
    installationId,
    pidsLimit: config.jobDefaults.pidsLimit,
    sandbox: config.sandbox,
    defaultNetwork: config.jobDefaults.network,
    spool: made.spool,
    networks: made.networks,
    maxInputBytes: config.limits.maxInputBytes,
    storeRetry: config.storeRetry,
    engineSampler: made.engineSampler,
    secrets,
    onStarted,
    refusal: async (run) => {
      try {
        await access.checkRunRights(run.spec);
        return undefined;
      } catch (error) {
        if (error instanceof ForbiddenError) return error.message;
        throw error;
      }
    },
    observeStage: (stage, seconds, run) => {
      metrics.observeStage(stage, seconds);
      const ended = Date.now();
      const facts = { runId: run.id, jobId: run.jobId, workerId: config.workerId };
      parts.tracing.runStage(stage, facts, ended - seconds * 1000, ended);
    },
  });
}
