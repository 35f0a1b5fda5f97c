import type { SqlExecutor } from '../../services/db/database.js';
import { databaseNow } from '../clock.js';
import { CronSchedule, describeCron } from '../cron/cron-schedule.js';
import type { ScheduleSettings } from '../jobs/job-spec.js';
import {
  deleteSchedule,
  getSchedule,
  listRecentFires,
  setPaused,
  upsertSchedule,
  type Schedule,
  type ScheduleFire,
  type ScheduleOwner,
} from '../scheduler/schedule-repository.js';

/** A definition's schedule, kept in step with what is stored: the same rule for jobs and workflows. */

export interface ScheduleDetails {
  schedule: Schedule;
  description: string;
  nextFireTimes: Date[];
  recentFires: ScheduleFire[];
}

/** The first fire time of a schedule after now, by the database's clock; null when it never fires again. */
export async function nextFireAfterNow(
  tx: SqlExecutor,
  cron: string,
  timezone: string,
): Promise<Date | null> {
  return CronSchedule.parse(cron, timezone).nextAfter(await databaseNow(tx)) ?? null;
}

/** The id of the job or workflow that owns a schedule (a schedule's id is its owner's). */
export const ownerId = (owner: ScheduleOwner): string => ('jobId' in owner ? owner.jobId : owner.workflowId);

/**
 * Keeps a definition's schedule in step with its stored settings, in `tx`: one with a cron
 * expression has a schedule (registered, or changed with its next fire time recomputed from now;
 * a paused one stays paused), one without has none. Whatever stores or replaces a definition calls
 * it, then tells the scheduler (`signals.scheduleChanged`) once `tx` has committed.
 */
export async function syncSchedule(
  tx: SqlExecutor,
  owner: ScheduleOwner,
  settings: ScheduleSettings,
): Promise<void> {
  const id = ownerId(owner);
  const previous = await getSchedule(tx, id);
  if (settings.cron === null) {
    if (previous) await deleteSchedule(tx, id);
    return;
  }
  const next = previous?.paused ? null : await nextFireAfterNow(tx, settings.cron, settings.timezone);
  await upsertSchedule(tx, owner, settings, next);
  if (previous?.paused) await setPaused(tx, id, true, null);
}

/**
 * The schedule of a job or a workflow (by its id) with its description, next fire times and what
 * became of recent ones; undefined when it has none.
 */
export async function scheduleDetails(
  db: SqlExecutor,
  id: string,
  upcoming = 5,
  recent = 20,
): Promise<ScheduleDetails | undefined> {
  const schedule = await getSchedule(db, id);
  if (!schedule) return undefined;
  const cron = CronSchedule.parse(schedule.cron, schedule.timezone);
  const now = await databaseNow(db);
  return {
    schedule,
    description: describeCron(schedule.cron, schedule.timezone),
    nextFireTimes: schedule.paused ? [] : cron.upcoming(new Date(now.getTime() - 1), upcoming),
    recentFires: await listRecentFires(db, id, recent),
  };
}
