import type { Logger } from 'pino';
import type { SqlExecutor } from '../../services/db/database.js';
import type { ContainerEngine, ContainerState } from '../../services/docker/container-engine.js';
import { LeaseNotRenewed, RunFailure } from '../errors.js';
import {
  INSTALLATION_LABEL,
  RUN_ID_LABEL,
  fencedContainerName,
  runContainerName,
  runVolumes,
} from '../runner/image-builder.js';
import { isSampledSignal } from '../runner/container-paths.js';
import type { ResultSpool } from '../runner/result-spool.js';
import type { RunFinisher } from '../runner/run-finisher.js';
import { heartbeatRuns, listActiveRunsOfWorker, listLapsedRuns, takeOverRun } from '../runs/leases.js';
import { getRun, setKillReason, type Run } from '../runs/run-repository.js';
import { transitionFrom } from '../runs/run-states.js';
import { beginUpload, requeue, startRunning } from '../runs/transitions.js';
import type { Signals } from '../signals.js';
import { startStop, type StartStop } from '../start-stop.js';
import { countsTowardsDiskLimit, runsOverDisk } from '../runner/disk-limit.js';
import { monotonicNow, type LeaseClock } from './lease-clock.js';

export interface WatcherDeps {
  db: SqlExecutor;
  engine: ContainerEngine;
  finisher: RunFinisher;
  logger: Logger;
  workerId: string;
  /** Only containers labelled with this installation are followed or adopted. */
  installationId: string;
  reconcileIntervalMs: number;
  /** A run whose worker has not heartbeat for this long may be taken over by another worker. */
  leaseMs: number;
  /**
   * A run whose lease this worker has not renewed for this long has its container stopped (and its
   * staging or building stopped) by this worker: fencing, well before `leaseMs`; 0: never.
   */
  fenceMs: number;
  /** When this worker last renewed each run's lease (its claims and its heartbeats). */
  leaseClock: LeaseClock;
  /** Runs this worker is staging or building, so a cancel request can stop them. */
  executions: Map<string, AbortController>;
  /** Docker's event stream; turned off only in tests of the reconcile path. */
  followEvents?: boolean;
  /** Reconciles at once when a cancel is requested in this process. */
  signals: Pick<Signals, 'cancelRequested'>;
  /** Results waiting on this host for their upload. */
  spool: Pick<ResultSpool, 'read'>;
  /**
   * Samples a running run's container from the engine if this worker is not yet doing so (it was
   * restarted, or took the run over from a worker that stopped).
   */
  keepSampling?: (run: Run) => void;
  /** How often the disk its running containers use is measured, and the limit of old jobs. */
  disk: { checkIntervalMs: number; defaultDiskMb: number };
}

export interface Watcher extends StartStop {
  /** Looks at one run now (its container may have exited). */
  check(runId: string): void;
  /** Runs a reconcile pass now rather than at the next tick. */
  reconcileSoon(): void;
}

/** What the watcher's parts share: its collaborators and what it keeps between passes. */
interface WatchState {
  deps: WatcherDeps;
  /** The settle under way for each run, so that each run is settled once at a time. */
  settling: Map<string, Promise<void>>;
  /** Containers this worker killed itself (cancel, timeout, disk). */
  ownKills: Set<string>;
  /** Runs whose container was sent a signal by someone else, with the signal. */
  stoppedFromOutside: Map<string, string>;
  /** Aborted when the watcher stops: ends the event stream and the deliveries under way. */
  controller: AbortController | undefined;
  reconciling: Promise<void> | undefined;
  /** When the disk of the running containers was last measured (ms since the epoch). */
  lastDiskCheck: number;
  /**
   * This worker's runs that the last pass found staging or building with no execution of this
   * worker under way (its start was cut short and could not record why: see recoverInterrupted).
   */
  interrupted: Set<string>;
  /** When this worker last failed to heartbeat its runs (ms since the epoch; 0: never). */
  heartbeatFailedAt: number;
  /** Runs being fenced now, so that each is fenced once at a time. */
  fencing: Set<string>;
  /** The heartbeat under way, if any. */
  heartbeating: Promise<void> | undefined;
  /** When (monotonic) the last heartbeat that failed was sent; -Infinity: none failed. */
  heartbeatFailedSentAt: number;
  /** When (monotonic) the heartbeat under way was sent; undefined: none is. */
  heartbeatSentAt: number | undefined;
}

/**
 * Follows the exits of this worker's containers (Docker events, with a periodic reconcile since
 * events can be missed), stops containers that are cancelled or overdue, and hands each exited
 * run to the finisher exactly once.
 */
