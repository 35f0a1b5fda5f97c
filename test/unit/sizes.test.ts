import { describe, expect, it } from 'vitest';
import { describeBytes } from '../../src/sizes.js';

describe('describeBytes', () => {
  it.each([
    [0, '0 bytes'],
    [1023, '1023 bytes'],
    [1024, '1 KiB (1024 bytes)'],
    [1536, '1.5 KiB (1536 bytes)'],
    [256 * 1024 * 1024, '256 MiB (268435456 bytes)'],
    [10 * 1024 ** 3, '10 GiB (10737418240 bytes)'],
  ])('shows %d as %j', (bytes, text) => {
    expect(describeBytes(bytes)).toBe(text);
  });
});
