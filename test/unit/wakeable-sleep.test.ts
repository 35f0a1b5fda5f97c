import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWakeableSleep } from '../../src/wakeable-sleep.js';

describe('a wakeable sleep', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Whether `promise` has settled once pending callbacks (not timers) have run. */
  async function settled(promise: Promise<void>): Promise<boolean> {
    let done = false;
    void promise.then(() => (done = true));
    await vi.advanceTimersByTimeAsync(0);
    return done;
  }

  it('lasts its time when nothing wakes it', async () => {
    const pause = createWakeableSleep();
    const sleeping = pause.sleep(1000);
    expect(await settled(sleeping)).toBe(false);
    await vi.advanceTimersByTimeAsync(999);
    expect(await settled(sleeping)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(sleeping)).toBe(true);
  });

  it('ends at once when woken', async () => {
    const pause = createWakeableSleep();
    const sleeping = pause.sleep(60_000);
    pause.wake();
    expect(await settled(sleeping)).toBe(true);
  });

  it('keeps a wake that came while it was not sleeping: the next sleep returns at once', async () => {
    const pause = createWakeableSleep();
    pause.wake();
    expect(await settled(pause.sleep(60_000))).toBe(true);
  });

  it('counts several wakes before a sleep as one', async () => {
    const pause = createWakeableSleep();
    pause.wake();
    pause.wake();
    expect(await settled(pause.sleep(60_000))).toBe(true);
    expect(await settled(pause.sleep(60_000))).toBe(false);
  });

  it('keeps no wake that already cut a sleep short', async () => {
    const pause = createWakeableSleep();
    const first = pause.sleep(60_000);
    pause.wake();
    expect(await settled(first)).toBe(true);
    expect(await settled(pause.sleep(60_000))).toBe(false);
  });
});
