import Type, { type Static } from 'typebox';
import type { CronSchedule } from '../cron/cron-schedule.js';
import { ValidationError, type Problem } from '../errors.js';

/**
 * Backfill: the fire times of a definition's cron in a past period, `[from, to)` read in its
 * timezone, each queued as a run of its own with that fire time as its `scheduledFor` (so its
 * `${TODAY}`, TDS_SCHEDULED_FOR and TDS_RUN_DATE are that fire's). The period lies in the past:
 * `to` after the database's clock is refused (the scheduler fires what is to come), and so is a
 * `to` not after `from`. At most TDS_BACKFILL_MAX_RUNS fire times; a period with more is refused
 * whole, never cut short.
 */

export const BackfillRequestSchema = Type.Object(
  {
    from: Type.String({
      maxLength: 40,
      description:
        'the start of the period, an ISO 8601 instant with its offset, such as 2026-03-01T00:00:00Z (a fire time at it is included)',
    }),
    to: Type.String({
      maxLength: 40,
      description:
        'the end of the period, an ISO 8601 instant with its offset, not after now (a fire time at it is left out)',
    }),
  },
  { additionalProperties: false },
);

export type BackfillRequest = Static<typeof BackfillRequestSchema>;

/** An ISO 8601 instant with its offset: anchored, each part a bounded run of one class (linear). */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

function instant(field: 'from' | 'to', text: string, problems: Problem[]): Date {
  const at = new Date(INSTANT.test(text) ? text : Number.NaN);
  if (Number.isNaN(at.getTime()))
    problems.push({
      path: `/${field}`,
      message: `${field} is not an ISO 8601 instant with its offset, such as 2026-03-01T00:00:00Z: "${text}"`,
    });
  return at;
}

/** The period of a request, checked against `now` (the database's clock). Throws a 400 naming each problem. */
export function backfillPeriod(request: BackfillRequest, now: Date): { from: Date; to: Date } {
  const problems: Problem[] = [];
  const from = instant('from', request.from, problems);
  const to = instant('to', request.to, problems);
  if (problems.length === 0 && to.getTime() <= from.getTime())
    problems.push({
      path: '/to',
      message: `to (${to.toISOString()}) must come after from (${from.toISOString()}): the period is [from, to)`,
    });
  if (problems.length === 0 && to.getTime() > now.getTime())
    problems.push({
      path: '/to',
      message: `to (${to.toISOString()}) is after now (${now.toISOString()}): a backfill covers past fire times only; the schedule fires the ones to come`,
    });
  if (problems.length > 0) throw ValidationError.of(problems);
  return { from, to };
}

/**
 * The fire times of `cron` in `[from, to)`, oldest first. Throws a 400 naming TDS_BACKFILL_MAX_RUNS
 * when there are more than `maxRuns` (found by enumerating at most one past the bound).
 */
export function backfillFireTimes(
  cron: CronSchedule,
  period: { from: Date; to: Date },
  maxRuns: number,
): Date[] {
  const times = cron.between(period.from, new Date(period.to.getTime() - 1), maxRuns + 1);
  if (times.length > maxRuns) {
    throw ValidationError.of([
      {
        path: '/to',
        message: `the period holds more than ${maxRuns} fire times of "${cron.expression}" (${cron.timezone}), the most one backfill queues (TDS_BACKFILL_MAX_RUNS): backfill a shorter period, in parts`,
      },
    ]);
  }
  return times;
}
