import { describe, expect, it } from 'vitest';
import { createLeaseClock, type LeaseClock } from '../../src/worker/lease-clock.js';

const ids = (clock: LeaseClock, ms: number, now: number) => clock.overdue(ms, now).map((o) => o.runId);

describe('the lease clock', () => {
  it('finds the runs not renewed for longer than the fence, oldest first', () => {
    const clock = createLeaseClock();
    clock.renewed(['a'], 100);
    clock.renewed(['b'], 50);
    expect(ids(clock, 1000, 1050)).toEqual([]);
    expect(ids(clock, 1000, 1051)).toEqual(['b']);
    expect(ids(clock, 1000, 1101)).toEqual(['b', 'a']);
    clock.renewed(['a', 'b'], 1200);
    expect(ids(clock, 1000, 2100)).toEqual([]);
    expect(ids(clock, 1000, 2201)).toEqual(['a', 'b']);
    expect(clock.overdue(1000, 2201)[0]).toEqual({ runId: 'a', renewedAt: 1200 });
  });

  it('never moves a renewal back: a late answer of an older statement keeps the newer time', () => {
    const clock = createLeaseClock();
    clock.renewed(['a'], 500);
    clock.renewed(['a'], 200);
    expect(ids(clock, 1000, 1400)).toEqual([]);
    expect(ids(clock, 1000, 1501)).toEqual(['a']);
  });

  it('forgets, at a heartbeat, the runs it did not renew, but not those claimed while it was on its way', () => {
    const clock = createLeaseClock();
    clock.renewed(['ended', 'held'], 0);
    // Claimed at 150, after the heartbeat was sent at 100; its answer comes after the claim's.
    clock.renewed(['claimed'], 150);
    clock.renewed(['held'], 100, { complete: true });
    expect(ids(clock, 10, 1000).sort()).toEqual(['claimed', 'held']);
  });

  it('forgets a run it is told to', () => {
    const clock = createLeaseClock();
    clock.renewed(['a'], 0);
    clock.forget('a');
    expect(ids(clock, 10, 1000)).toEqual([]);
  });
});
