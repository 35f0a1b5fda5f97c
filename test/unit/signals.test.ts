import { describe, expect, it } from 'vitest';
import { createSignals } from '../../src/signals.js';

describe('signals', () => {
  it('reach every subscriber of the signal notified, and no other', () => {
    const signals = createSignals();
    const heard: string[] = [];
    signals.runQueued.subscribe(() => heard.push('worker'));
    signals.runQueued.subscribe(() => heard.push('dashboard'));
    signals.scheduleChanged.subscribe(() => heard.push('scheduler'));
    signals.runQueued.notify();
    expect(heard).toEqual(['worker', 'dashboard']);
  });

  it('are no longer heard once unsubscribed, and go unheard with no subscriber', () => {
    const signals = createSignals();
    let heard = 0;
    const unsubscribe = signals.cancelRequested.subscribe(() => (heard += 1));
    signals.cancelRequested.notify();
    unsubscribe();
    signals.cancelRequested.notify();
    signals.runEnded.notify();
    expect(heard).toBe(1);
  });
});
