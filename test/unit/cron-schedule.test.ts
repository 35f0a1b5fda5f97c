import { Cron } from 'croner';
import { describe, expect, it } from 'vitest';
import { CronSchedule, describeCron, isRepeatedWallClock } from '../../src/cron/cron-schedule.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const iso = (times: Date[]): string[] => times.map((t) => t.toISOString());
const at = (text: string): Date => new Date(text);

// ---------------------------------------------------------------------------------------------------------
// Helpers built on Intl only (independent of the code under test)
// ---------------------------------------------------------------------------------------------------------

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** The UTC offset of `timezone` at `instant`, in minutes east of UTC. */
function offsetMinutes(instant: number, timezone: string): number {
  let format = offsetFormats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'longOffset' });
    offsetFormats.set(timezone, format);
  }
  const name = format.formatToParts(new Date(instant)).find((p) => p.type === 'timeZoneName')?.value;
  if (name === undefined) throw new Error(`no offset for ${timezone}`);
  if (name === 'GMT') return 0;
  const match = /^GMT([+-])(\d\d):(\d\d)$/.exec(name);
  if (!match) throw new Error(`unexpected offset ${name}`);
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

interface Transition {
  /** The first instant with the new offset. */
  at: string;
  fromMinutes: number;
  toMinutes: number;
}

/** Offset changes during 2026, found by scanning day by day and narrowing to the minute. */
function transitions2026(timezone: string): Transition[] {
  const found: Transition[] = [];
  const start = Date.parse('2026-01-01T00:00:00Z');
  const end = Date.parse('2027-01-01T00:00:00Z');
  let previous = offsetMinutes(start, timezone);
  for (let t = start + DAY; t <= end; t += DAY) {
    const offset = offsetMinutes(t, timezone);
    if (offset === previous) continue;
    let lo = t - DAY;
    let hi = t;
    while (hi - lo > MINUTE) {
      const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
      if (offsetMinutes(mid, timezone) === previous) lo = mid;
      else hi = mid;
    }
    found.push({ at: new Date(hi).toISOString(), fromMinutes: previous, toMinutes: offset });
    previous = offset;
  }
  return found;
}

const readingFormats = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock reading of `instant` in `timezone`, e.g. "2026-10-25 02:30:00". */
function wallClockReading(instant: Date, timezone: string): string {
  let format = readingFormats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('sv-SE', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    readingFormats.set(timezone, format);
  }
  return format.format(instant);
}

/** Fire times in [from, to] per croner; `nextRun` is strictly after its argument. */
function cronerTimes(expression: string, timezone: string, from: Date, to: Date): Date[] {
  const cron = new Cron(expression, { timezone, paused: true });
  const times: Date[] = [];
  let next = cron.nextRun(new Date(from.getTime() - 1));
  while (next && next.getTime() <= to.getTime()) {
    times.push(next);
    next = cron.nextRun(next);
  }
  return times;
}

// ---------------------------------------------------------------------------------------------------------
// a. Independent comparison with croner
// ---------------------------------------------------------------------------------------------------------

const TIMEZONES = [
  'UTC',
  'Europe/Paris',
  'Europe/London',
  'America/New_York',
  'America/Sao_Paulo',
  'Australia/Sydney',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  'Pacific/Chatham',
];
const EXPRESSIONS = [
  '30 2 * * *',
  '0 * * * *',
  '*/15 * * * *',
  '30 1 * * 0',
  '0 0 1 * *',
  '0 30 2 * * *',
  '15 */2 * * *',
];
const FREQUENT = new Set(['0 * * * *', '*/15 * * * *', '15 */2 * * *']);
/** Centres of the 3-day windows for zones with no 2026 transition, so their comparisons are not empty. */
const FALLBACK_CENTRES = ['2026-03-29T01:00:00.000Z', '2026-11-01T06:00:00.000Z'];

