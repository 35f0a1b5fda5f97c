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

const DAY_MS = 86_400_000;
/** Wider than any daylight-saving shift: beyond it, a change of offset cannot reorder fire times. */
const NEAR_CHANGE_MS = LONGEST_SHIFT_MS + 1000;

/**
 * The expression is evaluated in UTC over wall-clock times (where there is no daylight saving),
 * and each wall-clock time is then placed in the zone with the zone's real offsets. This keeps the
 * zone's arithmetic out of the cron library, so zones with 30- or 45-minute offsets and shifts
 * (Australia/Lord_Howe, Pacific/Chatham) follow the same rules as every other.
 */
export class CronSchedule {
  /** UTC offsets by 15-minute bucket: zones change offset only on quarter hours. */
  private readonly offsets = new Map<number, number>();

  private constructor(
    readonly expression: string,
    readonly timezone: string,
    private readonly wallClockTimes: CronExpression,
  ) {}

  /** Throws when the expression or the timezone is not valid. */
  static parse(expression: string, timezone: string): CronSchedule {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone }); // throws RangeError for an unknown zone
    return new CronSchedule(expression, timezone, CronExpressionParser.parse(expression, { tz: 'UTC' }));
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

  /** The wall-clock reading of an instant, as milliseconds of a UTC clock showing it. */
  private wallClockOf(instant: number): number {
    return instant + this.offsetAt(instant);
  }

  /**
   * How far fire times near `instant` can be out of wall-clock order: the size of a change of
   * offset within NEAR_CHANGE_MS of it (and a second), or 0 when there is none.
   */
  private reorderWindow(instant: number): number {
    const shift = Math.abs(this.offsetAt(instant + NEAR_CHANGE_MS) - this.offsetAt(instant - NEAR_CHANGE_MS));
    return shift === 0 ? 0 : shift + 1000;
  }

  /**
   * The instant a wall-clock time fires at: its only occurrence; the first of two (autumn); or,
   * when it does not exist (spring gap), the instant it names under the offset before the jump,
   * which lies just after the jump.
   */
  private instantOf(wallClock: number): number {
    const before = this.offsetAt(wallClock - DAY_MS);
    const after = this.offsetAt(wallClock + DAY_MS);
    let first: number | undefined;
    for (const offset of before === after ? [before] : [before, after]) {
      const instant = wallClock - offset;
      if (this.offsetAt(instant) === offset && (first === undefined || instant < first)) first = instant;
    }
    return first ?? wallClock - before;
  }

  /** The first fire time strictly after `after`, or undefined when there is none. */
  nextAfter(after: Date): Date | undefined {
    const limit = after.getTime();
    // Near a change of offset, wall-clock times a little before `after`'s reading may fire after it.
    const start = this.wallClockOf(limit) - this.reorderWindow(limit);
    this.wallClockTimes.reset(new Date(start));
    let best: number | undefined;
    let lastWallClock = Infinity;
    // Bounded: the length of a shift of a per-second expression near a change, a few steps elsewhere.
    for (let i = 0; i < 20_000 && this.wallClockTimes.hasNext(); i += 1) {
      const wallClock = this.wallClockTimes.next().getTime();
      if (wallClock > lastWallClock) break;
      const instant = this.instantOf(wallClock);
      if (instant <= limit || (best !== undefined && instant >= best)) continue;
      best = instant;
      // Far from a change, later wall-clock times fire later: this one is the next. Near one, a
      // later wall-clock time may still fire earlier (the times just past a spring gap).
      const window = this.reorderWindow(instant);
      lastWallClock = window > 0 ? this.wallClockOf(instant) + window : wallClock;
    }
    return best === undefined ? undefined : new Date(best);
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
