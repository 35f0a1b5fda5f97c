import { CronSchedule } from '../cron/cron-schedule.js';

/** Finds the parsed expression of a schedule; see `createCronCache`. */
export type CronOf = (schedule: { cron: string; timezone: string }) => CronSchedule;

/** The most expressions kept; past it the cache starts again (a tenant can register many). */
const MAX_CACHED = 10_000;

/** Parsed expressions are kept: parsing costs far more than finding the next fire time. */
export function createCronCache(): CronOf {
  const crons = new Map<string, CronSchedule>();
  return (schedule) => {
    const key = `${schedule.timezone} ${schedule.cron}`;
    let cron = crons.get(key);
    if (!cron) {
      if (crons.size >= MAX_CACHED) crons.clear();
      cron = CronSchedule.parse(schedule.cron, schedule.timezone);
      crons.set(key, cron);
    }
    return cron;
  };
}
