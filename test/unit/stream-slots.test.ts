import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../src/errors.js';
import { compareCursors } from '../../src/events/event-feed.js';
import { createStreamSlots } from '../../src/streams/stream-slots.js';

describe('stream slots', () => {
  it('holds each owner to its share and the process to its total, giving places back once', () => {
    const slots = createStreamSlots({ perUser: 2, perProcess: 3 });
    const a1 = slots.take('user "a"');
    slots.take('user "a"');
    expect(() => slots.take('user "a"')).toThrow(/2 streams open.*TDS_STREAMS_PER_USER/);
    slots.take('user "b"');
    let refused: unknown;
    try {
      slots.take('user "c"');
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).retryAfterSeconds).toBe(10);
    expect((refused as RateLimitedError).message).toMatch(/TDS_STREAMS_PER_PROCESS/);
    a1();
    a1(); // a second release gives nothing more back
    expect(slots.open).toBe(2);
    slots.take('user "c"');
    expect(() => slots.take('user "d"')).toThrow(RateLimitedError);
  });
});

describe('event cursors', () => {
  it('compare by transaction, then id, as numbers', () => {
    expect(compareCursors({ xact: '9', id: '10' }, { xact: '10', id: '1' })).toBe(-1);
    expect(compareCursors({ xact: '10', id: '10' }, { xact: '10', id: '9' })).toBe(1);
    expect(compareCursors({ xact: '10', id: '9' }, { xact: '10', id: '9' })).toBe(0);
  });
});