export function createWatcher(deps: WatcherDeps): Watcher {
  const w: WatchState = {
    deps,
    settling: new Map(),
    ownKills: new Set(),
    stoppedFromOutside: new Map(),
    controller: undefined,
    reconciling: undefined,
    lastDiskCheck: 0,
    interrupted: new Set(),
    heartbeatFailedAt: 0,
    fencing: new Set(),
    heartbeating: undefined,
    heartbeatFailedSentAt: -Infinity,
    heartbeatSentAt: undefined,
  };
  let timer: NodeJS.Timeout | undefined;
  let fenceTimer: NodeJS.Timeout | undefined;
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  const lifecycle = startStop({
    start() {
      w.controller = new AbortController();
      if (deps.followEvents !== false) followContainerEvents(w, w.controller.signal);
      timer = setInterval(() => reconcileSoon(w), deps.reconcileIntervalMs);
      // The heartbeat has a timer of its own too: a reconcile pass slowed by the engine (a busy
      // host) must not hold back the renewal of the leases, and so set off the fence.
      heartbeatTimer = setInterval(() => heartbeatSoon(w), deps.reconcileIntervalMs);
      // Its own timer, apart from the reconcile pass: a pass stuck on an unreachable database
      // must not hold back the fence.
      if (deps.fenceMs > 0) {
        fenceTimer = setInterval(
          () => fenceOverdue(w),
          Math.max(25, Math.floor(deps.reconcileIntervalMs / 2)),
        );
      }
      unsubscribe = deps.signals.cancelRequested.subscribe(() => reconcileSoon(w));
      reconcileSoon(w);
    },
    async stop() {
      unsubscribe?.();
      w.controller?.abort();
      w.controller = undefined;
      if (timer) clearInterval(timer);
      timer = undefined;
      if (fenceTimer) clearInterval(fenceTimer);
      fenceTimer = undefined;
      if (heartbeatTimer) clearInterval(heartbeatTimer);
      heartbeatTimer = undefined;
      await w.heartbeating;
      await w.reconciling;
      await Promise.all(w.settling.values());
    },
  });

  return {
    ...lifecycle,
    check(runId) {
      void settleOnce(w, runId);
    },
    reconcileSoon: () => reconcileSoon(w),
  };
}

/**
 * Follows the engine's events for this installation's containers: an exit settles its run; a
 * kill this service did not send (the engine stopping, or an operator) is noted for the run.
 */
function followContainerEvents(w: WatchState, signal: AbortSignal): void {
  w.deps.engine.watchContainers(
    `${INSTALLATION_LABEL}=${w.deps.installationId}`,
    (event) => {
      const runId = event.labels[RUN_ID_LABEL];
      if (!runId) return;
      if (event.action === 'kill') {
        // The worker's sign that it has sampled the container stops nothing.
        if (isSampledSignal(event.signal)) return;
        if (!w.ownKills.has(event.containerId)) w.stoppedFromOutside.set(runId, event.signal ?? 'unknown');
        return;
      }
      void settleOnce(w, runId);
    },
    signal,
  );
}

/**
 * Stops a run's delivery when the watcher stops (its results stay spooled for the next start); a
 * settle begun while stopping gets one already stopped, so stopping never waits on a store.
 */
function deliverySignal(w: WatchState): AbortSignal {
  return w.controller?.signal ?? AbortSignal.abort();
}

/**
 * The run's container, unless it is another installation's: a run's row can point at one only
 * when it was copied from another installation's database, and what another installation made is
 * never read, adopted or removed. One made before containers carried the label is this one's.
 */
async function containerOf(w: WatchState, run: Run): Promise<ContainerState | undefined> {
  return run.containerId ? ours(w, await w.deps.engine.inspectContainer(run.containerId)) : undefined;
}

/** The container, unless another installation made it (one made before the label is this one's). */
function ours(w: WatchState, found: ContainerState | undefined): ContainerState | undefined {
  const owner = found?.labels[INSTALLATION_LABEL];
  return owner === undefined || owner === w.deps.installationId ? found : undefined;
}

/** Hands an exited (or uploading) run to the finisher, with the signal someone else sent it. */
async function finishExited(w: WatchState, run: Run): Promise<void> {
  await w.deps.finisher.finishExited(run, {
    stoppedFromOutside: w.stoppedFromOutside.get(run.id),
    signal: deliverySignal(w),
  });
  w.stoppedFromOutside.delete(run.id);
}

/**
 * A running run whose container has exited moves to uploading and is finished; one whose
 * container is gone fails; an uploading run's upload is resumed.
 */
