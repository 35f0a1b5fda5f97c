import { describe, expect, it } from 'vitest';
import type { CatchUpPolicy } from '../../src/jobs/job-spec.js';
import { planFires, type FirePlan } from '../../src/scheduler/plan-fires.js';

const MINUTE = 60_000;

/** `count` due times one minute apart, the first at `first`. */
function minutes(first: string, count: number): Date[] {
  return Array.from({ length: count }, (_, i) => new Date(Date.parse(first) + i * MINUTE));
}

/** ISO strings for `count` minutes from `first`, for expected values. */
function isoMinutes(first: string, count: number): string[] {
  return minutes(first, count).map((t) => t.toISOString());
}

function readable(plan: FirePlan): { fire: { at: string; catchUp: boolean }[]; missed: string[] } {
  return {
    fire: plan.fire.map((f) => ({ at: f.at.toISOString(), catchUp: f.catchUp })),
    missed: plan.missed.map((t) => t.toISOString()),
  };
}

const caughtUp = (iso: string): { at: string; catchUp: boolean } => ({ at: iso, catchUp: true });
const onTime = (iso: string): { at: string; catchUp: boolean } => ({ at: iso, catchUp: false });

// Shared setting: now is 12:00:30, a fire time more than 60 s old is late, the window reaches back
// 600 s (to 11:50:30), so the late fire times inside it are 11:51 ... 11:59 and 12:00 is on time.
const NOW = new Date('2026-01-01T12:00:30.000Z');
const TOLERANCE_MS = 60_000;
const WINDOW_SECONDS = 600;

function plan(due: Date[], policy: CatchUpPolicy, limit = 3, now = NOW, toleranceMs = TOLERANCE_MS) {
  return readable(planFires(due, now, toleranceMs, { policy, windowSeconds: WINDOW_SECONDS, limit }));
}

