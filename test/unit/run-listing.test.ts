import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { decodePageCursor, encodePageCursor } from '../../src/jobs/page-cursor.js';
import { checkFilter, decodeRunCursor, parseStates, parseTime } from '../../src/runs/run-listing.js';

const ID = '01900000-0000-7000-8000-000000000000';
const raw = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('page cursors', () => {
  it('give back what they were made from, to the microsecond', () => {
    const cursor = { at: '2025-01-31T09:00:00.123456Z', id: ID };
    expect(decodePageCursor(encodePageCursor(cursor))).toEqual(cursor);
  });

  it('take nothing the database could refuse or misread', () => {
    for (const made of [
      'garbage',
      '',
      raw(null),
      raw(5),
      raw({ at: '2025-01-31T09:00:00.123Z', id: ID }),
      raw({ at: '2025-02-30T09:00:00.123456Z', id: ID }),
      raw({ at: '0000-01-01T00:00:00.000000Z', id: ID }),
      raw({ at: '2025-01-31T25:00:00.123456Z', id: ID }),
      raw({ at: '2025-01-31T09:00:00.123456Z', id: 'x' }),
      raw({ at: '2025-01-31T09:00:00.123456Z' }),
    ]) {
      expect(decodePageCursor(made), made).toBeUndefined();
    }
    expect(() => decodeRunCursor('garbage')).toThrow(/^cursor is not one this service returned/);
  });
});

describe('run filters', () => {
  it('read states comma-separated, repeated or both, each once', () => {
    expect(parseStates(undefined)).toBeUndefined();
    expect(parseStates('failed')).toEqual(['failed']);
    expect(parseStates('failed,timed_out')).toEqual(['failed', 'timed_out']);
    expect(parseStates(['queued', 'failed,queued'])).toEqual(['queued', 'failed']);
  });

  it('refuse a state that is not one, naming it and the states there are', () => {
    expect(() => parseStates('done')).toThrow(ValidationError);
    expect(() => parseStates('done')).toThrow(
      /^state "done" is not a run state: use one or more of queued, /,
    );
    expect(() => parseStates('failed,')).toThrow(/^state "" is not a run state/);
    expect(() => parseStates(['FAILED'])).toThrow(/^state "FAILED"/);
  });

  it('read times as Postgres does, and refuse the rest naming the parameter', () => {
    expect(parseTime('since', undefined)).toBeUndefined();
    expect(parseTime('since', '2025-01-31T10:00:00+01:00')).toBe('2025-01-31T09:00:00.000Z');
    expect(() => parseTime('until', 'tomorrow')).toThrow(/^until "tomorrow" is not a time/);
    expect(() => parseTime('since', '0000-06-01T00:00:00Z')).toThrow(
      /^since "0000-06-01T00:00:00Z" is not a time/,
    );
  });

  it('refuse a since that is not before until', () => {
    expect(() =>
      checkFilter({ since: '2025-01-02T00:00:00.000Z', until: '2025-01-01T00:00:00.000Z' }),
    ).toThrow(/^since \(2025-01-02T00:00:00.000Z\) must be before until/);
    expect(() =>
      checkFilter({ since: '2025-01-01T00:00:00.000Z', until: '2025-01-01T00:00:00.000Z' }),
    ).toThrow();
    expect(() =>
      checkFilter({ since: '2025-01-01T00:00:00.000Z', until: '2025-01-01T00:00:00.001Z' }),
    ).not.toThrow();
  });
});
