import type { Logger } from 'pino';
import type { Database, SqlExecutor } from '../../services/db/database.js';
import { databaseNow } from '../clock.js';
import type { Signals } from '../signals.js';
import { startStop, type StartStop } from '../start-stop.js';
import { createWakeableSleep } from '../wakeable-sleep.js';
import { createCronCache } from './cron-cache.js';
import { fireWhenDue, PREPARE_AHEAD_MS } from './fire-when-due.js';
import type { SchedulerContext, WorkflowFiring } from './scheduler-context.js';
import { drainPasses, runPass } from './scheduler-pass.js';
import { nextDue } from './schedule-repository.js';

export interface SchedulerDeps {
  db: Database;
  logger: Logger;
  /** A fire time older than this when its scheduler gets to it counts as missed (catch-up applies). */
  misfireToleranceMs: number;
  /** Schedules handled per transaction. */
  batchSize: number;
  /** The longest an idle scheduler sleeps before looking again (it also wakes when told). */
  maxIdleMs: number;
  /** "Now": the database's clock, unless a test sets another. */
  clock?: (db: SqlExecutor) => Promise<Date>;
  /** Tells of the runs it queues and the cancels it requests; it looks at once when a schedule changes. */
  signals: Pick<
    Signals,
    'runQueued' | 'cancelRequested' | 'scheduleChanged' | 'runFinished' | 'firesSkipped'
  >;
  /** Fires workflows' schedules; without it only jobs' schedules are fired. */
  workflows?: WorkflowFiring;
}

export interface Scheduler extends StartStop {
  /** Looks for due schedules now (a schedule was just registered or changed). */
  wake(): void;
  /** One pass over the due schedules; resolves with how many were handled. */
  tick(): Promise<number>;
}

/**
 * Turns due fire times into queued runs, exactly once per (schedule, fire time): the schedule row
 * is locked while it is handled, each fire time is recorded under a primary key before its run is
 * queued, and the next fire time is stored in the same transaction. A scheduler that dies
 * mid-way rolls back; another one (or itself, restarted) handles the same fire times again.
 *
 * A pass (scheduler-pass.ts) handles whatever is due; schedules about to come due at the same
 * instant are prepared ahead and fired at it (fire-when-due.ts); what becomes of each fire time is
 * decided in memory (plan-pass.ts).
 */
export function createScheduler(deps: SchedulerDeps): Scheduler {
  let stopped = true;
  let loop: Promise<void> | undefined;
  /** Counts wake-ups, so that a wait for a fire time can tell it was cut short. */
  let wakes = 0;
  const ctx: SchedulerContext = {
    db: deps.db,
    logger: deps.logger,
    misfireToleranceMs: deps.misfireToleranceMs,
    batchSize: deps.batchSize,
    clock: deps.clock ?? databaseNow,
    signals: deps.signals,
    workflows: deps.workflows,
    cronOf: createCronCache(),
    pause: createWakeableSleep(),
    wakes: () => wakes,
    stopped: () => stopped,
  };

  function wake(): void {
    wakes += 1;
    ctx.pause.wake();
  }

  let unsubscribe: (() => void) | undefined;
  const lifecycle = startStop({
    start() {
      stopped = false;
      loop = runLoop(ctx, deps.clock !== undefined, deps.maxIdleMs);
      unsubscribe = deps.signals.scheduleChanged.subscribe(wake);
    },
    async stop() {
      unsubscribe?.();
      stopped = true;
      ctx.pause.wake();
      await loop;
    },
  });

  return { ...lifecycle, wake, tick: () => runPass(ctx) };
}

/**
 * The scheduler's loop until it stops: a pass, drained while passes come back full; then, when a
 * fire time is less than `PREPARE_AHEAD_MS` away, it is fired when due; else a sleep until just
 * before the next one (at most `maxIdleMs`, cut short by a wake). With a clock of its own (tests),
 * the scheduler looks every `maxIdleMs`.
 */
async function runLoop(ctx: SchedulerContext, ownClock: boolean, maxIdleMs: number): Promise<void> {
  while (!ctx.stopped()) {
    try {
      const handled = await runPass(ctx);
      if (handled >= ctx.batchSize) {
        await drainPasses(ctx);
        continue;
      }
      const due = ownClock ? undefined : await nextDue(ctx.db);
      if (due && due.ms > 0 && due.ms <= PREPARE_AHEAD_MS) {
        await fireWhenDue(ctx, due.at);
        continue;
      }
      const wait =
        due === undefined ? maxIdleMs : Math.min(Math.max(due.ms - PREPARE_AHEAD_MS, 0), maxIdleMs);
      if (!ctx.stopped()) await ctx.pause.sleep(wait);
    } catch (error) {
      ctx.logger.error({ err: error }, 'scheduling failed; trying again');
      if (!ctx.stopped()) await ctx.pause.sleep(1000);
    }
  }
}
