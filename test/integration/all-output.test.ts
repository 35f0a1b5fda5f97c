import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBucket, startTestService, type TestService } from '../support/harness.js';

/**
 * `tds run` (the real executable) against the real service, with many steps that start together
 * and print only after a delay and at their very end: every line of every step is printed once,
 * however the steps' starts, ends and the watcher's looks interleave. Run several times, since a
 * race shows only in some interleavings.
 */
const run = promisify(execFile);
const TDS = path.resolve('bin/tds.js');
const ROUNDS = 3;

let service: TestService;
let bucket: string;
let dir: string;

/** What each step prints: on stdout unless said, the last line of `tail` without a newline. */
const STEPS: { name: string; command: string; stdout: string[]; stderr: string[] }[] = [
  { name: 'late_a', command: 'sleep 2; echo A-done', stdout: ['A-done'], stderr: [] },
  { name: 'late_b', command: 'sleep 2; echo B-done', stdout: ['B-done'], stderr: [] },
  {
    name: 'many',
    command: 'sleep 2; for i in 1 2 3 4 5; do echo many-$i; done',
    stdout: ['many-1', 'many-2', 'many-3', 'many-4', 'many-5'],
    stderr: [],
  },
  {
    name: 'tail',
    command: "sleep 2; echo tail-1; printf 'tail-last'",
    stdout: ['tail-1', 'tail-last'],
    stderr: [],
  },
  {
    name: 'both',
    command: 'sleep 1; echo both-out; echo both-err >&2; sleep 1; echo both-end',
    stdout: ['both-out', 'both-end'],
    stderr: ['both-err'],
  },
  { name: 'quick', command: 'echo quick-done', stdout: ['quick-done'], stderr: [] },
];

beforeAll(async () => {
  service = await startTestService();
  bucket = await createBucket();
  dir = await mkdtemp(path.join(os.tmpdir(), 'tds-all-output-'));
});

afterAll(async () => {
  await service?.close();
});

async function tdsRun(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [TDS, 'run', file], {
      cwd: dir,
      env: { ...process.env, TDS_URL: service.apiUrl },
      timeout: 240_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('tds run with many steps that print late', () => {
  it('prints every line of every step exactly once, before its Ended line, round after round', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const file = path.join(dir, `late-${round}.yaml`);
      await writeFile(
        file,
        [
          'kind: workflow',
          'userId: all-output',
          `uniqueId: late-${round}`,
          `s3_bucket: ${bucket}`,
          'source_s3_prefix: ""',
          'destination_s3_prefix: late/',
          'steps:',
          ...STEPS.flatMap((step) => [
            `  - name: ${step.name}`,
            `    command: ${JSON.stringify(step.command)}`,
          ]),
          '',
        ].join('\n'),
      );
      const result = await tdsRun(file);
      const context = `round ${round}\n${result.stdout}\n${result.stderr}`;
      expect(result.code, context).toBe(0);
      const out = result.stdout.split('\n');
      const err = result.stderr.split('\n');
      for (const step of STEPS) {
        const ended = out.findIndex((line) => line.startsWith(`Ended : ${step.name} (succeeded`));
        expect(ended, context).toBeGreaterThan(-1);
        for (const [lines, expected] of [
          [out, step.stdout],
          [err, step.stderr],
        ] as const) {
          // Exactly these lines, in this order, each once.
          expect(
            lines.filter((line) => line.startsWith(`[${step.name}] `)),
            context,
          ).toEqual(expected.map((line) => `[${step.name}] ${line}`));
        }
        for (const line of step.stdout)
          expect(out.indexOf(`[${step.name}] ${line}`), context).toBeLessThan(ended);
      }
      expect(
        result.stderr.split('\n').filter((line) => line.includes('could not be followed')),
        context,
      ).toEqual([]);
    }
  });
});
