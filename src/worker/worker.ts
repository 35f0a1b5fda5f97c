import { monotonicNow, type LeaseClock } from './lease-clock.js';
import type { Logger } from 'pino';
import { NOT_LISTENING, type Database, type Subscription } from '../../services/db/database.js';
import { ShutdownRequested } from '../errors.js';
import type { RunExecutor } from '../runner/run-executor.js';
import { claimRuns, nextBackoffEndsInMs, type ClaimCapacity } from '../runs/claim.js';
import { listActiveRunsOfWorker } from '../runs/leases.js';
import { transitionFrom } from '../runs/run-states.js';
import { requeue } from '../runs/transitions.js';
import type { Signals } from '../signals.js';
import { startStop, type StartStop } from '../start-stop.js';
import { createWakeableSleep } from '../wakeable-sleep.js';

export interface WorkerDeps {
  db: Database;
  executor: RunExecutor;
  logger: Logger;
  workerId: string;
  maxConcurrentRuns: number;
  /** Runs under way at once per user, across all workers, for users without a ceiling of their own. */
  userConcurrencyLimit: number;
  /** How often it looks for queued runs when notifications cannot wake it. */
  pollIntervalMs: number;
  /** How often it looks anyway while notifications wake it (the database driver LISTENs). */
  claimPollMs: number;
  /** What its runs under way may ask for together; known once its presence has started. */
  capacity(): ClaimCapacity;
  /** How long stop() waits for runs being staged or built before handing them back to the queue. */
  shutdownGraceMs: number;
  executions: Map<string, AbortController>;
  /** Told of the runs each claim takes (a claim is their lease's first renewal). */
  leaseClock: Pick<LeaseClock, 'renewed'>;
  /** What it claims with: its tags and platform (a run's `requires` must be among them). */
  tags(): readonly string[];
  /** An operator asked it to drain: it claims nothing, and finishes what it holds. */
  draining(): boolean;
  /** Whether its disk has room for one more run (TDS_WORKER_MIN_FREE_MB). */
  diskRoom(): Promise<boolean>;
  /** Told of each pass of the claim loop (the liveness mark the image's health check reads). */
  onPass?(): void;
  /** Claims at once when a run is queued, or one of its runs ends, in this process. */
  signals: Pick<Signals, 'runQueued' | 'runEnded'>;
  /** A claim failed (counted: tds_worker_claim_errors_total). */
  onClaimError?: (error: unknown) => void;
}

/**
 * `start()` hands back to the queue the runs this worker left staging or building (it restarted),
 * then claims. `stop()` stops claiming, and waits (up to the grace period) for the runs being
 * staged or built to reach `running`; those still going then are handed back to the queue.
 * Containers already running are left to run: this worker restarted, or another one, adopts them.
 */
export interface Worker extends StartStop {
  /** Claims now rather than at the next poll. */
  wake(): void;
}

/** The channel migration 056 notifies when a run is queued, or a run under way ends. */
export const CLAIMABLE_CHANNEL = 'tds_runs_claimable';

/** Staging and building do not survive a restart: runs left there by this worker go back to the queue. */
async function requeueInterrupted({ db, logger, workerId, executions }: WorkerDeps): Promise<void> {
  for (const run of await listActiveRunsOfWorker(db, workerId)) {
    if (transitionFrom('requeue', run.state) && !executions.has(run.id)) {
      const requeued = await requeue(db, run.id, workerId);
      if (requeued) logger.warn({ runId: run.id, was: run.state }, 'requeued a run interrupted by a restart');
    }
  }
}

/**
 * Claims queued runs from Postgres while this worker has room (runs being staged, built, run or
 * uploaded all count, in slots and in what they ask for of its CPUs and memory) and executes each
 * up to `running`; the watcher takes them from there. It is woken by the database's notifications
 * where the driver can LISTEN, looking anyway every `claimPollMs`, or when the soonest retry's
 * backoff runs out if that is sooner; otherwise, or while its listening connection is lost, it
 * looks every `pollIntervalMs`.
 */