async function settle(w: WatchState, run: Run): Promise<void> {
  const { db, finisher, logger, workerId } = w.deps;
  const log = logger.child({ runId: run.id, jobId: run.jobId, containerId: run.containerId });
  if (run.state === 'running') {
    const container = await containerOf(w, run);
    if (container?.running) return;
    if (container && container.name === fencedContainerName(run.id)) {
      // Stopped by its worker, cut off from the database, before the command ended: it runs again.
      w.stoppedFromOutside.delete(run.id);
      w.ownKills.delete(container.id);
      await finisher.rerunFenced(run, container.id);
      return;
    }
    if (!container) {
      log.warn("the run's container is gone");
      await finisher.finishEarly(
        run.id,
        new RunFailure('infra_error', "the run's container disappeared while it was running"),
        { signal: deliverySignal(w) },
      );
      return;
    }
    const uploading = await beginUpload(db, run.id, workerId, {
      exitCode: container.exitCode,
      endedAt: new Date(),
    });
    if (!uploading) return;
    log.info({ exitCode: container.exitCode }, 'container exited; collecting results');
    await finishExited(w, uploading);
    if (run.containerId) w.ownKills.delete(run.containerId);
  } else if (run.state === 'uploading') {
    log.info('resuming the upload of an exited run');
    await finishExited(w, run);
  }
}

/** One settle at a time per run, whatever asks for it (an event, a reconcile pass, a start). */
function settleOnce(w: WatchState, runId: string): Promise<void> {
  const existing = w.settling.get(runId);
  if (existing) return existing;
  const work = (async () => {
    const run = await getRun(w.deps.db, runId);
    if (!run || run.workerId !== w.deps.workerId) return;
    await settle(w, run);
  })()
    .catch((error: unknown) => w.deps.logger.error({ err: error, runId }, 'could not settle run'))
    .finally(() => w.settling.delete(runId));
  w.settling.set(runId, work);
  return work;
}

async function stopContainer(w: WatchState, run: Run, reason: NonNullable<Run['killReason']>): Promise<void> {
  if (!run.containerId) return;
  await setKillReason(w.deps.db, run.id, reason);
  w.deps.logger.info({ runId: run.id, reason }, 'stopping container');
  w.ownKills.add(run.containerId);
  await w.deps.engine.killContainer(run.containerId);
}

/**
 * Runs whose worker stopped heartbeating (it died, or lost the database): one staging or
 * building goes back to the queue; one whose container is on this worker's engine is adopted and
 * finishes normally; one whose container is nowhere to be found here fails with infra_error
 * (and is retried as its job says) once the lease is long past, leaving the worker on the
 * container's own host time to adopt it first.
 */
async function reapLapsedRuns(w: WatchState): Promise<void> {
  const { db, workerId, leaseMs } = w.deps;
  for (const run of await listLapsedRuns(db, workerId, leaseMs, 20)) {
    const log = w.deps.logger.child({ runId: run.id, jobId: run.jobId, lapsedWorker: run.workerId });
    // Not yet started (staging, building): back to the queue. A running run's container is adopted.
    if (transitionFrom('requeue', run.state)) {
      const taken = await takeOverRun(db, run, workerId, leaseMs);
      if (taken && (await requeue(db, run.id, workerId))) {
        log.warn({ was: run.state }, 'requeued a run whose worker stopped heartbeating');
      }
      continue;
    }
    // Only this installation's container is adopted: another installation on the engine (its own
    // database, maybe the same worker ids) is never touched.
    const container = await containerOf(w, run);
    // Results spooled in this data folder (its worker came back under another id) are delivered
    // from here, as the container they came from is gone.
    const spooled = run.state === 'uploading' && (await w.deps.spool.read(run.id)) !== undefined;
    if (container || spooled) {
      if (await takeOverRun(db, run, workerId, leaseMs)) {
        log.warn({ containerId: run.containerId }, 'adopted a run whose worker stopped heartbeating');
      }
    } else if (run.lapsedMs > 4 * leaseMs && (await takeOverRun(db, run, workerId, leaseMs))) {
      log.warn('failing a run whose worker stopped heartbeating and whose container is not on this host');
      await w.deps.finisher.finishEarly(
        run.id,
        new RunFailure(
          'infra_error',
          `worker ${run.workerId ?? '(unknown)'} stopped heartbeating and the run's container could not be found`,
        ),
        { signal: deliverySignal(w) },
      );
    }
  }
}