describe('2026 offset transitions found with Intl', () => {
  it('are the expected ones for every zone compared', () => {
    const found = Object.fromEntries(TIMEZONES.map((tz) => [tz, transitions2026(tz)]));
    const t = (when: string, fromMinutes: number, toMinutes: number): Transition => ({
      at: when,
      fromMinutes,
      toMinutes,
    });
    expect(found).toEqual({
      UTC: [],
      'Europe/Paris': [t('2026-03-29T01:00:00.000Z', 60, 120), t('2026-10-25T01:00:00.000Z', 120, 60)],
      'Europe/London': [t('2026-03-29T01:00:00.000Z', 0, 60), t('2026-10-25T01:00:00.000Z', 60, 0)],
      'America/New_York': [
        t('2026-03-08T07:00:00.000Z', -300, -240),
        t('2026-11-01T06:00:00.000Z', -240, -300),
      ],
      'America/Sao_Paulo': [],
      'Australia/Sydney': [t('2026-04-04T16:00:00.000Z', 660, 600), t('2026-10-03T16:00:00.000Z', 600, 660)],
      'Australia/Lord_Howe': [
        t('2026-04-04T15:00:00.000Z', 660, 630),
        t('2026-10-03T15:30:00.000Z', 630, 660),
      ],
      'Asia/Kolkata': [],
      'Pacific/Chatham': [t('2026-04-04T14:00:00.000Z', 825, 765), t('2026-09-26T14:00:00.000Z', 765, 825)],
    });
  });
});

describe('CronSchedule agrees with croner', () => {
  const transitionsByZone = new Map(TIMEZONES.map((tz) => [tz, transitions2026(tz)]));

  /**
   * croner fires a repeated autumn wall-clock time at its second occurrence in Europe/Paris,
   * Europe/London, Australia/Sydney, Australia/Lord_Howe and Pacific/Chatham (the documented behaviour,
   * and CronSchedule's, is the first). Inside a repeated stretch the comparison is therefore narrowed to
   * the wall-clock readings fired (each must fire exactly once in both); the instants there are pinned
   * by the targeted tests below.
   */
  function split(times: Date[], timezone: string): { instants: string[]; repeatedReadings: string[] } {
    const repeated = (transitionsByZone.get(timezone) ?? [])
      .filter((t) => t.toMinutes < t.fromMinutes)
      .map((t) => {
        const shift = (t.fromMinutes - t.toMinutes) * MINUTE;
        return { start: Date.parse(t.at) - shift, end: Date.parse(t.at) + shift };
      });
    const instants: string[] = [];
    const repeatedReadings: string[] = [];
    for (const time of times) {
      const inside = repeated.some((r) => time.getTime() >= r.start && time.getTime() < r.end);
      if (inside) repeatedReadings.push(wallClockReading(time, timezone));
      else instants.push(time.toISOString());
    }
    return { instants, repeatedReadings: repeatedReadings.sort() };
  }

  /** [label, from, to]: the whole year for daily and monthly schedules, else 3 days around each change. */
  function windows(expression: string, timezone: string): [string, Date, Date][] {
    if (!FREQUENT.has(expression)) return [['2026', at('2026-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z')]];
    const found = (transitionsByZone.get(timezone) ?? []).map((t) => t.at);
    const centres = found.length > 0 ? found : FALLBACK_CENTRES;
    return centres.map((c) => [c, new Date(Date.parse(c) - 1.5 * DAY), new Date(Date.parse(c) + 1.5 * DAY)]);
  }

  for (const timezone of TIMEZONES) {
    for (const expression of EXPRESSIONS) {
      for (const [label, from, to] of windows(expression, timezone)) {
        const name = `${timezone} '${expression}' ${label === '2026' ? 'over 2026' : `within 36 h of ${label}`}`;
        const body = (): void => {
          const ours = CronSchedule.parse(expression, timezone).between(from, to, 100_000);
          const theirs = cronerTimes(expression, timezone, from, to);
          expect(theirs.length).toBeGreaterThan(0);
          expect(split(ours, timezone)).toEqual(split(theirs, timezone));
        };
        it(name, body);
      }
    }
  }
});

// ---------------------------------------------------------------------------------------------------------
// b. Targeted DST cases
// ---------------------------------------------------------------------------------------------------------

