import { CronExpressionParser, type CronExpression } from 'cron-parser';
import cronstrue from 'cronstrue';

/**
 * Fire times of a cron expression read in an IANA timezone, through daylight-saving changes:
 *
 * - A wall-clock time skipped by the spring-forward jump fires right after the jump, shifted by it
 *   (02:30 in Europe/Paris on the last Sunday of March fires at 03:30 CEST).
 * - A wall-clock time that occurs twice in the autumn fires once, at its first occurrence
 *   (01:30 in America/New_York on the first Sunday of November fires at 01:30 EDT only; an hourly
 *   job does not fire twice at 01:00).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(instant: Date, timezone: string): string {
  let format = formatters.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timezone, format);
  }
  return format.format(instant);
}

/** Daylight-saving shifts in use are 30 minutes, one hour or two hours. */
const SHIFTS_MS = [30 * 60_000, 60 * 60_000, 120 * 60_000];
const LONGEST_SHIFT_MS = 120 * 60_000;
const QUARTER_HOUR_MS = 15 * 60_000;

/** The zone's offset from UTC at `instant`, in milliseconds. */
function offsetAt(instant: Date, timezone: string): number {
  const [date, time] = wallClock(instant, timezone).split(', ');
  const [y, m, d] = date!.split('-').map(Number);
  const [hh, mm, ss] = time!.split(':').map(Number);
  const local = Date.UTC(y!, m! - 1, d!, hh!, mm!, ss!);
  return local - Math.floor(instant.getTime() / 1000) * 1000;
}

/** True when the wall-clock reading of `instant` already occurred earlier (the repeated autumn hour). */
export function isRepeatedWallClock(instant: Date, timezone: string): boolean {
  const reading = wallClock(instant, timezone);
  return SHIFTS_MS.some((shift) => wallClock(new Date(instant.getTime() - shift), timezone) === reading);
}

export class CronSchedule {
  /** UTC offsets by 15-minute bucket: zones change offset only on quarter hours. */
  private readonly offsets = new Map<number, number>();

  private constructor(
    readonly expression: string,
    readonly timezone: string,
    private readonly parsed: CronExpression,
  ) {}

  /** Throws when the expression or timezone is not valid. */
  static parse(expression: string, timezone: string): CronSchedule {
    return new CronSchedule(expression, timezone, CronExpressionParser.parse(expression, { tz: timezone }));
  }

  private offsetAt(instant: number): number {
    const bucket = Math.floor(instant / QUARTER_HOUR_MS);
    let offset = this.offsets.get(bucket);
    if (offset === undefined) {
      if (this.offsets.size > 10_000) this.offsets.clear();
      offset = offsetAt(new Date(bucket * QUARTER_HOUR_MS), this.timezone);
      this.offsets.set(bucket, offset);
    }
    return offset;
  }

  /**
   * When the zone's offset changed during the longest shift before `after`, the instant just before
   * that change; undefined otherwise. A fire time whose wall-clock time fell in a spring-forward gap
   * lands right after the jump, and is only found by a search that starts before the jump.
   */
  private changeBefore(after: Date): Date | undefined {
    let low = after.getTime() - LONGEST_SHIFT_MS - 1000;
    let high = after.getTime();
    const before = this.offsetAt(low);
    if (before === this.offsetAt(high)) return undefined;
    while (high - low > 1000) {
      const middle = low + Math.floor((high - low) / 2);
      if (this.offsetAt(middle) === before) low = middle;
      else high = middle;
    }
    return new Date(low);
  }

  /** True when the wall-clock reading of `instant` already occurred earlier (the repeated autumn hour). */
  private isRepeated(instant: Date): boolean {
    const t = instant.getTime();
    if (this.offsetAt(t - LONGEST_SHIFT_MS) === this.offsetAt(t)) return false;
    return isRepeatedWallClock(instant, this.timezone);
  }

  /** The first fire time strictly after `after`, or undefined when there is none. */
  nextAfter(after: Date): Date | undefined {
    this.parsed.reset(this.changeBefore(after) ?? after);
    // Times before `after` (when starting before a change) and repeated wall-clock times are
    // passed over; the bound (two hours of a per-second schedule, and more) guards the loop.
    for (let i = 0; i < 20_000; i += 1) {
      if (!this.parsed.hasNext()) return undefined;
      const next = this.parsed.next().toDate();
      if (next.getTime() <= after.getTime()) continue;
      if (!this.isRepeated(next)) return next;
    }
    return undefined;
  }

  /**
   * Fire times in [from, to], oldest first, at most `limit` of them (the earliest ones), and the
   * first fire time after them.
   */
  due(from: Date, to: Date, limit: number): { times: Date[]; next: Date | undefined } {
    const times: Date[] = [];
    let next = this.nextAfter(new Date(from.getTime() - 1));
    while (next && next.getTime() <= to.getTime() && times.length < limit) {
      times.push(next);
      next = this.nextAfter(next);
    }
    return { times, next };
  }

  /** Fire times in [from, to], oldest first, at most `limit` of them (the earliest ones). */
  between(from: Date, to: Date, limit: number): Date[] {
    return this.due(from, to, limit).times;
  }

  /** The next `count` fire times after `after`. */
  upcoming(after: Date, count: number): Date[] {
    const times: Date[] = [];
    let next = this.nextAfter(after);
    while (next && times.length < count) {
      times.push(next);
      next = this.nextAfter(next);
    }
    return times;
  }
}

/** A sentence for people: "At 02:00 AM (Europe/Paris)". */
export function describeCron(expression: string, timezone: string): string {
  try {
    return `${cronstrue.toString(expression, { use24HourTimeFormat: true, verbose: false })} (${timezone})`;
  } catch {
    return `${expression} (${timezone})`;
  }
}
