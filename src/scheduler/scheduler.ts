import type { Logger } from 'pino';
import type { Database, SqlExecutor } from '../../services/db/database.js';
import { databaseNow } from '../clock.js';
import { CronSchedule } from '../cron/cron-schedule.js';
import { listUnfinishedRunsOfJobs, newRunId, requestCancel, type Run } from '../runs/run-repository.js';
import { cancelQueued } from '../runs/transitions.js';
import type { Signals } from '../signals.js';
import { startStop, type StartStop } from '../start-stop.js';
import { createWakeableSleep } from '../wakeable-sleep.js';
import { planFires } from './plan-fires.js';
import { decideOverlap, type UnfinishedRun } from './overlap.js';
import {
  advanceSchedules,
  checkConstraintsNow,
  endIfAbandoned,
  fireOnTime,
  listSchedulesDueAt,
  lockDueSchedules,
  nextDue,
  recordFires,
  recordMissed,
  recordWorkflowFires,
  type FireRow,
  type PreparedFire,
  type Schedule,
  type ScheduleAdvance,
  type ScheduleOwner,
  type WorkflowFireRow,
} from './schedule-repository.js';

/**
 * How the scheduler weighs, starts and replaces workflow runs: the workflow engine's, passed in.
 * Each is called in the transaction that records the fire time, so a fire time starts its
 * workflow run exactly once, however schedulers die.
 */
export interface WorkflowFiring {
  /** The unfinished (queued or running) workflow runs of each workflow, oldest first. */
  unfinished(tx: SqlExecutor, workflowIds: string[]): Promise<Map<string, UnfinishedRun[]>>;
  /** Starts the workflow runs of fire times just recorded; resolves with how many step runs were queued. */
  start(tx: SqlExecutor, fires: WorkflowFireRow[]): Promise<number>;
  /**
   * Cancels a workflow run replaced by a later fire time's; resolves with whether running steps
   * must be stopped, and how many step runs were queued (the run waiting for it, started when it ends at once).
   */
  cancel(tx: SqlExecutor, workflowRunId: string): Promise<{ stop: boolean; queued: number }>;
}

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

/** At most this many due fire times are enumerated for one schedule in one pass. */
const MAX_DUE_PER_PASS = 100_000;
/** Passes run side by side when more schedules are due than one pass takes. */
const DRAIN_LANES = 2;
/** At most this many missed fire times are recorded one by one per pass; the rest are counted. */
const MISSED_RECORDED = 1000;
/** Schedules due at the same instant are prepared this long before it. */
const PREPARE_AHEAD_MS = 1000;
/** At most this many schedules due at the same instant are prepared; any others are handled once due. */
const PREPARED_MAX = 100_000;
/** Prepared schedules fired per statement. */
const PREPARED_BATCH = 1000;

/**
 * Turns due fire times into queued runs, exactly once per (schedule, fire time): the schedule row
 * is locked while it is handled, each fire time is recorded under a primary key before its run is
 * queued, and the next fire time is stored in the same transaction. A scheduler that dies
 * mid-way rolls back; another one (or itself, restarted) handles the same fire times again.
 */