describe('planFires', () => {
  it.each<CatchUpPolicy>(['latest', 'all', 'skip'])(
    'fires every on-time due time, misses none (%s)',
    (policy) => {
      const due = minutes('2026-01-01T11:58:00Z', 3); // 150 s, 90 s and 30 s old, all within 180 s
      expect(plan(due, policy, 3, NOW, 180_000)).toEqual({
        fire: [
          onTime('2026-01-01T11:58:00.000Z'),
          onTime('2026-01-01T11:59:00.000Z'),
          onTime('2026-01-01T12:00:00.000Z'),
        ],
        missed: [],
      });
    },
  );

  it('returns nothing for no due times', () => {
    expect(plan([], 'all')).toEqual({ fire: [], missed: [] });
  });

  describe('latest', () => {
    it('with only late ones fires the latest one within the window, as a catch-up, and misses the rest', () => {
      const due = minutes('2026-01-01T11:45:00Z', 15); // 11:45 ... 11:59
      expect(plan(due, 'latest')).toEqual({
        fire: [caughtUp('2026-01-01T11:59:00.000Z')],
        missed: isoMinutes('2026-01-01T11:45:00Z', 14), // 11:45 ... 11:58
      });
    });

    it('with an on-time one fires only that one and misses every late one', () => {
      const due = minutes('2026-01-01T11:45:00Z', 16); // 11:45 ... 12:00
      expect(plan(due, 'latest')).toEqual({
        fire: [onTime('2026-01-01T12:00:00.000Z')],
        missed: isoMinutes('2026-01-01T11:45:00Z', 15), // 11:45 ... 11:59
      });
    });

    it('with every late one outside the window fires none and misses all', () => {
      const due = minutes('2026-01-01T11:40:00Z', 11); // 11:40 ... 11:50, all before 11:50:30
      expect(plan(due, 'latest')).toEqual({
        fire: [],
        missed: isoMinutes('2026-01-01T11:40:00Z', 11),
      });
    });
  });

  describe('all', () => {
    it('fires the most recent `limit` late ones within the window, oldest first, then the on-time ones', () => {
      const due = [...minutes('2026-01-01T11:45:00Z', 16), new Date('2026-01-01T12:00:15Z')]; // + 2 on time
      expect(plan(due, 'all', 3)).toEqual({
        fire: [
          caughtUp('2026-01-01T11:57:00.000Z'),
          caughtUp('2026-01-01T11:58:00.000Z'),
          caughtUp('2026-01-01T11:59:00.000Z'),
          onTime('2026-01-01T12:00:00.000Z'),
          onTime('2026-01-01T12:00:15.000Z'),
        ],
        missed: isoMinutes('2026-01-01T11:45:00Z', 12), // 11:45 ... 11:56
      });
    });

    it('fires every late one within the window when they are fewer than the limit', () => {
      const due = minutes('2026-01-01T11:45:00Z', 8); // 11:45 ... 11:52; inside the window: 11:51, 11:52
      expect(plan(due, 'all', 10)).toEqual({
        fire: [caughtUp('2026-01-01T11:51:00.000Z'), caughtUp('2026-01-01T11:52:00.000Z')],
        missed: isoMinutes('2026-01-01T11:45:00Z', 6), // 11:45 ... 11:50
      });
    });
  });

  describe('skip', () => {
    it('fires none of the late ones, misses them all, and still fires the on-time one', () => {
      const due = minutes('2026-01-01T11:45:00Z', 16); // 11:45 ... 12:00
      expect(plan(due, 'skip')).toEqual({
        fire: [onTime('2026-01-01T12:00:00.000Z')],
        missed: isoMinutes('2026-01-01T11:45:00Z', 15),
      });
    });

    it('fires nothing when every due time is late', () => {
      const due = minutes('2026-01-01T11:55:00Z', 5); // 11:55 ... 11:59
      expect(plan(due, 'skip')).toEqual({ fire: [], missed: isoMinutes('2026-01-01T11:55:00Z', 5) });
    });
  });

  describe('tolerance boundary', () => {
    const due = minutes('2026-01-01T11:59:00Z', 1);

    it('counts a due time exactly toleranceMs old as on time', () => {
      expect(plan(due, 'latest', 3, new Date('2026-01-01T12:00:00.000Z'))).toEqual({
        fire: [onTime('2026-01-01T11:59:00.000Z')],
        missed: [],
      });
    });

    it('counts a due time 1 ms older than that as late', () => {
      expect(plan(due, 'latest', 3, new Date('2026-01-01T12:00:00.001Z'))).toEqual({
        fire: [caughtUp('2026-01-01T11:59:00.000Z')],
        missed: [],
      });
      expect(plan(due, 'skip', 3, new Date('2026-01-01T12:00:00.001Z'))).toEqual({
        fire: [],
        missed: ['2026-01-01T11:59:00.000Z'],
      });
    });
  });

  describe('window boundary', () => {
    // With now at 12:10:00 the window starts at exactly 12:00:00.
    const due = minutes('2026-01-01T11:59:00Z', 2); // 11:59, 12:00 (both late)

    it('includes a late due time exactly windowSeconds old', () => {
      expect(plan(due, 'latest', 3, new Date('2026-01-01T12:10:00.000Z'))).toEqual({
        fire: [caughtUp('2026-01-01T12:00:00.000Z')],
        missed: ['2026-01-01T11:59:00.000Z'],
      });
      expect(plan(due, 'all', 10, new Date('2026-01-01T12:10:00.000Z'))).toEqual({
        fire: [caughtUp('2026-01-01T12:00:00.000Z')],
        missed: ['2026-01-01T11:59:00.000Z'],
      });
    });

    it('excludes it 1 ms later', () => {
      expect(plan(due, 'latest', 3, new Date('2026-01-01T12:10:00.001Z'))).toEqual({
        fire: [],
        missed: ['2026-01-01T11:59:00.000Z', '2026-01-01T12:00:00.000Z'],
      });
    });
  });
});