describe('CronSchedule across DST changes', () => {
  it('fires 02:30 Europe/Paris on the spring-forward day right after the jump (03:30 CEST)', () => {
    const schedule = CronSchedule.parse('30 2 * * *', 'Europe/Paris');
    expect(iso(schedule.between(at('2026-03-28T12:00:00Z'), at('2026-03-30T12:00:00Z'), 10))).toEqual([
      '2026-03-29T01:30:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
  });

  // croner's nextRun differs here: from a point after the jump it skips the shifted fire time and gives the
  // next day (2026-03-30T00:30Z, 2026-03-09T06:30Z), though its own fire-to-fire enumeration includes it.
  it('finds the shifted fire time from a point between the jump and that time', () => {
    const paris = CronSchedule.parse('30 2 * * *', 'Europe/Paris');
    expect(paris.nextAfter(at('2026-03-29T01:00:00Z'))?.toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(paris.nextAfter(at('2026-03-29T01:29:59.999Z'))?.toISOString()).toBe('2026-03-29T01:30:00.000Z');
    const newYork = CronSchedule.parse('30 2 * * *', 'America/New_York');
    expect(newYork.nextAfter(at('2026-03-08T07:10:00Z'))?.toISOString()).toBe('2026-03-08T07:30:00.000Z');
  });

  it('fires 01:30 America/New_York on the fall-back day once, at the first occurrence (EDT)', () => {
    const schedule = CronSchedule.parse('30 1 * * *', 'America/New_York');
    expect(iso(schedule.between(at('2026-10-31T12:00:00Z'), at('2026-11-02T12:00:00Z'), 10))).toEqual([
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('does not fire an hourly America/New_York job at the second 01:00', () => {
    const schedule = CronSchedule.parse('0 * * * *', 'America/New_York');
    expect(iso(schedule.upcoming(at('2026-11-01T03:30:00Z'), 3))).toEqual([
      '2026-11-01T04:00:00.000Z',
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T07:00:00.000Z',
    ]);
  });

  it('fires 02:30 Australia/Sydney once on 2026-04-05 (03:00 AEDT -> 02:00 AEST), at 02:30 AEDT', () => {
    const schedule = CronSchedule.parse('30 2 * * *', 'Australia/Sydney');
    // 2026-04-05 local runs from 00:00 AEDT (13:00Z on the 4th) to 24:00 AEST (14:00Z on the 5th).
    expect(iso(schedule.between(at('2026-04-04T13:00:00Z'), at('2026-04-05T13:59:59.999Z'), 10))).toEqual([
      '2026-04-04T15:30:00.000Z',
    ]);
    expect(iso(schedule.between(at('2026-04-03T12:00:00Z'), at('2026-04-06T00:00:00Z'), 10))).toEqual([
      '2026-04-03T15:30:00.000Z',
      '2026-04-04T15:30:00.000Z',
      '2026-04-05T16:30:00.000Z',
    ]);
  });

  it('fires 02:15 Australia/Lord_Howe once on 2026-10-04, right after the 30-minute jump', () => {
    const schedule = CronSchedule.parse('15 2 * * *', 'Australia/Lord_Howe');
    expect(iso(schedule.between(at('2026-10-02T12:00:00Z'), at('2026-10-05T00:00:00Z'), 10))).toEqual([
      '2026-10-02T15:45:00.000Z',
      '2026-10-03T15:45:00.000Z',
      '2026-10-04T15:15:00.000Z',
    ]);
  });

  describe('repeated autumn times, where croner fires the second occurrence', () => {
    it('Europe/Paris 02:30 on 2026-10-25 fires at 02:30 CEST only', () => {
      const schedule = CronSchedule.parse('30 2 * * *', 'Europe/Paris');
      expect(iso(schedule.between(at('2026-10-23T12:00:00Z'), at('2026-10-26T12:00:00Z'), 10))).toEqual([
        '2026-10-24T00:30:00.000Z',
        '2026-10-25T00:30:00.000Z',
        '2026-10-26T01:30:00.000Z',
      ]);
    });

    it('Europe/Paris every 15 minutes skips the second 02:00-02:45', () => {
      const schedule = CronSchedule.parse('*/15 * * * *', 'Europe/Paris');
      expect(iso(schedule.between(at('2026-10-24T23:30:00Z'), at('2026-10-25T02:15:00Z'), 20))).toEqual([
        '2026-10-24T23:30:00.000Z',
        '2026-10-24T23:45:00.000Z',
        '2026-10-25T00:00:00.000Z',
        '2026-10-25T00:15:00.000Z',
        '2026-10-25T00:30:00.000Z',
        '2026-10-25T00:45:00.000Z',
        '2026-10-25T02:00:00.000Z',
        '2026-10-25T02:15:00.000Z',
      ]);
    });

    it('Europe/London Sunday 01:30 fires at 01:30 BST on 2026-10-25', () => {
      const schedule = CronSchedule.parse('30 1 * * 0', 'Europe/London');
      expect(iso(schedule.between(at('2026-10-17T00:00:00Z'), at('2026-11-02T00:00:00Z'), 10))).toEqual([
        '2026-10-18T00:30:00.000Z',
        '2026-10-25T00:30:00.000Z',
        '2026-11-01T01:30:00.000Z',
      ]);
    });

    it('Australia/Sydney hourly does not fire at the second 02:00 on 2026-04-05', () => {
      const schedule = CronSchedule.parse('0 * * * *', 'Australia/Sydney');
      expect(iso(schedule.between(at('2026-04-04T14:00:00Z'), at('2026-04-04T17:00:00Z'), 10))).toEqual([
        '2026-04-04T14:00:00.000Z',
        '2026-04-04T15:00:00.000Z',
        '2026-04-04T17:00:00.000Z',
      ]);
    });

    it('Australia/Lord_Howe every 15 minutes skips the second 01:30 and 01:45 (30-minute fall-back)', () => {
      const schedule = CronSchedule.parse('*/15 * * * *', 'Australia/Lord_Howe');
      expect(iso(schedule.between(at('2026-04-04T14:00:00Z'), at('2026-04-04T15:30:00Z'), 10))).toEqual([
        '2026-04-04T14:00:00.000Z',
        '2026-04-04T14:15:00.000Z',
        '2026-04-04T14:30:00.000Z',
        '2026-04-04T14:45:00.000Z',
        '2026-04-04T15:30:00.000Z',
      ]);
    });

    it('Pacific/Chatham hourly fires 03:00 once, at 03:00 CHADT, on 2026-04-05', () => {
      const schedule = CronSchedule.parse('0 * * * *', 'Pacific/Chatham');
      expect(iso(schedule.between(at('2026-04-04T12:00:00Z'), at('2026-04-04T16:00:00Z'), 10))).toEqual([
        '2026-04-04T12:15:00.000Z',
        '2026-04-04T13:15:00.000Z',
        '2026-04-04T15:15:00.000Z',
      ]);
    });
  });

  describe('Lord Howe (30-minute shift) and Chatham (45-minute offsets)', () => {
    it('Pacific/Chatham every 15 minutes goes on through the April change (02:45-03:30 repeat once)', () => {
      const schedule = CronSchedule.parse('*/15 * * * *', 'Pacific/Chatham');
      expect(iso(schedule.between(at('2026-04-04T12:31:00Z'), at('2026-04-04T15:15:00Z'), 20))).toEqual([
        '2026-04-04T12:45:00.000Z',
        '2026-04-04T13:00:00.000Z',
        '2026-04-04T13:15:00.000Z',
        '2026-04-04T13:30:00.000Z',
        '2026-04-04T13:45:00.000Z',
        '2026-04-04T15:00:00.000Z',
        '2026-04-04T15:15:00.000Z',
      ]);
    });

    it('Australia/Lord_Howe hourly keeps firing after the April change', () => {
      const schedule = CronSchedule.parse('0 * * * *', 'Australia/Lord_Howe');
      expect(iso(schedule.upcoming(at('2026-04-04T14:00:00Z'), 3))).toEqual([
        '2026-04-04T15:30:00.000Z',
        '2026-04-04T16:30:00.000Z',
        '2026-04-04T17:30:00.000Z',
      ]);
    });

    it('Australia/Lord_Howe daily 02:15 keeps firing after the April change', () => {
      const schedule = CronSchedule.parse('15 2 * * *', 'Australia/Lord_Howe');
      expect(schedule.nextAfter(at('2026-04-03T15:15:00Z'))?.toISOString()).toBe('2026-04-04T15:45:00.000Z');
    });

    it('Australia/Lord_Howe hourly fires the skipped 02:00 at 02:30 LHDT', () => {
      const schedule = CronSchedule.parse('0 * * * *', 'Australia/Lord_Howe');
      expect(iso(schedule.between(at('2026-10-03T14:00:00Z'), at('2026-10-03T16:30:00Z'), 10))).toEqual([
        '2026-10-03T14:30:00.000Z',
        '2026-10-03T15:30:00.000Z',
        '2026-10-03T16:00:00.000Z',
      ]);
    });

    it('Australia/Lord_Howe every 15 minutes fires 02:30 and 02:45 LHDT on 2026-10-04', () => {
      const schedule = CronSchedule.parse('*/15 * * * *', 'Australia/Lord_Howe');
      expect(iso(schedule.between(at('2026-10-03T15:00:00Z'), at('2026-10-03T16:00:00Z'), 10))).toEqual([
        '2026-10-03T15:00:00.000Z',
        '2026-10-03T15:15:00.000Z',
        '2026-10-03T15:30:00.000Z',
        '2026-10-03T15:45:00.000Z',
        '2026-10-03T16:00:00.000Z',
      ]);
    });

    it('Pacific/Chatham every 15 minutes fires 02:00-02:30 and 03:45 on 2026-09-27', () => {
      const schedule = CronSchedule.parse('*/15 * * * *', 'Pacific/Chatham');
      expect(iso(schedule.between(at('2026-09-26T12:45:00Z'), at('2026-09-26T14:15:00Z'), 10))).toEqual([
        '2026-09-26T12:45:00.000Z',
        '2026-09-26T13:00:00.000Z',
        '2026-09-26T13:15:00.000Z',
        '2026-09-26T13:30:00.000Z',
        '2026-09-26T13:45:00.000Z',
        '2026-09-26T14:00:00.000Z',
        '2026-09-26T14:15:00.000Z',
      ]);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// c. isRepeatedWallClock
// ---------------------------------------------------------------------------------------------------------

describe('isRepeatedWallClock', () => {
  it('is true for the second 01:30 in America/New_York on 2026-11-01 and false for the first', () => {
    expect(isRepeatedWallClock(at('2026-11-01T06:30:00Z'), 'America/New_York')).toBe(true);
    expect(isRepeatedWallClock(at('2026-11-01T05:30:00Z'), 'America/New_York')).toBe(false);
  });

  it('is true exactly for the repeated hour 06:00Z-06:59Z on 2026-11-01 in America/New_York', () => {
    const repeated: string[] = [];
    for (
      let t = Date.parse('2026-11-01T00:00:00Z');
      t < Date.parse('2026-11-02T00:00:00Z');
      t += 15 * MINUTE
    ) {
      if (isRepeatedWallClock(new Date(t), 'America/New_York')) repeated.push(new Date(t).toISOString());
    }
    expect(repeated).toEqual([
      '2026-11-01T06:00:00.000Z',
      '2026-11-01T06:15:00.000Z',
      '2026-11-01T06:30:00.000Z',
      '2026-11-01T06:45:00.000Z',
    ]);
  });

  it('is false for every hour of a day in Asia/Kolkata', () => {
    const results: boolean[] = [];
    for (let hour = 0; hour < 24; hour += 1) {
      results.push(
        isRepeatedWallClock(new Date(Date.parse('2026-11-01T00:00:00Z') + hour * HOUR), 'Asia/Kolkata'),
      );
    }
    expect(results).toEqual(Array.from({ length: 24 }, () => false));
  });
});

// ---------------------------------------------------------------------------------------------------------
// d. between, upcoming, nextAfter
// ---------------------------------------------------------------------------------------------------------

describe('CronSchedule.between / upcoming / nextAfter', () => {
  const hourly = CronSchedule.parse('0 * * * *', 'UTC');

  it('between includes both ends', () => {
    expect(iso(hourly.between(at('2026-01-01T00:00:00Z'), at('2026-01-01T03:00:00Z'), 100))).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-01-01T01:00:00.000Z',
      '2026-01-01T02:00:00.000Z',
      '2026-01-01T03:00:00.000Z',
    ]);
  });

  it('between excludes times just outside either end', () => {
    expect(iso(hourly.between(at('2026-01-01T00:00:00.001Z'), at('2026-01-01T02:59:59.999Z'), 100))).toEqual([
      '2026-01-01T01:00:00.000Z',
      '2026-01-01T02:00:00.000Z',
    ]);
  });

  it('between returns the single fire time when from equals to and is a fire time', () => {
    expect(iso(hourly.between(at('2026-01-01T05:00:00Z'), at('2026-01-01T05:00:00Z'), 100))).toEqual([
      '2026-01-01T05:00:00.000Z',
    ]);
  });

  it('between returns at most limit times, the earliest ones', () => {
    expect(iso(hourly.between(at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z'), 2))).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-01-01T01:00:00.000Z',
    ]);
  });

  it('between is empty when from is after to', () => {
    expect(hourly.between(at('2026-01-01T03:00:00Z'), at('2026-01-01T00:00:00Z'), 100)).toEqual([]);
  });

  it('due gives the times in [from, to] and the first fire time after them', () => {
    const due = hourly.due(at('2026-01-01T00:00:00Z'), at('2026-01-01T03:00:00Z'), 100);
    expect({ times: iso(due.times), next: due.next?.toISOString() }).toEqual({
      times: [
        '2026-01-01T00:00:00.000Z',
        '2026-01-01T01:00:00.000Z',
        '2026-01-01T02:00:00.000Z',
        '2026-01-01T03:00:00.000Z',
      ],
      next: '2026-01-01T04:00:00.000Z',
    });
  });

  it('due with a limit gives the earliest times and, as next, the first one left out', () => {
    const due = hourly.due(at('2026-01-01T00:00:00Z'), at('2026-01-01T03:00:00Z'), 2);
    expect({ times: iso(due.times), next: due.next?.toISOString() }).toEqual({
      times: ['2026-01-01T00:00:00.000Z', '2026-01-01T01:00:00.000Z'],
      next: '2026-01-01T02:00:00.000Z',
    });
  });

  it('upcoming gives count times strictly after the given instant', () => {
    expect(iso(hourly.upcoming(at('2026-01-01T00:00:00Z'), 3))).toEqual([
      '2026-01-01T01:00:00.000Z',
      '2026-01-01T02:00:00.000Z',
      '2026-01-01T03:00:00.000Z',
    ]);
  });

  it('nextAfter of a fire time is the following one', () => {
    expect(hourly.nextAfter(at('2026-01-01T05:00:00Z'))?.toISOString()).toBe('2026-01-01T06:00:00.000Z');
    expect(hourly.nextAfter(at('2026-01-01T04:59:59.999Z'))?.toISOString()).toBe('2026-01-01T05:00:00.000Z');
  });

  it('reads a 6-field expression with seconds first', () => {
    const schedule = CronSchedule.parse('30 0 12 * * *', 'UTC');
    expect(schedule.nextAfter(at('2026-01-01T00:00:00Z'))?.toISOString()).toBe('2026-01-01T12:00:30.000Z');
  });

  // Actual behaviour: an impossible date (31 February) is rejected by parse, so nextAfter never sees it
  // (its doc comment's "undefined ... e.g. 30 February" case cannot be reached that way).
  it('parse throws for 31 February', () => {
    expect(() => CronSchedule.parse('0 0 31 2 *', 'UTC')).toThrow(/day of month/);
  });

  it('nextAfter finds a rare date (29 February) years ahead', () => {
    const schedule = CronSchedule.parse('0 0 29 2 *', 'UTC');
    expect(schedule.nextAfter(at('2026-01-01T00:00:00Z'))?.toISOString()).toBe('2028-02-29T00:00:00.000Z');
  });

  it('parse throws for an invalid expression', () => {
    expect(() => CronSchedule.parse('nonsense', 'UTC')).toThrow();
  });

  it('parse throws for an invalid timezone', () => {
    expect(() => CronSchedule.parse('0 0 * * *', 'Mars/Olympus')).toThrow();
  });
});

// ---------------------------------------------------------------------------------------------------------
// e. describeCron
// ---------------------------------------------------------------------------------------------------------

describe('describeCron', () => {
  it('describes every 5 minutes in UTC', () => {
    expect(describeCron('*/5 * * * *', 'UTC')).toBe('Every 5 minutes (UTC)');
  });

  it('describes a daily 02:00 in Europe/Paris with the time and the zone', () => {
    const text = describeCron('0 2 * * *', 'Europe/Paris');
    expect(text).toContain('02:00');
    expect(text).toContain('Europe/Paris');
  });

  it('falls back to the expression when it cannot be described', () => {
    expect(describeCron('nonsense', 'UTC')).toBe('nonsense (UTC)');
  });
});
