import { setTimeout as sleep } from 'node:timers/promises';
import type { ObjectStore } from '../../services/aws/object-store.js';
import { errorMessage } from '../errors.js';
import { spooledFile, type ResultSpool, type SpoolManifest } from './result-spool.js';

/** Undelivered files a failure message names; the rest are counted. */
export const UNDELIVERED_LISTED = 20;

export interface DeliveryOptions {
  /** Until when (epoch ms) a file that fails is tried again; past it, every file is tried once. */
  deadline: number;
  /** The wait after the first failure, doubled after each, at most `maxDelayMs`. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** Stops the delivery (the worker is stopping): it rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called before each try; throws to stop (the run was taken over). */
  beforeTry?: () => Promise<void>;
  onRetry?: (key: string, error: unknown, delayMs: number) => void;
}

/**
 * The store answered, and said no (the bucket is gone, access is denied): waiting does not help,
 * and a tenant's deleted bucket must not hold a worker's slot for the whole patience. Timeouts
 * and throttling (408, 429) are waited out like an unreachable store.
 */
function refused(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/** What could not be delivered before the deadline. */
export interface Undelivered {
  /** The first UNDELIVERED_LISTED keys, relative to the run's results prefix. */
  listed: string[];
  count: number;
  lastError: string;
}

/**
 * Uploads a complete spool, file by file, in the order it was written (run.json last, so a
 * run.json in the store means everything before it is there too). A failing upload is tried again
 * with back-off until `deadline`; then it and every file after it are undelivered. Puts are
 * idempotent: a delivery cut short and started again (after a restart) uploads everything again.
 */
export async function deliverSpool(
  store: ObjectStore,
  spool: ResultSpool,
  manifest: SpoolManifest,
  options: DeliveryOptions,
): Promise<Undelivered | undefined> {
  let undelivered: Undelivered | undefined;
  let delay = options.firstDelayMs;
  for await (const entry of spool.entries(manifest.runId)) {
    const relative = entry.key.startsWith(manifest.prefix)
      ? entry.key.slice(manifest.prefix.length)
      : entry.key;
    if (undelivered) {
      undelivered.count += 1;
      if (undelivered.listed.length < UNDELIVERED_LISTED) undelivered.listed.push(relative);
      continue;
    }
    for (;;) {
      options.signal?.throwIfAborted();
      await options.beforeTry?.();
      try {
        await store.putFile(
          manifest.bucket,
          entry.key,
          spooledFile(spool, manifest.runId, entry),
          entry.contentType,
        );
        delay = options.firstDelayMs;
        break;
      } catch (error) {
        if (refused(error) || Date.now() + delay > options.deadline) {
          undelivered = { listed: [relative], count: 1, lastError: errorMessage(error) };
          break;
        }
        options.onRetry?.(entry.key, error, delay);
        await sleep(delay, undefined, { signal: options.signal });
        delay = Math.min(delay * 2, options.maxDelayMs);
      }
    }
  }
  return undelivered;
}

/** The failure message of a run whose results could not all be delivered. */
export function undeliveredMessage(
  undelivered: Undelivered,
  manifest: Pick<SpoolManifest, 'bucket' | 'prefix'>,
  where: { dir: string; workerId: string; patienceSeconds: number },
): string {
  const more = undelivered.count - undelivered.listed.length;
  const files = `${undelivered.listed.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
  return (
    `${undelivered.count} ${undelivered.count === 1 ? 'file' : 'files'} could not be delivered to ` +
    `s3://${manifest.bucket}/${manifest.prefix} within ${where.patienceSeconds} s (TDS_UPLOAD_PATIENCE_SECONDS; ` +
    `last error: ${undelivered.lastError}): ${files}; they are kept on worker ${where.workerId} at ${where.dir} ` +
    'and delivered by its housekeeping once the store is back'
  );
}
