import { describe, expect, it } from 'vitest';
import type { LogStreamName } from '../../src/runner/log-lines.js';
import { MATCH_TEXT_CHARS, searchLogLines } from '../../src/runner/log-search.js';

/** Lines as the log stream gives them: each with the cursor just after it. */
async function* lines(stdout: string[], stderr: string[] = []) {
  const cursor = { stdout: 0, stderr: 0 };
  for (const [stream, list] of [
    ['stdout', stdout],
    ['stderr', stderr],
  ] as [LogStreamName, string[]][]) {
    for (const line of list) {
      cursor[stream] += 1;
      yield { kind: 'line' as const, stream, line, cursor: { ...cursor } };
    }
  }
  yield { kind: 'end' as const };
}

describe('searchLogLines', () => {
  it('answers the lines holding the text with their number in their stream, from 1', async () => {
    const found = await searchLogLines(lines(['a', 'find me', 'b', 'xfind me'], ['find me too']), {
      text: 'find me',
      ignoreCase: false,
      maxMatches: 10,
    });
    expect(found).toEqual({
      truncated: false,
      matches: [
        { stream: 'stdout', line: 2, column: 1, text: 'find me', cut: false },
        { stream: 'stdout', line: 4, column: 2, text: 'xfind me', cut: false },
        { stream: 'stderr', line: 1, column: 1, text: 'find me too', cut: false },
      ],
    });
  });

  it('matches case exactly unless told to ignore it, and takes the text as text, never a pattern', async () => {
    const log = ['Error here', 'error there', 'a.b', 'axb'];
    const exact = await searchLogLines(lines(log), { text: 'error', ignoreCase: false, maxMatches: 10 });
    expect(exact.matches.map((m) => m.line)).toEqual([2]);
    const either = await searchLogLines(lines(log), { text: 'ERROR', ignoreCase: true, maxMatches: 10 });
    expect(either.matches.map((m) => m.line)).toEqual([1, 2]);
    const dot = await searchLogLines(lines(log), { text: 'a.b', ignoreCase: false, maxMatches: 10 });
    expect(dot.matches.map((m) => m.line)).toEqual([3]);
  });

  it('stops at the limit and says the list was cut only when another line matches', async () => {
    const log = ['x1', 'x2', 'x3'];
    const exactly = await searchLogLines(lines(log), { text: 'x', ignoreCase: false, maxMatches: 3 });
    expect(exactly).toMatchObject({ truncated: false });
    expect(exactly.matches).toHaveLength(3);
    const cut = await searchLogLines(lines(log), { text: 'x', ignoreCase: false, maxMatches: 2 });
    expect(cut.truncated).toBe(true);
    expect(cut.matches.map((m) => m.line)).toEqual([1, 2]);
  });

  it('answers part of a long line, around its first match', async () => {
    const long = `${'a'.repeat(5000)}NEEDLE${'b'.repeat(5000)}`;
    const [match] = (
      await searchLogLines(lines([long]), { text: 'NEEDLE', ignoreCase: false, maxMatches: 1 })
    ).matches;
    expect(match!.cut).toBe(true);
    expect(match!.column).toBe(5001);
    expect(match!.text).toHaveLength(MATCH_TEXT_CHARS);
    expect(match!.text).toContain('NEEDLE');
  });
});
