import type { Logger } from 'pino';
import type { Database, SqlExecutor } from '../../services/db/database.js';
import type { JobSpec } from '../jobs/job-spec.js';
import { resultsPrefix } from '../jobs/job-spec.js';
import {
  insertRun,
  listUnfinishedRunsOfJob,
  newRunId,
  requestCancel,
  transitionRun,
} from '../jobs/run-repository.js';
import { CronSchedule } from './cron-schedule.js';
import { planFires } from './plan-fires.js';
import {
  advanceSchedule,
  attachRunToFire,
  databaseNow,
  lockDueSchedules,
  msUntilNextDue,
  recordFire,
  recordMissed,
  type FireOutcome,
  type Schedule,
} from './schedule-repository.js';

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
  onRunsQueued?: () => void;
  onCancelRequested?: (runId: string) => void;
}

export interface Scheduler {
  start(): void;
  stop(): Promise<void>;
  /** Looks for due schedules now (a schedule was just registered or changed). */
  wake(): void;
  /** One pass over the due schedules; resolves with how many were handled. */
  tick(): Promise<number>;
}

/** At most this many due fire times are enumerated for one schedule in one pass. */
const MAX_DUE_PER_PASS = 100_000;
/** At most this many missed fire times are recorded one by one per pass; the rest are counted. */
const MISSED_RECORDED = 1000;

/**
 * Turns due fire times into queued runs, exactly once per (schedule, fire time): the schedule row
 * is locked while it is handled, each fire time is recorded under a primary key before its run is
 * queued, and the next fire time is stored in the same transaction. A scheduler that dies
 * mid-way rolls back; another one (or itself, restarted) handles the same fire times again.
 */
export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { db, logger } = deps;
  const clock = deps.clock ?? databaseNow;
  let stopped = true;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;

  async function queueRun(
    tx: SqlExecutor,
    jobId: string,
    spec: JobSpec,
    at: Date,
    catchUp: boolean,
    waitsForPrevious: boolean,
  ): Promise<string> {
    const runId = newRunId();
    await insertRun(tx, {
      id: runId,
      jobId,
      trigger: catchUp ? 'catch_up' : 'schedule',
      spec,
      resultsPrefix: resultsPrefix(spec, runId),
      scheduledFor: at,
      waitsForPrevious,
    });
    return runId;
  }

  /** Applies the overlap policy to one fire time and queues its run when the policy lets it. */
  async function fireOne(
    tx: SqlExecutor,
    schedule: Schedule & { spec: JobSpec },
    at: Date,
    catchUp: boolean,
  ) {
    const unfinished = await listUnfinishedRunsOfJob(tx, schedule.jobId);
    let outcome: FireOutcome = catchUp ? 'caught_up' : 'queued';
    let detail: string | null = null;
    let waits = catchUp; // caught-up runs go one after another
    const cancels: string[] = [];
    if (unfinished.length > 0 && !catchUp) {
      const previous = unfinished[unfinished.length - 1]!;
      switch (schedule.overlapPolicy) {
        case 'allow':
          break;
        case 'skip':
          outcome = 'skipped_overlap';
          detail = `run ${previous.id} was still ${previous.state}`;
          break;
        case 'queue_one':
          if (unfinished.some((r) => r.state === 'queued' && r.waitsForPrevious)) {
            outcome = 'skipped_buffer_full';
            detail = `a run already waits for run ${unfinished[0]!.id} to end`;
          } else {
            waits = true;
          }
          break;
        case 'replace':
          waits = true;
          cancels.push(...unfinished.map((r) => r.id));
          detail = `replaces ${cancels.join(', ')}`;
          break;
      }
    }
    if (!(await recordFire(tx, schedule.jobId, at, outcome, detail))) return false;
    if (outcome === 'skipped_overlap' || outcome === 'skipped_buffer_full') return false;
    for (const runId of cancels) {
      const cancelled = await transitionRun(tx, runId, ['queued'], 'cancelled', {
        failureReason: 'cancelled',
        failureMessage: `replaced by the run fired at ${at.toISOString()}`,
      });
      if (!cancelled) {
        await requestCancel(tx, runId);
        deps.onCancelRequested?.(runId);
      }
    }
    const runId = await queueRun(tx, schedule.jobId, schedule.spec, at, catchUp, waits);
    await attachRunToFire(tx, schedule.jobId, at, runId);
    return true;
  }

  async function handle(tx: SqlExecutor, schedule: Schedule & { spec: JobSpec }, now: Date): Promise<number> {
    const cron = CronSchedule.parse(schedule.cron, schedule.timezone);
    // Fire times older than the catch-up window can only be missed: they are not enumerated one by
    // one (a per-second schedule down for a week has 600,000), but recorded as one stretch.
    const horizon = new Date(now.getTime() - schedule.catchUpWindowSeconds * 1000 - deps.misfireToleranceMs);
    let from = schedule.nextFireAt!;
    if (from.getTime() < horizon.getTime()) {
      await recordMissed(
        tx,
        schedule.jobId,
        [from],
        `this and every fire time until ${horizon.toISOString()} were missed while no scheduler was running`,
      );
      from = horizon;
    }
    const due = cron.between(from, now, MAX_DUE_PER_PASS);
    const plan = planFires(due, now, deps.misfireToleranceMs, {
      policy: schedule.catchUpPolicy,
      windowSeconds: schedule.catchUpWindowSeconds,
      limit: schedule.catchUpLimit,
    });
    const missed = plan.missed.slice(-MISSED_RECORDED);
    const more = plan.missed.length - missed.length;
    await recordMissed(
      tx,
      schedule.jobId,
      missed,
      `missed while no scheduler was running (catch-up policy ${schedule.catchUpPolicy})${more > 0 ? `; ${more} earlier fire times were missed too` : ''}`,
    );
    let queued = 0;
    for (const { at, catchUp } of plan.fire) {
      if (await fireOne(tx, schedule, at, catchUp)) queued += 1;
    }
    const last = due[due.length - 1] ?? null;
    const nextFrom = last && last.getTime() > now.getTime() ? last : now;
    await advanceSchedule(tx, schedule.jobId, cron.nextAfter(nextFrom) ?? null, last);
    if (plan.missed.length > 0 || queued > 0) {
      logger.info(
        {
          jobId: schedule.jobId,
          queued,
          missed: plan.missed.length,
          catchUp: plan.fire.filter((f) => f.catchUp).length,
        },
        'schedule fired',
      );
    }
    return queued;
  }

  async function tick(): Promise<number> {
    let queued = 0;
    const handled = await db.transaction(async (tx) => {
      const now = await clock(tx);
      const due = await lockDueSchedules(tx, now, deps.batchSize);
      for (const schedule of due) queued += await handle(tx, schedule, now);
      return due.length;
    });
    if (queued > 0) deps.onRunsQueued?.();
    return handled;
  }

  async function sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    wakeUp = undefined;
  }

  async function run(): Promise<void> {
    while (!stopped) {
      try {
        const handled = await tick();
        if (handled >= deps.batchSize) continue;
        const untilDue = deps.clock ? undefined : await msUntilNextDue(db);
        const wait =
          untilDue === undefined ? deps.maxIdleMs : Math.min(Math.max(untilDue, 0), deps.maxIdleMs);
        if (!stopped) await sleep(wait);
      } catch (error) {
        logger.error({ err: error }, 'scheduling failed; trying again');
        if (!stopped) await sleep(1000);
      }
    }
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      loop = run();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      wakeUp?.();
      await loop;
    },
    wake() {
      wakeUp?.();
    },
    tick,
  };
}
