import type { Logger } from 'pino';
import type { Database } from '../../services/db/database.js';
import { claimRuns, listActiveRunsOfWorker, transitionRun } from '../jobs/run-repository.js';
import type { RunExecutor } from '../runner/run-executor.js';
import { createWakeableSleep } from '../wakeable-sleep.js';
import { ShutdownRequested } from '../errors.js';

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
}

export interface Worker {
  start(): Promise<void>;
  /**
   * Stops claiming, and waits (up to the grace period) for the runs being staged or built to
   * reach `running`; those still going then are handed back to the queue. Containers already
   * running are left to run: this worker restarted, or another one, adopts them.
   */
  stop(): Promise<void>;
  /** Claims now rather than at the next poll (a run was just queued by this process). */
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

  /** Staging and building do not survive a restart: runs left there by this worker go back to the queue. */
  async function requeueInterrupted(): Promise<void> {
    for (const run of await listActiveRunsOfWorker(db, workerId)) {
      if ((run.state === 'staging' || run.state === 'building') && !executions.has(run.id)) {
        const requeued = await transitionRun(db, run.id, [run.state], 'queued');
        if (requeued)
          logger.warn({ runId: run.id, was: run.state }, 'requeued a run interrupted by a restart');
      }
    }
  }

  async function claimOnce(): Promise<void> {
    const active = await listActiveRunsOfWorker(db, workerId);
    const room = deps.maxConcurrentRuns - active.length;
    if (room <= 0) return;
    for (const run of await claimRuns(db, workerId, room, deps.userConcurrencyLimit)) {
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
        logger.error({ err: error }, 'claiming runs failed; trying again');
      }
      if (stopped) break;
      await pause.sleep(deps.pollIntervalMs);
    }
  }

  return {
    async start() {
      if (!stopped) return;
      stopped = false;
      await requeueInterrupted();
      loop = run();
    },
    async stop() {
      if (stopped) return;
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
    wake() {
      pause.wake();
    },
  };
}
