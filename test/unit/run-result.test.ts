import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureResult } from '../../src/runner/run-outcome.js';
import { readLastLine } from '../../src/runner/run-result.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'run-result-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let count = 0;
async function lastLine(content: string | Buffer, maxBytes = 64 * 1024) {
  const file = path.join(dir, `stdout-${count++}.log`);
  await writeFile(file, content);
  return readLastLine(file, maxBytes);
}

describe('the result of a run: the last non-empty line of its stdout', () => {
  it('is the last line, with or without a newline after it', async () => {
    expect(await lastLine('first\nsecond\n42\n')).toEqual({ kind: 'result', result: '42' });
    expect(await lastLine('first\n42')).toEqual({ kind: 'result', result: '42' });
    expect(await lastLine('only')).toEqual({ kind: 'result', result: 'only' });
  });

  it('leaves out empty and whitespace-only lines after it, and a trailing carriage return', async () => {
    expect(await lastLine('a\n42\n\n  \n\t\r\n\n')).toEqual({ kind: 'result', result: '42' });
    expect(await lastLine('a\r\n{"sum": 3}\r\n')).toEqual({ kind: 'result', result: '{"sum": 3}' });
  });

  it('keeps the line exactly as printed otherwise: leading and trailing spaces, inner carriage returns', async () => {
    expect(await lastLine('  padded  \n')).toEqual({ kind: 'result', result: '  padded  ' });
    expect(await lastLine('a\rb\n')).toEqual({ kind: 'result', result: 'a\rb' });
    expect(await lastLine('ünïcödé ✓\n')).toEqual({ kind: 'result', result: 'ünïcödé ✓' });
  });

  it('reads bytes that are not UTF-8, and NUL, as U+FFFD', async () => {
    expect(await lastLine(Buffer.from([0x61, 0xff, 0x00, 0x62, 0x0a]))).toEqual({
      kind: 'result',
      result: 'a\ufffd\ufffdb',
    });
  });

  it('is none when stdout is empty or blank', async () => {
    expect(await lastLine('')).toEqual({ kind: 'none' });
    expect(await lastLine('\n \n\r\n\t\n')).toEqual({ kind: 'none' });
  });

  it('finds a line that spans several read chunks, and lines ending exactly at chunk edges', async () => {
    const long = 'x'.repeat(150_000);
    expect(await lastLine(`${long}\n`, 200_000)).toEqual({ kind: 'result', result: long });
    const edge = 'y'.repeat(64 * 1024 - 1);
    expect(await lastLine(`start\n${edge}\n${'\n'.repeat(64 * 1024)}`, 200_000)).toEqual({
      kind: 'result',
      result: edge,
    });
    const before = `${'z'.repeat(64 * 1024)}\n`;
    expect(await lastLine(`${before}tail\n`)).toEqual({ kind: 'result', result: 'tail' });
  });

  it('takes a line of exactly the limit, and calls one a byte over too large with its size', async () => {
    const limit = 64 * 1024;
    expect(await lastLine(`a\n${'r'.repeat(limit)}\r\n`)).toEqual({
      kind: 'result',
      result: 'r'.repeat(limit),
    });
    expect(await lastLine(`a\n${'r'.repeat(limit + 1)}\n`)).toEqual({ kind: 'too_large', bytes: limit + 1 });
    expect(await lastLine(`${'big '.repeat(300_000)}\n\n`)).toEqual({ kind: 'too_large', bytes: 1_200_000 });
  });

  it('reads only the last line of a long log', async () => {
    const lines = Array.from({ length: 200_000 }, (_, i) => `line ${i}`).join('\n');
    expect(await lastLine(`${lines}\n`)).toEqual({ kind: 'result', result: 'line 199999' });
  });
});

describe('captureResult', () => {
  const report = (bytes: number, truncated: boolean) => ({
    stdout: { bytes, truncated },
    stderr: { bytes: 0, truncated: false },
  });

  it('gives the last line, or none, from the stored stdout log', async () => {
    const file = path.join(dir, 'captured.log');
    await writeFile(file, 'a\nanswer\n');
    expect(await captureResult(file, report(9, false), 1000, 64 * 1024)).toEqual({ result: 'answer' });
    await writeFile(file, '\n\n');
    expect(await captureResult(file, report(2, false), 1000, 64 * 1024)).toEqual({ result: null });
  });

  it('calls a line over 64 KiB a problem, saying how large it was and the limit', async () => {
    const file = path.join(dir, 'too-large.log');
    await writeFile(file, `${'x'.repeat(70_000)}\n`);
    expect(await captureResult(file, report(70_001, false), 1_000_000, 64 * 1024)).toEqual({
      result: null,
      problem:
        'the result (the last non-empty line of stdout) is 68.4 KiB (70000 bytes), more than the 64 KiB (65536 bytes) a run may keep; print a shorter last line, or pass large data as a file in /job/output',
    });
  });

  it('holds a result to the bound it is given (TDS_MAX_RESULT_BYTES)', async () => {
    const file = path.join(dir, 'bounded.log');
    await writeFile(file, `${'y'.repeat(2000)}\n`);
    expect(await captureResult(file, report(2001, false), 1_000_000, 2000)).toEqual({
      result: 'y'.repeat(2000),
    });
    expect((await captureResult(file, report(2001, false), 1_000_000, 1999)).problem).toContain(
      'more than the 2 KiB (1999 bytes) a run may keep',
    );
  });

  it('calls a stdout cut at the log cap a problem: its last line is not the command’s', async () => {
    const file = path.join(dir, 'cut.log');
    await writeFile(file, 'x\n[task-deploy-service] stdout.log truncated: ...\n');
    expect(await captureResult(file, report(5000, true), 1000, 64 * 1024)).toEqual({
      result: null,
      problem:
        'stdout came to 4.9 KiB (5000 bytes), more than the 1000 bytes kept (TDS_MAX_LOG_BYTES): its last line, the result, was cut off',
    });
  });
});
