import type { Logger } from 'pino';
import type { SqlExecutor } from '../../services/db/database.js';
import type { ContainerEngine, ContainerState } from '../../services/docker/container-engine.js';
import { RunFailure } from '../errors.js';
import { INSTALLATION_LABEL, RUN_ID_LABEL } from '../runner/image-builder.js';
import type { ResultSpool } from '../runner/result-spool.js';
import type { RunFinisher } from '../runner/run-finisher.js';
import { heartbeatRuns, listActiveRunsOfWorker, listLapsedRuns, takeOverRun } from '../runs/leases.js';
import { getRun, setKillReason, type Run } from '../runs/run-repository.js';
import { canChange } from '../runs/run-states.js';
import { beginUpload, requeue } from '../runs/transitions.js';
import type { Signals } from '../signals.js';
import { startStop, type StartStop } from '../start-stop.js';
import { countsTowardsDiskLimit, runsOverDisk } from '../runner/disk-limit.js';

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

/**
 * Follows the exits of this worker's containers (Docker events, with a periodic reconcile since
 * events can be missed), stops containers that are cancelled or overdue, and hands each exited
 * run to the finisher exactly once.
 */
export function createWatcher(deps: WatcherDeps): Watcher {
  const { db, engine, finisher, logger, workerId, executions } = deps;
  const settling = new Map<string, Promise<void>>();
  /** Containers this worker killed itself (cancel, timeout). */
  const ownKills = new Set<string>();
  /** Runs whose container was sent a signal by someone else, with the signal. */
  const stoppedFromOutside = new Map<string, string>();
  let controller: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;
  let reconciling: Promise<void> | undefined;

  /**
   * Stops a run's delivery when the watcher stops (its results stay spooled for the next start); a
   * settle begun while stopping gets one already stopped, so stopping never waits on a store.
   */
  const deliverySignal = () => controller?.signal ?? AbortSignal.abort();

  /**
   * The run's container, unless it is another installation's: a run's row can point at one only
   * when it was copied from another installation's database, and what another installation made is
   * never read, adopted or removed. One made before containers carried the label is this one's.
   */
  async function containerOf(run: Run): Promise<ContainerState | undefined> {
    const found = run.containerId ? await engine.inspectContainer(run.containerId) : undefined;
    const owner = found?.labels[INSTALLATION_LABEL];
    return owner === undefined || owner === deps.installationId ? found : undefined;
  }

  async function settle(run: Run): Promise<void> {
    const log = logger.child({ runId: run.id, jobId: run.jobId, containerId: run.containerId });
    if (run.state === 'running') {
      const container = await containerOf(run);
      if (container?.running) return;
      if (!container) {
        log.warn("the run's container is gone");
        await finisher.finishEarly(
          run.id,
          new RunFailure('infra_error', "the run's container disappeared while it was running"),
          { signal: deliverySignal() },
        );
        return;
      }
      const uploading = await beginUpload(db, run.id, workerId, {
        exitCode: container.exitCode,
        endedAt: new Date(),
      });
      if (!uploading) return;
      log.info({ exitCode: container.exitCode }, 'container exited; collecting results');
      await finisher.finishExited(uploading, {
        stoppedFromOutside: stoppedFromOutside.get(run.id),
        signal: deliverySignal(),
      });
      stoppedFromOutside.delete(run.id);
      if (run.containerId) ownKills.delete(run.containerId);
    } else if (run.state === 'uploading') {
      log.info('resuming the upload of an exited run');
      await finisher.finishExited(run, {
        stoppedFromOutside: stoppedFromOutside.get(run.id),
        signal: deliverySignal(),
      });
      stoppedFromOutside.delete(run.id);
    }
  }

  /** One settle at a time per run, whatever asks for it (an event, a reconcile pass, a start). */
  function settleOnce(runId: string): Promise<void> {
    const existing = settling.get(runId);
    if (existing) return existing;
    const work = (async () => {
      const run = await getRun(db, runId);
      if (!run || run.workerId !== workerId) return;
      await settle(run);
    })()
      .catch((error: unknown) => logger.error({ err: error, runId }, 'could not settle run'))
      .finally(() => settling.delete(runId));
    settling.set(runId, work);
    return work;
  }

  async function stopContainer(run: Run, reason: NonNullable<Run['killReason']>): Promise<void> {
    if (!run.containerId) return;
    await setKillReason(db, run.id, reason);
    logger.info({ runId: run.id, reason }, 'stopping container');
    ownKills.add(run.containerId);
    await engine.killContainer(run.containerId);
  }

  /**
   * Runs whose worker stopped heartbeating (it died, or lost the database): one staging or
   * building goes back to the queue; one whose container is on this worker's engine is adopted and
   * finishes normally; one whose container is nowhere to be found here fails with infra_error
   * (and is retried as its job says) once the lease is long past, leaving the worker on the
   * container's own host time to adopt it first.
   */
  async function reapLapsedRuns(): Promise<void> {
    for (const run of await listLapsedRuns(db, workerId, deps.leaseMs, 20)) {
      const log = logger.child({ runId: run.id, jobId: run.jobId, lapsedWorker: run.workerId });
      if (canChange(run.state, 'queued')) {
        const taken = await takeOverRun(db, run, workerId, deps.leaseMs);
        if (taken && (await requeue(db, run.id, workerId))) {
          log.warn({ was: run.state }, 'requeued a run whose worker stopped heartbeating');
        }
        continue;
      }
      // Only this installation's container is adopted: another installation on the engine (its own
      // database, maybe the same worker ids) is never touched.
      const container = await containerOf(run);
      // Results spooled in this data folder (its worker came back under another id) are delivered
      // from here, as the container they came from is gone.
      const spooled = run.state === 'uploading' && (await deps.spool.read(run.id)) !== undefined;
      if (container || spooled) {
        if (await takeOverRun(db, run, workerId, deps.leaseMs)) {
          log.warn({ containerId: run.containerId }, 'adopted a run whose worker stopped heartbeating');
        }
      } else if (run.lapsedMs > 4 * deps.leaseMs && (await takeOverRun(db, run, workerId, deps.leaseMs))) {
        log.warn('failing a run whose worker stopped heartbeating and whose container is not on this host');
        await finisher.finishEarly(
          run.id,
          new RunFailure(
            'infra_error',
            `worker ${run.workerId ?? '(unknown)'} stopped heartbeating and the run's container could not be found`,
          ),
          { signal: deliverySignal() },
        );
      }
    }
  }

  async function reconcile(): Promise<void> {
    await heartbeatRuns(db, workerId);
    await reapLapsedRuns();
    const runs = await listActiveRunsOfWorker(db, workerId);
    const now = await db.query<{ now: Date }>('SELECT now() AS now');
    const dbNow = now[0]!.now.getTime();
    for (const run of runs) {
      if (run.state === 'staging' || run.state === 'building') {
        if (run.cancelRequestedAt) executions.get(run.id)?.abort();
        continue;
      }
      if (run.state === 'running') deps.keepSampling?.(run);
      if (run.state === 'running' && !run.killReason) {
        if (run.cancelRequestedAt) await stopContainer(run, 'cancel');
        else if (run.deadlineAt && run.deadlineAt.getTime() <= dbNow) await stopContainer(run, 'timeout');
      }
      void settleOnce(run.id);
    }
    await checkDisk(runs);
  }

  let lastDiskCheck = 0;
  /**
   * Stops the running containers whose volumes (/job/output, the sampler's folder) hold more than
   * their run's `disk_mb`: the engine's storage quota (`StorageOpt size`) works only on some
   * storage drivers, and never bounds volumes. Measured every `checkIntervalMs`, so a run can
   * pass its limit by what it writes in that time.
   */
  async function checkDisk(runs: Run[]): Promise<void> {
    const watched = runs.filter((run) => run.state === 'running' && !run.killReason && run.containerId);
    if (watched.length === 0 || Date.now() - lastDiskCheck < deps.disk.checkIntervalMs) return;
    lastDiskCheck = Date.now();
    let usage: Map<string, number> | undefined;
    try {
      usage = await engine.volumeUsage(countsTowardsDiskLimit);
    } catch (error) {
      logger.warn({ err: error }, "could not measure the disk the containers' volumes use");
      return;
    }
    // The engine was measuring for another caller: the next pass measures.
    if (!usage) return;
    for (const over of runsOverDisk(watched, usage, deps.disk.defaultDiskMb)) {
      const run = watched.find((r) => r.id === over.runId)!;
      logger.info(over, 'the run wrote more than its disk limit');
      await stopContainer(run, 'disk');
    }
  }

  function reconcileSoon(): void {
    if (reconciling) return;
    reconciling = reconcile()
      .catch((error: unknown) => logger.error({ err: error }, 'reconcile failed'))
      .finally(() => {
        reconciling = undefined;
      });
  }

  let unsubscribe: (() => void) | undefined;
  const lifecycle = startStop({
    start() {
      controller = new AbortController();
      if (deps.followEvents !== false) {
        engine.watchContainers(
          `${INSTALLATION_LABEL}=${deps.installationId}`,
          (event) => {
            const runId = event.labels[RUN_ID_LABEL];
            if (!runId) return;
            if (event.action === 'kill') {
              // A signal this service did not send: the engine stopping (it restarts), or an operator.
              if (!ownKills.has(event.containerId)) stoppedFromOutside.set(runId, event.signal ?? 'unknown');
              return;
            }
            void settleOnce(runId);
          },
          controller.signal,
        );
      }
      timer = setInterval(reconcileSoon, deps.reconcileIntervalMs);
      unsubscribe = deps.signals.cancelRequested.subscribe(reconcileSoon);
      reconcileSoon();
    },
    async stop() {
      unsubscribe?.();
      controller?.abort();
      controller = undefined;
      if (timer) clearInterval(timer);
      timer = undefined;
      await reconciling;
      await Promise.all(settling.values());
    },
  });

  return {
    ...lifecycle,
    check(runId) {
      void settleOnce(runId);
    },
    reconcileSoon,
  };
}
