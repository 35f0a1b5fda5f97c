import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A worker's liveness mark: the time of its claim loop's last pass, written to a file in its data
 * folder, which the image's HEALTHCHECK (src/healthcheck.ts) reads from another process. The claim
 * loop passes at least every poll interval, drained or not and whether or not the database answers,
 * so a stale mark means the loop stopped or the process's event loop is stuck: what restarting the
 * container mends. A database or engine that does not answer is not a liveness failure (restarting
 * would not bring it back): the worker's heartbeat in GET /admin/workers and the metrics say that.
 */
export const LIVENESS_FILE = 'worker-liveness.json';

/** How old the mark may be before the worker is unhealthy: many missed passes, never less than a minute. */
export function livenessMaxAgeMs(pollIntervalMs: number): number {
  return Math.max(60_000, 10 * pollIntervalMs);
}

export interface LivenessMark {
  /** Records a pass of the claim loop (written at most once a second; a failed write is ignored). */
  pass(): void;
}

export function createLivenessMark(dataDir: string, now: () => number = Date.now): LivenessMark {
  const file = path.join(dataDir, LIVENESS_FILE);
  let lastWrite = 0;
  let writing = false;
  return {
    pass() {
      const at = now();
      if (writing || at - lastWrite < 1000) return;
      writing = true;
      lastWrite = at;
      // Written whole then renamed, so a reader never sees half a mark.
      const temporary = `${file}.${process.pid}.tmp`;
      writeFile(temporary, JSON.stringify({ pid: process.pid, at: new Date(at).toISOString() }))
        .then(() => rename(temporary, file))
        .catch(() => undefined)
        .finally(() => (writing = false));
    },
  };
}

/** Why the worker is not live (no mark, unreadable, or older than maxAgeMs), or undefined if it is. */
export async function livenessProblem(
  dataDir: string,
  maxAgeMs: number,
  now = Date.now(),
): Promise<string | undefined> {
  const file = path.join(dataDir, LIVENESS_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return `the worker has left no liveness mark in ${file}`;
  }
  let at = Number.NaN;
  try {
    at = Date.parse((JSON.parse(text) as { at?: string }).at ?? '');
  } catch {
    // read as unreadable below
  }
  if (Number.isNaN(at)) return `the liveness mark in ${file} is unreadable: ${text.slice(0, 200)}`;
  const age = now - at;
  if (age > maxAgeMs)
    return `the worker's claim loop last passed ${Math.round(age / 1000)} s ago (more than ${Math.round(maxAgeMs / 1000)} s)`;
  return undefined;
}
