import { describe, expect, it } from 'vitest';
import { isMissingObject } from '../../services/aws/object-store.js';

describe('isMissingObject', () => {
  it('tells an absent object from a store that could not answer', () => {
    expect(isMissingObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } })).toBe(true);
    expect(isMissingObject({ name: 'NotFound' })).toBe(true);
    expect(isMissingObject({ name: 'NoSuchBucket' })).toBe(true);
    expect(isMissingObject({ name: 'InternalError', $metadata: { httpStatusCode: 500 } })).toBe(false);
    expect(isMissingObject({ name: 'SlowDown', $metadata: { httpStatusCode: 503 } })).toBe(false);
    expect(isMissingObject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(false);
    expect(isMissingObject(undefined)).toBe(false);
  });
});