export function createWorker(deps: WorkerDeps): Worker {
  const { db, executor, logger, workerId, executions } = deps;
  const inFlight = new Set<Promise<void>>();
  let stopped = true;
  let loop: Promise<void> | undefined;
  const pause = createWakeableSleep();
  let unsubscribe: (() => void)[] = [];
  let subscription: Subscription = NOT_LISTENING;

  /** Claims what it has room for; says whether room is left (it claimed all it could see). */
  async function claimOnce(): Promise<boolean> {
    if (deps.draining()) return false;
    const active = await listActiveRunsOfWorker(db, workerId);
    const room = deps.maxConcurrentRuns - active.length;
    if (room <= 0 || !(await deps.diskRoom())) return false;
    const sentAt = monotonicNow();
    const claimed = await claimRuns(
      db,
      workerId,
      room,
      deps.userConcurrencyLimit,
      deps.tags(),
      deps.capacity(),
    );
    deps.leaseClock.renewed(
      claimed.map((run) => run.id),
      sentAt,
    );
    for (const run of claimed) {
      const controller = new AbortController();
      executions.set(run.id, controller);
      logger.info({ runId: run.id, jobId: run.jobId }, 'run claimed');
      const work = executor
        .execute(run, controller.signal)
        .catch((error: unknown) => logger.error({ err: error, runId: run.id }, 'run execution failed'))
        .finally(() => {
          executions.delete(run.id);
          inFlight.delete(work);
          pause.wake();
        });
      inFlight.add(work);
    }
    return claimed.length < room;
  }

  /**
   * How long to sleep before looking again: notifications wake it early, but none comes when a
   * retry's backoff runs out, so while it has room it sleeps no longer than the soonest one.
   */
  async function sleepMs(roomLeft: boolean): Promise<number> {
    if (!subscription.listening() || !roomLeft) return pollMs();
    const backoffEnds = await nextBackoffEndsInMs(db);
    return backoffEnds === undefined
      ? deps.claimPollMs
      : Math.min(deps.claimPollMs, Math.max(0, Math.ceil(backoffEnds)));
  }

  /** Its poll when nothing is known to come sooner: longer while notifications wake it. */
  function pollMs(): number {
    return subscription.listening() ? deps.claimPollMs : deps.pollIntervalMs;
  }

  async function run(): Promise<void> {
    while (!stopped) {
      deps.onPass?.();
      let wait = pollMs();
      try {
        wait = await sleepMs(await claimOnce());
      } catch (error) {
        deps.onClaimError?.(error);
        logger.error({ err: error }, 'claiming runs failed; trying again');
      }
      if (stopped) break;
      await pause.sleep(wait);
    }
  }

  const lifecycle = startStop({
    async start() {
      await requeueInterrupted(deps);
      stopped = false;
      const wake = () => pause.wake();
      subscription = db.subscribe(CLAIMABLE_CHANNEL, wake);
      loop = run();
      unsubscribe = [deps.signals.runQueued.subscribe(wake), deps.signals.runEnded.subscribe(wake)];
    },
    async stop() {
      for (const off of unsubscribe) off();
      await subscription.close();
      subscription = NOT_LISTENING;
      stopped = true;
      pause.wake();
      await loop;
      const settled = Promise.all(inFlight);
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'grace over'>((resolve) => {
        timer = setTimeout(() => resolve('grace over'), deps.shutdownGraceMs);
      });
      if ((await Promise.race([settled, graceOver])) === 'grace over') {
        logger.warn({ runs: [...executions.keys()] }, 'handing unfinished runs back to the queue');
        for (const controller of executions.values()) controller.abort(new ShutdownRequested());
        await settled;
      }
      clearTimeout(timer);
    },
  });

  return {
    ...lifecycle,
    wake() {
      pause.wake();
    },
  };
}