/**
 * One reconcile pass: heartbeats this worker's runs, reaps lapsed ones, aborts the staging or
 * building of cancelled runs, stops the containers of cancelled or overdue ones, settles every
 * active run (its container may have exited unseen) and checks the disk they use.
 */
async function reconcile(w: WatchState): Promise<void> {
  const { db, workerId, leaseMs } = w.deps;
  await heartbeat(w);
  // Whatever kept this worker from the database (a restart, a failover, the network) kept the
  // runs' owners from it too: it gives them a whole lease from its own return before it takes
  // any of their runs over, rather than counting the outage against them.
  if (Date.now() - w.heartbeatFailedAt >= leaseMs) await reapLapsedRuns(w);
  const runs = await listActiveRunsOfWorker(db, workerId);
  const now = await db.query<{ now: Date }>('SELECT now() AS now');
  const dbNow = now[0]!.now.getTime();
  const interrupted = new Set<string>();
  for (const run of runs) {
    if (run.state === 'staging' || run.state === 'building') {
      const execution = w.deps.executions.get(run.id);
      if (execution) {
        if (run.cancelRequestedAt) execution.abort();
      } else if (w.interrupted.has(run.id)) {
        // Found on two passes in a row: a run just claimed has its execution by the next one.
        await recoverInterrupted(w, run).catch((error: unknown) =>
          w.deps.logger.error({ err: error, runId: run.id }, 'could not recover an interrupted start'),
        );
      } else {
        interrupted.add(run.id);
      }
      continue;
    }
    if (run.state === 'running') w.deps.keepSampling?.(run);
    if (run.state === 'running' && !run.killReason) {
      if (run.cancelRequestedAt) await stopContainer(w, run, 'cancel');
      else if (run.deadlineAt && run.deadlineAt.getTime() <= dbNow) await stopContainer(w, run, 'timeout');
    }
    void settleOnce(w, run.id);
  }
  w.interrupted = interrupted;
  await checkDisk(w, runs);
}

/**
 * A run of this worker left staging or building with no execution under way: its start failed
 * and recording why failed too (the database went away as the run was recorded running). Its
 * heartbeat would hold it there for good. A container that was started runs the command, so the
 * run is recorded running with it and ends as any other; otherwise what was made goes and the run
 * goes back to the queue (or ends cancelled, if that was asked).
 */
async function recoverInterrupted(w: WatchState, run: Run): Promise<void> {
  const { db, engine, workerId } = w.deps;
  const log = w.deps.logger.child({ runId: run.id, jobId: run.jobId, was: run.state });
  const fenced = ours(w, await engine.inspectContainer(fencedContainerName(run.id)));
  if (fenced) {
    // Stopped while it was being started, its worker cut off from the database: what it made goes
    // (its volumes too, so that the next start fills them afresh), and the run is started again.
    await engine.removeContainer(fenced.id);
    for (const volume of runVolumes(run.id)) await engine.removeVolume(volume.name);
  }
  const container = ours(w, await engine.inspectContainer(runContainerName(run.id)));
  if (run.state === 'building' && container?.started) {
    const running = await startRunning(db, run.id, workerId, {
      containerId: container.id,
      image: container.image,
    });
    if (running) {
      log.warn({ containerId: container.id }, 'recorded running a run whose start could not be recorded');
      void settleOnce(w, run.id);
    }
    return;
  }
  if (container) await engine.removeContainer(container.id);
  if (run.cancelRequestedAt) {
    await w.deps.finisher.finishEarly(
      run.id,
      new RunFailure('cancelled', 'cancelled on request before the command started'),
      {
        signal: deliverySignal(w),
      },
    );
    return;
  }
  if (await requeue(db, run.id, workerId)) log.warn('requeued a run whose start was cut short');
}

/**
 * Stops the running containers whose volumes (/job/output, the sampler's folder) hold more than
 * their run's `disk_mb`: the engine's storage quota (`StorageOpt size`) works only on some
 * storage drivers, and never bounds volumes. Measured every `checkIntervalMs`, so a run can
 * pass its limit by what it writes in that time.
 */
async function checkDisk(w: WatchState, runs: Run[]): Promise<void> {
  const { engine, logger, disk } = w.deps;
  const watched = runs.filter((run) => run.state === 'running' && !run.killReason && run.containerId);
  if (watched.length === 0 || Date.now() - w.lastDiskCheck < disk.checkIntervalMs) return;
  w.lastDiskCheck = Date.now();
  let usage: Map<string, number> | undefined;
  try {
    usage = await engine.volumeUsage(countsTowardsDiskLimit);
  } catch (error) {
    logger.warn({ err: error }, "could not measure the disk the containers' volumes use");
    return;
  }
  // The engine was measuring for another caller: the next pass measures.
  if (!usage) return;
  for (const over of runsOverDisk(watched, usage, disk.defaultDiskMb)) {
    const run = watched.find((r) => r.id === over.runId)!;
    logger.info(over, 'the run wrote more than its disk limit');
    await stopContainer(w, run, 'disk');
  }
}

