import { describe, expect, it } from 'vitest';
import { boundSummary, SUMMARY_MAX_BYTES } from '../../src/audit/audit-trail.js';

describe("an audit row's summary", () => {
  it('is kept as given while small', () => {
    const summary = { before: { maxCpus: 1 }, after: { maxCpus: 2 }, name: 'API_TOKEN' };
    expect(boundSummary(summary)).toEqual(summary);
  });

  it('cuts long texts, and past its bound keeps the field names only', () => {
    expect(boundSummary({ url: 'x'.repeat(1000) }).url).toBe(`${'x'.repeat(200)}…`);
    const large = { allowedBuckets: Array.from({ length: 500 }, (_, i) => `bucket-${i}`), maxCpus: 2 };
    const bounded = boundSummary(large);
    expect(bounded).toEqual({
      omitted: expect.stringMatching(/^a summary of \d+ bytes, over 2048$/),
      fields: ['allowedBuckets', 'maxCpus'],
    });
    expect(Buffer.byteLength(JSON.stringify(bounded))).toBeLessThanOrEqual(SUMMARY_MAX_BYTES);
  });

  it('refuses a field that names a secret', () => {
    for (const name of ['key', 'secret', 'value', 'Token', 'password', 'sealed']) {
      expect(() => boundSummary({ [name]: 'anything' })).toThrow(`may not carry "${name}"`);
    }
  });
});
