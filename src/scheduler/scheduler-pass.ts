import type { SqlExecutor } from '../../services/db/database.js';
import { listUnfinishedRunsOfJobs, newRunId, requestCancel, type Run } from '../runs/run-repository.js';
import { cancelQueued } from '../runs/transitions.js';
import { countSkipped, emptyPass, planSchedule, type Pass } from './plan-pass.js';
import type { UnfinishedRun } from './overlap.js';
import { DRAIN_LANES, type SchedulerContext } from './scheduler-context.js';
import {
  advanceSchedules,
  lockDueSchedules,
  recordFires,
  recordMissed,
  recordWorkflowFires,
  type Schedule,
} from './schedule-repository.js';

/** The unfinished runs of the jobs and workflows of due schedules whose overlap policy weighs them. */
async function unfinishedRunsOf(
  ctx: SchedulerContext,
  tx: SqlExecutor,
  due: Schedule[],
): Promise<Map<string, UnfinishedRun[]>> {
  const watched = due.filter((s) => s.overlapPolicy !== 'allow');
  const jobIds = watched.flatMap((s) => (s.jobId ? [s.jobId] : []));
  const workflowIds = watched.flatMap((s) => (s.workflowId ? [s.workflowId] : []));
  return new Map<string, UnfinishedRun[]>([
    ...(await listUnfinishedRunsOfJobs(tx, jobIds)),
    ...(await (ctx.workflows?.unfinished(tx, workflowIds) ?? new Map<string, UnfinishedRun[]>())),
  ]);
}

/**
 * Cancels the runs replaced by later fire times. A replacing workflow run waits for the one it
 * replaces, which starts it once it has ended; a job's queued run ends at once (added to `ended`),
 * a running one is asked to stop. Resolves with how many step runs were queued.
 */
async function cancelReplaced(ctx: SchedulerContext, tx: SqlExecutor, pass: Pass, ended: Run[]) {
  let queued = 0;
  for (const { runId } of pass.cancels.filter((c) => c.workflow)) {
    const cancelled = await ctx.workflows!.cancel(tx, runId);
    queued += cancelled.queued;
    if (cancelled.stop) ctx.signals.cancelRequested.notify();
  }
  for (const { runId, at } of pass.cancels.filter((c) => !c.workflow)) {
    const cancelled = await cancelQueued(tx, runId, `replaced by the run fired at ${at.toISOString()}`);
    if (cancelled) ended.push(cancelled);
    else if (await requestCancel(tx, runId)) ctx.signals.cancelRequested.notify();
  }
  return queued;
}

/** Writes a pass in a few statements, whatever the number of schedules in it; resolves with the runs queued. */
async function writePass(ctx: SchedulerContext, tx: SqlExecutor, pass: Pass, ended: Run[]): Promise<number> {
  for (const { owner, times, detail } of pass.missed) await recordMissed(tx, owner, times, detail);
  let queued = await recordFires(tx, pass.fires);
  const started = await recordWorkflowFires(tx, pass.workflowFires);
  if (started.length > 0) queued += await ctx.workflows!.start(tx, started);
  queued += await cancelReplaced(ctx, tx, pass, ended);
  await advanceSchedules(tx, pass.advances);
  return queued;
}

/**
 * One pass over the due schedules, in one transaction: locks up to a batch of them, plans their
 * fire times in memory and writes the plan. Resolves with how many schedules were handled; tells
 * of the runs queued, the fires skipped and the runs ended once the pass has committed.
 */
export async function runPass(ctx: SchedulerContext): Promise<number> {
  let queued = 0;
  let skipped = 0;
  const ended: Run[] = [];
  const handled = await ctx.db.transaction(async (tx) => {
    ended.length = 0;
    const now = await ctx.clock(tx);
    const due = await lockDueSchedules(tx, now, ctx.batchSize, ctx.workflows !== undefined);
    if (due.length === 0) return 0;
    const unfinished = await unfinishedRunsOf(ctx, tx, due);
    const pass = emptyPass();
    const settings = { misfireToleranceMs: ctx.misfireToleranceMs, cronOf: ctx.cronOf, newRunId };
    for (const schedule of due)
      planSchedule(schedule, now, unfinished.get(schedule.id) ?? [], settings, pass);
    queued = await writePass(ctx, tx, pass, ended);
    skipped = countSkipped(pass);
    if (queued > 0 || pass.missed.length > 0) {
      ctx.logger.debug({ schedules: due.length, queued, missed: pass.missed.length }, 'schedules fired');
    }
    return due.length;
  });
  if (queued > 0) ctx.signals.runQueued.notify();
  if (skipped > 0) ctx.signals.firesSkipped.notify(skipped);
  for (const run of ended) ctx.signals.runFinished.notify(run);
  return handled;
}

/**
 * More schedules are due than one pass takes: passes run side by side (SKIP LOCKED gives each
 * its own schedules), so planning in one overlaps with writing in another.
 */
export async function drainPasses(ctx: SchedulerContext): Promise<void> {
  const lane = async () => {
    while (!ctx.stopped() && (await runPass(ctx)) >= ctx.batchSize) {
      // keep going while passes come back full
    }
  };
  await Promise.all(Array.from({ length: DRAIN_LANES }, lane));
}
