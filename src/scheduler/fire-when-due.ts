import type { SqlExecutor } from '../../services/db/database.js';
import { newRunId } from '../runs/run-repository.js';
import { prepareFires, type PreparedSchedule } from './plan-pass.js';
import { DRAIN_LANES, type SchedulerContext } from './scheduler-context.js';
import {
  checkConstraintsNow,
  endIfAbandoned,
  fireOnTime,
  listSchedulesDueAt,
  nextDue,
} from './schedule-repository.js';

/** Schedules due at the same instant are prepared this long before it. */
export const PREPARE_AHEAD_MS = 1000;
/** At most this many schedules due at the same instant are prepared; any others are handled once due. */
const PREPARED_MAX = 100_000;
/** Prepared schedules fired per statement. */
const PREPARED_BATCH = 1000;

/**
 * Waits for `at` by the database's clock. False when firing at `at` is off: the scheduler is
 * stopping, a schedule due sooner came in meanwhile (it was woken, and asked), or `at` has long
 * passed (the fires are late: a pass handles them, with the catch-up policies).
 */
async function untilFireTime(ctx: SchedulerContext, at: Date): Promise<boolean> {
  let wakesBefore = ctx.wakes();
  let now = await ctx.clock(ctx.db);
  while (now.getTime() < at.getTime()) {
    await ctx.pause.sleep(at.getTime() - now.getTime());
    if (ctx.stopped()) return false;
    if (ctx.wakes() !== wakesBefore) {
      wakesBefore = ctx.wakes();
      const due = await nextDue(ctx.db);
      if (due && due.at.getTime() < at.getTime()) return false;
    }
    now = await ctx.clock(ctx.db);
  }
  return now.getTime() - at.getTime() <= ctx.misfireToleranceMs;
}

/** One fire time being fired: its prepared batches, handed out to the lanes one at a time. */
interface Firing {
  ctx: SchedulerContext;
  at: Date;
  /** Resolves with whether firing at `at` is on (see `untilFireTime`). */
  arrived: Promise<boolean>;
  /** The next batch no lane has taken, or undefined once none is left or firing is off. */
  nextBatch(): PreparedSchedule[] | undefined;
}

/**
 * Hands out the batches of `prepared`. Other schedulers prepare the same batches: each starts at
 * a batch of its own, so that they share the work rather than contend for the same schedules.
 */
function batchDealer(prepared: PreparedSchedule[], on: () => boolean): () => PreparedSchedule[] | undefined {
  const batches: PreparedSchedule[][] = [];
  for (let i = 0; i < prepared.length; i += PREPARED_BATCH)
    batches.push(prepared.slice(i, i + PREPARED_BATCH));
  const first = Math.floor(Math.random() * batches.length);
  let taken = 0;
  return () => (on() && taken < batches.length ? batches[(first + taken++) % batches.length] : undefined);
}

function fireBatch(tx: SqlExecutor, now: Date, batch: PreparedSchedule[]): Promise<number> {
  return fireOnTime(
    tx,
    now,
    batch.map((prepared) => ({ ...prepared, runId: newRunId() })),
  );
}

const offAtFireTime = new Error('firing at the fire time is off');

/**
 * Fires batches before `at` in one transaction that commits once `at` has come by the database's
 * clock (or rolls back when firing is off), so their runs appear at their fire time. Resolves with
 * the first batch left for after `at`, or `false` when firing is off.
 */
async function fireEarly(
  firing: Firing,
  first: PreparedSchedule[],
): Promise<PreparedSchedule[] | undefined | false> {
  const { ctx, at } = firing;
  let batch: PreparedSchedule[] | undefined = first;
  let queued: number;
  try {
    queued = await ctx.db.transaction(async (tx) => {
      await endIfAbandoned(tx, 2 * PREPARE_AHEAD_MS);
      let early = 0;
      while (batch) {
        early += await fireBatch(tx, at, batch);
        batch = (await ctx.clock(tx)).getTime() < at.getTime() ? firing.nextBatch() : undefined;
      }
      // Constraints checked at commit are checked now, so that the commit at `at` is quick.
      await checkConstraintsNow(tx);
      if (!(await firing.arrived)) throw offAtFireTime;
      return early;
    });
  } catch (error) {
    if (error === offAtFireTime) return false;
    throw error;
  }
  if (queued > 0) ctx.signals.runQueued.notify();
  return firing.nextBatch();
}

/** One lane: fires early while `at` has not come, then the batches left, batch by batch. */
async function fireLane(firing: Firing): Promise<void> {
  const { ctx, at } = firing;
  let batch = firing.nextBatch();
  if (batch && (await ctx.clock(ctx.db)).getTime() < at.getTime()) {
    const left = await fireEarly(firing, batch);
    if (left === false) return;
    batch = left;
  } else if (!(await firing.arrived)) {
    return;
  }
  const now = await ctx.clock(ctx.db);
  for (; batch; batch = firing.nextBatch()) {
    if ((await fireBatch(ctx.db, now, batch)) > 0) ctx.signals.runQueued.notify();
  }
}

/**
 * Prepares the schedules due at `at` and fires them, in batches side by side. Batches fired
 * before `at` stay in a transaction per lane that commits once `at` has come by the database's
 * clock, so their runs appear at their fire time, however many there are; the rest are fired
 * at once, batch by batch. Whatever they do not cover (a schedule paused, changed or registered
 * before it was fired, an overlap policy with a run to weigh, a fire time gone late) is left due
 * for a pass. When firing at `at` is off (see `untilFireTime`), the early batches roll back.
 */
export async function fireWhenDue(ctx: SchedulerContext, at: Date): Promise<void> {
  const prepared = prepareFires(await listSchedulesDueAt(ctx.db, at, PREPARED_MAX), at, ctx.cronOf);
  let off = false;
  const arrived = untilFireTime(ctx, at).then((arrived) => {
    off = !arrived;
    return arrived;
  });
  // Lanes wait for it once their early batches are in; one that failed before may not.
  arrived.catch(() => undefined);
  if (prepared.length === 0) {
    await arrived;
    return;
  }
  const nextBatch = batchDealer(prepared, () => !ctx.stopped() && !off);
  const firing: Firing = { ctx, at, arrived, nextBatch };
  const lanes = await Promise.allSettled(Array.from({ length: DRAIN_LANES }, () => fireLane(firing)));
  const failed = lanes.find((lane) => lane.status === 'rejected');
  if (failed) throw failed.reason;
}
