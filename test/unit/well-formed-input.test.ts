import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_BODY_DEPTH,
  bodyProblems,
  decodeUrlText,
  firstInvalidUtf8,
  headerProblem,
  queryProblems,
  textProblem,
} from '../../src/api/well-formed-input.js';

describe('textProblem', () => {
  it('takes well-formed text, emoji (surrogate pairs) included', () => {
    expect(textProblem('')).toBeUndefined();
    expect(textProblem('echo ℌ𝔢𝔩𝔩𝔬 😀')).toBeUndefined();
  });

  it('names a lone surrogate, high or low, and a NUL', () => {
    expect(textProblem('a\ud800')).toBe(
      'contains a lone UTF-16 surrogate (\\ud800); send well-formed Unicode',
    );
    expect(textProblem('\udfffb')).toBe(
      'contains a lone UTF-16 surrogate (\\udfff); send well-formed Unicode',
    );
    expect(textProblem('\ud83d\ud83d\ude00')).toContain('(\\ud83d)');
    expect(textProblem('a\u0000b')).toBe(
      'contains a NUL character (\\u0000); send text without NUL characters',
    );
  });
});

describe('bodyProblems', () => {
  it('finds nothing in a well-formed body', () => {
    expect(
      bodyProblems({ command: 'echo 😀', env: { FOO: 'bar' }, cpus: 0.5, list: [1, 'a', null, true] }),
    ).toEqual([]);
  });

  it('names each bad field, at any depth, in the order sent', () => {
    expect(
      bodyProblems({
        command: 'a\u0000',
        env: { FOO: '\ud800', 'A B': '\udc00' },
        list: ['ok', { deep: ['\u0000'] }],
      }),
    ).toEqual([
      'command contains a NUL character (\\u0000); send text without NUL characters',
      'env.FOO contains a lone UTF-16 surrogate (\\ud800); send well-formed Unicode',
      'env["A B"] contains a lone UTF-16 surrogate (\\udc00); send well-formed Unicode',
      'list[1].deep[0] contains a NUL character (\\u0000); send text without NUL characters',
    ]);
  });

  it('names bad keys and the reserved ones where they are', () => {
    const body = JSON.parse('{"__proto__":{},"env":{"constructor":"x","K\\ud800":"v"}}') as unknown;
    expect(bodyProblems(body)).toEqual([
      'the field name "__proto__" in the request body is not accepted: it names an internal of JavaScript objects',
      'the field name "constructor" in env is not accepted: it names an internal of JavaScript objects',
      'the field name "K\\ud800" in env contains a lone UTF-16 surrogate (\\ud800); send well-formed Unicode',
    ]);
  });

  it('refuses numbers too large to represent', () => {
    expect(bodyProblems(JSON.parse('{"cpus":1e309,"n":-1e309,"ok":1e308}'))).toEqual([
      'cpus is a number too large to represent (beyond ±1.8e308); send a smaller one',
      'n is a number too large to represent (beyond ±1.8e308); send a smaller one',
    ]);
  });

  it(`takes ${MAX_BODY_DEPTH} levels and refuses more, without recursion at any depth`, () => {
    const nested = (n: number) => JSON.parse('['.repeat(n) + ']'.repeat(n)) as unknown;
    expect(bodyProblems(nested(MAX_BODY_DEPTH))).toEqual([]);
    expect(bodyProblems(nested(MAX_BODY_DEPTH + 1))).toHaveLength(1);
    expect(bodyProblems(nested(MAX_BODY_DEPTH + 1))[0]).toMatch(/^(\[0\]){32} is nested too deeply/);
    expect(bodyProblems(nested(200_000))[0]).toContain('nested too deeply');
  });

  it('lists at most 10 problems', () => {
    expect(bodyProblems(Array.from({ length: 50 }, () => '\u0000'))).toHaveLength(10);
  });
});

describe('firstInvalidUtf8', () => {
  it('agrees with Node on any bytes, and points at the first byte that breaks', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const offset = firstInvalidUtf8(bytes);
        expect(offset === undefined).toBe(isUtf8(bytes));
        if (offset !== undefined) {
          expect(isUtf8(bytes.subarray(0, offset))).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const bytes = Buffer.from(text, 'utf8');
        expect(firstInvalidUtf8(bytes)).toBeUndefined();
      }),
    );
  });

  it('refuses surrogates encoded as UTF-8, over-long forms and code points past U+10FFFF', () => {
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xed, 0xa0, 0x80]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0xc0, 0xaf]))).toBe(0);
    expect(firstInvalidUtf8(Buffer.from([0xe0, 0x80, 0xaf]))).toBe(0);
    expect(firstInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0);
    expect(firstInvalidUtf8(Buffer.from([0xe2, 0x82]))).toBe(0);
  });
});

describe('URL text', () => {
  it('decodes well-formed percent-encoding, + as a space in query strings only', () => {
    expect(decodeUrlText('a%20b+c', true)).toEqual({ text: 'a b c' });
    expect(decodeUrlText('a+b', false)).toEqual({ text: 'a+b' });
    expect(decodeUrlText('%F0%9F%98%80', false)).toEqual({ text: '😀' });
  });

  it('names what is wrong with a bad one', () => {
    expect(decodeUrlText('%ED%A0%80', false).problem).toBe(
      'holds a lone UTF-16 surrogate (\\ud800, as the bytes ED A0 80); send well-formed Unicode',
    );
    expect(decodeUrlText('a%00', false).problem).toContain('NUL character');
    expect(decodeUrlText('%FF', false).problem).toBe(
      'is not well-formed UTF-8 (byte FF); send text encoded as UTF-8',
    );
    expect(decodeUrlText('100%', false).problem).toContain(
      'a "%" must be followed by two hexadecimal digits',
    );
  });

  it('names the query parameter, or its name when the name is the problem', () => {
    expect(queryProblems('limit=5&userId=a%00&x=%ED%B0%80&%ED%A0%80=1&&flag')).toEqual([
      'query parameter userId contains a NUL character (\\u0000); send text without NUL characters',
      'query parameter x holds a lone UTF-16 surrogate (\\udc00, as the bytes ED B0 80); send well-formed Unicode',
      'the query parameter name "%ED%A0%80" holds a lone UTF-16 surrogate (\\ud800, as the bytes ED A0 80); send well-formed Unicode',
    ]);
    expect(queryProblems('a=%20&b=%E2%82%AC')).toEqual([]);
  });
});

describe('headerProblem', () => {
  it('takes Latin-1 and UTF-8 text, refuses a NUL and a surrogate sent as bytes', () => {
    expect(headerProblem('Bearer tds_abc')).toBeUndefined();
    expect(headerProblem(Buffer.from('café €', 'utf8').toString('latin1'))).toBeUndefined();
    expect(headerProblem('caf\u00e9')).toBeUndefined();
    expect(headerProblem('a\u00ed\u00a0\u0080')).toBe(
      'holds a lone UTF-16 surrogate (\\ud800, as the bytes ED A0 80); send well-formed Unicode',
    );
    expect(headerProblem('a\u0000')).toContain('NUL character');
  });
});
