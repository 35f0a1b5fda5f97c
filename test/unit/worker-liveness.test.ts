import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  LIVENESS_FILE,
  createLivenessMark,
  livenessMaxAgeMs,
  livenessProblem,
} from '../../src/worker/liveness.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tds-liveness-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function written(): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    if (
      await readFile(path.join(dir, LIVENESS_FILE), 'utf8').then(
        () => true,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('no mark was written');
}

describe("a worker's liveness mark", () => {
  it('is live after a pass, and not once the mark is older than the bound', async () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    createLivenessMark(dir, () => now).pass();
    await written();
    expect(await livenessProblem(dir, 60_000, now + 59_000)).toBeUndefined();
    expect(await livenessProblem(dir, 60_000, now + 61_000)).toMatch(
      /last passed 61 s ago \(more than 60 s\)/,
    );
  });

  it('is not live with no mark, or an unreadable one', async () => {
    expect(await livenessProblem(dir, 60_000)).toMatch(/has left no liveness mark/);
    await writeFile(path.join(dir, LIVENESS_FILE), '{"at": "half');
    expect(await livenessProblem(dir, 60_000)).toMatch(/is unreadable/);
  });

  it('allows many missed passes, never less than a minute', () => {
    expect(livenessMaxAgeMs(500)).toBe(60_000);
    expect(livenessMaxAgeMs(30_000)).toBe(300_000);
  });
});
