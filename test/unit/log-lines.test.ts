import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeLogCursor,
  encodeLogCursor,
  LineSplitter,
  MAX_LINE_BYTES,
} from '../../src/runner/log-lines.js';

function split(chunks: Buffer[]): string[] {
  const splitter = new LineSplitter();
  return [...chunks.flatMap((chunk) => splitter.push(chunk)), ...splitter.end()];
}

describe('the lines of a log', () => {
  it('are split at each newline, the last one kept even without a newline after it', () => {
    expect(split([Buffer.from('a\nbb\n\nccc')])).toEqual(['a', 'bb', '', 'ccc']);
    expect(split([Buffer.from('a\n')])).toEqual(['a']);
    expect(split([])).toEqual([]);
  });

  it('are the same lines however the bytes arrive, multi-byte characters and overlong lines too', () => {
    const text = fc.array(
      fc.oneof(fc.constant('\n'), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.constant('é€😀')),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 10 }), (parts, cuts) => {
        const bytes = Buffer.from(parts.join(''));
        const at = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...at].map((start, i) => bytes.subarray(start, at[i] ?? bytes.length));
        expect(split(chunks)).toEqual(split([bytes]));
      }),
    );
  });

  it('cut a line longer than the limit into pieces of the limit, wherever the chunks end', () => {
    const long = Buffer.from(`${'x'.repeat(MAX_LINE_BYTES * 2 + 5)}\n${'y'.repeat(MAX_LINE_BYTES)}\nz`);
    const whole = split([long]);
    expect(whole.map((line) => line.length)).toEqual([MAX_LINE_BYTES, MAX_LINE_BYTES, 5, MAX_LINE_BYTES, 1]);
    const bytewise = split([...long].map((byte) => Buffer.from([byte])));
    expect(bytewise).toEqual(whole);
  });
});

describe('a log cursor', () => {
  it('reads back what it wrote, and refuses text it did not write', () => {
    expect(decodeLogCursor(encodeLogCursor({ stdout: 12, stderr: 0 }))).toEqual({ stdout: 12, stderr: 0 });
    for (const text of ['', 'o1', 'o-1e2', 'o1e2x', '12', 'o1e99999999999999999']) {
      expect(decodeLogCursor(text), text).toBeUndefined();
    }
  });
});