export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { db, logger } = deps;
  const clock = deps.clock ?? databaseNow;
  const crons = new Map<string, CronSchedule>();
  let stopped = true;
  let loop: Promise<void> | undefined;
  const pause = createWakeableSleep();
  /** Counts wake-ups, so that a wait for a fire time can tell it was cut short. */
  let wakes = 0;

  /** Parsed expressions are kept: parsing costs far more than finding the next fire time. */
  function cronOf(schedule: Pick<Schedule, 'cron' | 'timezone'>): CronSchedule {
    const key = `${schedule.timezone} ${schedule.cron}`;
    let cron = crons.get(key);
    if (!cron) {
      if (crons.size >= 10_000) crons.clear();
      cron = CronSchedule.parse(schedule.cron, schedule.timezone);
      crons.set(key, cron);
    }
    return cron;
  }

  /** What is written for one pass: fire records and their runs, cancellations and the schedules' next fire times. */
  interface Pass {
    fires: FireRow[];
    workflowFires: WorkflowFireRow[];
    cancels: { runId: string; at: Date; workflow: boolean }[];
    advances: ScheduleAdvance[];
    missed: { owner: ScheduleOwner; times: Date[]; detail: string }[];
    dueTimes: Map<string, { times: Date[]; next: Date | undefined }>;
  }

  /** Decides, in memory, what becomes of each due fire time of one schedule. */
  function plan(schedule: Schedule, now: Date, unfinished: UnfinishedRun[], pass: Pass) {
    const cron = cronOf(schedule);
    const owner: ScheduleOwner = schedule.workflowId
      ? { workflowId: schedule.workflowId }
      : { jobId: schedule.jobId! };
    // Fire times older than the catch-up window can only be missed: they are not enumerated one by
    // one (a per-second schedule down for a week has 600,000), but recorded as one stretch.
    const horizon = new Date(now.getTime() - schedule.catchUpWindowSeconds * 1000 - deps.misfireToleranceMs);
    let from = schedule.nextFireAt!;
    if (from.getTime() < horizon.getTime()) {
      pass.missed.push({
        owner,
        times: [from],
        detail: `this and every fire time until ${horizon.toISOString()} were missed while no scheduler was running`,
      });
      from = horizon;
    }
    // Schedules sharing an expression, a timezone and a next fire time (common ones such as
    // "0 * * * *" registered many times) have the same due times: computed once per pass.
    const key = `${schedule.timezone} ${schedule.cron} ${from.getTime()}`;
    let due = pass.dueTimes.get(key);
    if (!due) {
      due = cron.due(from, now, MAX_DUE_PER_PASS);
      pass.dueTimes.set(key, due);
    }
    const fires = planFires(due.times, now, deps.misfireToleranceMs, {
      policy: schedule.catchUpPolicy,
      windowSeconds: schedule.catchUpWindowSeconds,
      limit: schedule.catchUpLimit,
    });
    if (fires.missed.length > 0) {
      const recorded = fires.missed.slice(-MISSED_RECORDED);
      const more = fires.missed.length - recorded.length;
      pass.missed.push({
        owner,
        times: recorded,
        detail: `missed while no scheduler was running (catch-up policy ${schedule.catchUpPolicy})${more > 0 ? `; ${more} earlier fire times were missed too` : ''}`,
      });
    }
    for (const { at, catchUp } of fires.fire) {
      const decision = decideOverlap(schedule.overlapPolicy, unfinished, catchUp);
      let runId: string | null = null;
      if (decision.outcome === 'queued' || decision.outcome === 'caught_up') {
        runId = newRunId();
        for (const cancelled of decision.cancels)
          pass.cancels.push({ runId: cancelled, at, workflow: 'workflowId' in owner });
        // Later fire times of this pass see this run as the job's unfinished one.
        unfinished = [
          ...unfinished.filter((r) => !decision.cancels.includes(r.id)),
          { id: runId, state: 'queued', waitsForPrevious: decision.waits },
        ];
      }
      const fire = {
        fireAt: at,
        outcome: decision.outcome,
        detail: decision.detail,
        trigger: catchUp ? ('catch_up' as const) : ('schedule' as const),
        waitsForPrevious: decision.waits,
      };
      if ('workflowId' in owner)
        pass.workflowFires.push({ ...fire, workflowId: owner.workflowId, workflowRunId: runId });
      else pass.fires.push({ ...fire, jobId: owner.jobId, runId });
    }
    const last = due.times[due.times.length - 1] ?? null;
    // `due.next` is the first fire time after the ones found; after a capped enumeration, look from now.
    const next = due.times.length >= MAX_DUE_PER_PASS ? cron.nextAfter(now) : due.next;
    pass.advances.push({ id: schedule.id, nextFireAt: next ?? null, lastFireAt: last });
  }

  /** Writes a pass in a few statements, whatever the number of schedules in it. */
  async function write(tx: SqlExecutor, pass: Pass, ended: Run[]): Promise<number> {
    for (const { owner, times, detail } of pass.missed) await recordMissed(tx, owner, times, detail);
    let queued = await recordFires(tx, pass.fires);
    const started = await recordWorkflowFires(tx, pass.workflowFires);
    if (started.length > 0) queued += await deps.workflows!.start(tx, started);
    // A replacing workflow run waits for the one it replaces, which starts it once it has ended.
    for (const { runId } of pass.cancels.filter((c) => c.workflow)) {
      const cancelled = await deps.workflows!.cancel(tx, runId);
      queued += cancelled.queued;
      if (cancelled.stop) deps.signals.cancelRequested.notify();
    }
    for (const { runId, at } of pass.cancels.filter((c) => !c.workflow)) {
      const cancelled = await cancelQueued(tx, runId, `replaced by the run fired at ${at.toISOString()}`);
      if (cancelled) ended.push(cancelled);
      else if (await requestCancel(tx, runId)) deps.signals.cancelRequested.notify();
    }
    await advanceSchedules(tx, pass.advances);
    return queued;
  }

  async function tick(): Promise<number> {
    let queued = 0;
    let skipped = 0;
    const ended: Run[] = [];
    const handled = await db.transaction(async (tx) => {
      ended.length = 0;
      const now = await clock(tx);
      const due = await lockDueSchedules(tx, now, deps.batchSize, deps.workflows !== undefined);
      if (due.length === 0) return 0;
      const watched = due.filter((s) => s.overlapPolicy !== 'allow');
      const unfinished = new Map<string, UnfinishedRun[]>([
        ...(await listUnfinishedRunsOfJobs(
          tx,
          watched.flatMap((s) => (s.jobId ? [s.jobId] : [])),
        )),
        ...(await (deps.workflows?.unfinished(
          tx,
          watched.flatMap((s) => (s.workflowId ? [s.workflowId] : [])),
        ) ?? new Map<string, UnfinishedRun[]>())),
      ]);
      const pass: Pass = {
        fires: [],
        workflowFires: [],
        cancels: [],
        advances: [],
        missed: [],
        dueTimes: new Map(),
      };
      for (const schedule of due) plan(schedule, now, unfinished.get(schedule.id) ?? [], pass);
      queued = await write(tx, pass, ended);
      skipped =
        [...pass.fires, ...pass.workflowFires].filter(
          (f) => f.outcome !== 'queued' && f.outcome !== 'caught_up',
        ).length + pass.missed.reduce((n, m) => n + m.times.length, 0);
      if (queued > 0 || pass.missed.length > 0) {
        logger.debug({ schedules: due.length, queued, missed: pass.missed.length }, 'schedules fired');
      }
      return due.length;
    });
    if (queued > 0) deps.signals.runQueued.notify();
    if (skipped > 0) deps.signals.firesSkipped.notify(skipped);
    for (const run of ended) deps.signals.runFinished.notify(run);
    return handled;
  }

  /**
   * More schedules are due than one pass takes: passes run side by side (SKIP LOCKED gives each
   * its own schedules), so planning in one overlaps with writing in another.
   */
  async function drain(): Promise<void> {
    const lane = async () => {
      while (!stopped && (await tick()) >= deps.batchSize) {
        // keep going while passes come back full
      }
    };
    await Promise.all(Array.from({ length: DRAIN_LANES }, lane));
  }

  /**
   * The schedules due at `at` that will most likely fire just then (the usual case: one fire time,
   * on time), each with its next fire time, worked out before `at` so that little is left to do
   * at `at`. A schedule whose next fire time is not a fire time of its expression is left out.
   */
  async function prepare(at: Date): Promise<Omit<PreparedFire, 'runId'>[]> {
    const due = await listSchedulesDueAt(db, at, PREPARED_MAX);
    const nextByExpression = new Map<string, Date | null | false>();
    const prepared: Omit<PreparedFire, 'runId'>[] = [];
    for (const schedule of due) {
      const key = `${schedule.timezone} ${schedule.cron}`;
      let next = nextByExpression.get(key);
      if (next === undefined) {
        const cron = cronOf(schedule);
        const first = cron.nextAfter(new Date(at.getTime() - 1));
        next = first?.getTime() === at.getTime() ? (cron.nextAfter(at) ?? null) : false;
        nextByExpression.set(key, next);
      }
      if (next === false) continue;
      prepared.push({ ...schedule, fireAt: at, nextFireAt: next });
    }
    return prepared;
  }

  /**
   * Waits for `at` by the database's clock. False when firing at `at` is off: the scheduler is
   * stopping, a schedule due sooner came in meanwhile (it was woken, and asked), or `at` has long
   * passed (the fires are late: `tick` handles them, with the catch-up policies).
   */
  async function untilFireTime(at: Date): Promise<boolean> {
    let wakesBefore = wakes;
    let now = await clock(db);
    while (now.getTime() < at.getTime()) {
      await pause.sleep(at.getTime() - now.getTime());
      if (stopped) return false;
      if (wakes !== wakesBefore) {
        wakesBefore = wakes;
        const due = await nextDue(db);
        if (due && due.at.getTime() < at.getTime()) return false;
      }
      now = await clock(db);
    }
    return now.getTime() - at.getTime() <= deps.misfireToleranceMs;
  }

  /**
   * Prepares the schedules due at `at` and fires them, in batches side by side. Batches fired
   * before `at` stay in a transaction per lane that commits once `at` has come by the database's
   * clock, so their runs appear at their fire time, however many there are; the rest are fired
   * at once, batch by batch. Whatever they do not cover (a schedule paused, changed or registered
   * before it was fired, an overlap policy with a run to weigh, a fire time gone late) is left due
   * for `tick`. When firing at `at` is off (see `untilFireTime`), the early batches roll back.
   */
  async function fireWhenDue(at: Date): Promise<void> {
    const prepared = await prepare(at);
    let off = false;
    const arrived = untilFireTime(at).then((arrived) => {
      off = !arrived;
      return arrived;
    });
    // Lanes wait for it once their early batches are in; one that failed before may not.
    arrived.catch(() => undefined);
    if (prepared.length === 0) {
      await arrived;
      return;
    }
    const batches: Omit<PreparedFire, 'runId'>[][] = [];
    for (let i = 0; i < prepared.length; i += PREPARED_BATCH)
      batches.push(prepared.slice(i, i + PREPARED_BATCH));
    // Other schedulers prepare the same batches: each starts at a batch of its own, so that they
    // share the work rather than contend for the same schedules.
    const first = Math.floor(Math.random() * batches.length);
    let taken = 0;
    const nextBatch = () =>
      !stopped && !off && taken < batches.length ? batches[(first + taken++) % batches.length] : undefined;
    const fire = (tx: SqlExecutor, now: Date, batch: Omit<PreparedFire, 'runId'>[]) =>
      fireOnTime(
        tx,
        now,
        batch.map((prepared) => ({ ...prepared, runId: newRunId() })),
      );
    const offAtFireTime = new Error('firing at the fire time is off');
    const lane = async () => {
      let batch = nextBatch();
      if (batch && (await clock(db)).getTime() < at.getTime()) {
        let queued: number;
        try {
          queued = await db.transaction(async (tx) => {
            await endIfAbandoned(tx, 2 * PREPARE_AHEAD_MS);
            let early = 0;
            while (batch) {
              early += await fire(tx, at, batch);
              batch = (await clock(tx)).getTime() < at.getTime() ? nextBatch() : undefined;
            }
            // Constraints checked at commit are checked now, so that the commit at `at` is quick.
            await checkConstraintsNow(tx);
            if (!(await arrived)) throw offAtFireTime;
            return early;
          });
        } catch (error) {
          if (error === offAtFireTime) return;
          throw error;
        }
        if (queued > 0) deps.signals.runQueued.notify();
        batch = nextBatch();
      } else if (!(await arrived)) {
        return;
      }
      const now = await clock(db);
      for (; batch; batch = nextBatch()) {
        if ((await fire(db, now, batch)) > 0) deps.signals.runQueued.notify();
      }
    };
    const lanes = await Promise.allSettled(Array.from({ length: DRAIN_LANES }, lane));
    const failed = lanes.find((lane) => lane.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async function run(): Promise<void> {
    while (!stopped) {
      try {
        const handled = await tick();
        if (handled >= deps.batchSize) {
          await drain();
          continue;
        }
        // With a clock of its own (tests), the scheduler looks every maxIdleMs.
        const due = deps.clock ? undefined : await nextDue(db);
        if (due && due.ms > 0 && due.ms <= PREPARE_AHEAD_MS) {
          await fireWhenDue(due.at);
          continue;
        }
        const wait =
          due === undefined
            ? deps.maxIdleMs
            : Math.min(Math.max(due.ms - PREPARE_AHEAD_MS, 0), deps.maxIdleMs);
        if (!stopped) await pause.sleep(wait);
      } catch (error) {
        logger.error({ err: error }, 'scheduling failed; trying again');
        if (!stopped) await pause.sleep(1000);
      }
    }
  }

  function wake(): void {
    wakes += 1;
    pause.wake();
  }

  let unsubscribe: (() => void) | undefined;
  const lifecycle = startStop({
    start() {
      stopped = false;
      loop = run();
      unsubscribe = deps.signals.scheduleChanged.subscribe(wake);
    },
    async stop() {
      unsubscribe?.();
      stopped = true;
      pause.wake();
      await loop;
    },
  });

  return { ...lifecycle, wake, tick };
}
