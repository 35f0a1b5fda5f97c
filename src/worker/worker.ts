import type { Logger } from 'pino';
import type { Database } from '../../services/db/database.js';
import { ShutdownRequested } from '../errors.js';
import type { RunExecutor } from '../runner/run-executor.js';
import { claimRuns } from '../runs/claim.js';
import { listActiveRunsOfWorker } from '../runs/leases.js';
import { canChange } from '../runs/run-states.js';
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
  pollIntervalMs: number;
  /** How long stop() waits for runs being staged or built before handing them back to the queue. */
  shutdownGraceMs: number;
  executions: Map<string, AbortController>;
  /** What it claims with: its tags and platform (a run's `requires` must be among them). */
  tags(): readonly string[];
  /** An operator asked it to drain: it claims nothing, and finishes what it holds. */
  draining(): boolean;
  /** Whether its disk has room for one more run (TDS_WORKER_MIN_FREE_MB). */
  diskRoom(): Promise<boolean>;
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

/**
 * Claims queued runs from Postgres while this worker has room (runs being staged, built, run or
 * uploaded all count) and executes each up to `running`; the watcher takes them from there.
 */
export function createWorker(deps: WorkerDeps): Worker {
  const { db, executor, logger, workerId, executions } = deps;
  const inFlight = new Set<Promise<void>>();
  let stopped = true;
  let loop: Promise<void> | undefined;
  const pause = createWakeableSleep();
  let unsubscribe: (() => void)[] = [];

  /** Staging and building do not survive a restart: runs left there by this worker go back to the queue. */
  async function requeueInterrupted(): Promise<void> {
    for (const run of await listActiveRunsOfWorker(db, workerId)) {
      if (canChange(run.state, 'queued') && !executions.has(run.id)) {
        const requeued = await requeue(db, run.id, workerId);
        if (requeued)
          logger.warn({ runId: run.id, was: run.state }, 'requeued a run interrupted by a restart');
      }
    }
  }

  async function claimOnce(): Promise<void> {
    if (deps.draining()) return;
    const active = await listActiveRunsOfWorker(db, workerId);
    const room = deps.maxConcurrentRuns - active.length;
    if (room <= 0 || !(await deps.diskRoom())) return;
    for (const run of await claimRuns(db, workerId, room, deps.userConcurrencyLimit, deps.tags())) {
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
  }

  async function run(): Promise<void> {
    while (!stopped) {
      try {
        await claimOnce();
      } catch (error) {
        deps.onClaimError?.(error);
        logger.error({ err: error }, 'claiming runs failed; trying again');
      }
      if (stopped) break;
      await pause.sleep(deps.pollIntervalMs);
    }
  }

  const lifecycle = startStop({
    async start() {
      await requeueInterrupted();
      stopped = false;
      loop = run();
      const wake = () => pause.wake();
      unsubscribe = [deps.signals.runQueued.subscribe(wake), deps.signals.runEnded.subscribe(wake)];
    },
    async stop() {
      for (const off of unsubscribe) off();
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