/**
 * Fencing: the runs whose lease this worker has not renewed for `fenceMs` (it cannot reach the
 * database) are stopped here, before another worker may take them over and run them again. Nothing
 * is recorded (the database is not there): the container is renamed (fencedContainerName), which
 * tells whoever holds the run next, on this engine, that the command was stopped, not that it
 * ended, and then killed; its logs stay in it, on this engine, until the run is taken up again.
 * A run being staged or built is stopped as at a shutdown, and handed back to the queue.
 */
function fenceOverdue(w: WatchState): void {
  const { leaseClock, fenceMs, leaseMs, reconcileIntervalMs } = w.deps;
  const now = monotonicNow();
  // The latest moment that still leaves the stop time before the lease can lapse.
  const lastSafeMs = leaseMs - reconcileIntervalMs;
  for (const { runId, renewedAt } of leaseClock.overdue(fenceMs, now)) {
    if (w.fencing.has(runId)) continue;
    // Fenced at TDS_FENCE_MS once a renewal sent since has failed. With none tried since (this
    // process was held up: a busy host), one is sent now; one that hangs (a connection gone dark)
    // is not waited for past the last safe moment.
    const failed = w.heartbeatFailedSentAt > renewedAt;
    const hangs =
      w.heartbeatSentAt !== undefined && w.heartbeatSentAt > renewedAt && now - renewedAt > lastSafeMs;
    if (!failed && !hangs) {
      heartbeatSoon(w);
      continue;
    }
    w.fencing.add(runId);
    void fence(w, runId)
      .then(() => leaseClock.forget(runId))
      .catch((error: unknown) =>
        // Still overdue: the next tick tries again.
        w.deps.logger.error(
          { err: error, runId },
          'could not stop the container of a run whose lease lapses',
        ),
      )
      .finally(() => w.fencing.delete(runId));
  }
}

async function fence(w: WatchState, runId: string): Promise<void> {
  const { engine, logger, fenceMs } = w.deps;
  logger.warn(
    { runId, fenceMs },
    "could not renew the run's lease for TDS_FENCE_MS (cut off from the database): stopping it before another worker may take it over",
  );
  w.deps.executions.get(runId)?.abort(new LeaseNotRenewed());
  const container = ours(w, await engine.inspectContainer(runContainerName(runId)));
  // One that has exited already ran its command to the end: its results are collected as ever,
  // by this worker once back, or by the one that takes the run over.
  if (!container?.running) return;
  await engine.renameContainer(container.id, fencedContainerName(runId));
  w.ownKills.add(container.id);
  await engine.killContainer(container.id);
  logger.warn(
    { runId, containerId: container.id },
    'stopped the container of a run whose lease lapses (fenced)',
  );
}

/**
 * Renews the leases of every run this worker holds (and tells the lease clock), or notes when it
 * could not. Run by each reconcile pass, and on its own timer between them.
 */
async function heartbeat(w: WatchState): Promise<void> {
  const { db, workerId, leaseClock } = w.deps;
  const sentAt = monotonicNow();
  w.heartbeatSentAt = Math.min(w.heartbeatSentAt ?? sentAt, sentAt);
  try {
    leaseClock.renewed(await heartbeatRuns(db, workerId), sentAt, { complete: true });
  } catch (error) {
    w.heartbeatFailedAt = Date.now();
    w.heartbeatFailedSentAt = Math.max(w.heartbeatFailedSentAt, sentAt);
    throw error;
  } finally {
    w.heartbeatSentAt = undefined;
  }
}

/** Heartbeats now unless a heartbeat is under way. */
function heartbeatSoon(w: WatchState): void {
  if (w.heartbeating) return;
  w.heartbeating = heartbeat(w)
    // The reconcile pass that fails on the same database says so in the log.
    .catch(() => undefined)
    .finally(() => {
      w.heartbeating = undefined;
    });
}

/** Starts a reconcile pass unless one is under way. */
function reconcileSoon(w: WatchState): void {
  if (w.reconciling) return;
  w.reconciling = reconcile(w)
    .catch((error: unknown) => w.deps.logger.error({ err: error }, 'reconcile failed'))
    .finally(() => {
      w.reconciling = undefined;
    });
}
