import { DataApiUnavailableError, isTransientDataApiError } from './data-api-errors.js';

export interface DataApiRetryPolicy {
  /** How long a call is tried again before its failure surfaces (a resuming cluster takes up to a minute). */
  maxElapsedMs: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: DataApiRetryPolicy = {
  maxElapsedMs: 90_000,
  firstDelayMs: 250,
  maxDelayMs: 5_000,
};

/**
 * Calls `call` until it succeeds, fails with an error that is not transient (rethrown as is), or
 * `maxElapsedMs` has passed (DataApiUnavailableError, naming the last failure). Waits
 * double from `firstDelayMs` up to `maxDelayMs`, each shortened by a random part of up to a half so
 * that many callers do not try again in step.
 */
export async function retryTransient<T>(
  call: () => Promise<T>,
  options: {
    inTransaction: boolean;
    policy: DataApiRetryPolicy;
    onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
    sleep?: (ms: number) => Promise<void>;
    now?: () => number;
  },
): Promise<T> {
  const { policy, inTransaction } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const started = now();
  let delay = policy.firstDelayMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (!isTransientDataApiError(error, inTransaction)) throw error;
      const wait = Math.round(delay * (0.5 + Math.random() / 2));
      const elapsed = now() - started;
      if (elapsed + wait > policy.maxElapsedMs) {
        throw new DataApiUnavailableError(attempt, elapsed, error);
      }
      options.onRetry?.(error, attempt, wait);
      await sleep(wait);
      delay = Math.min(delay * 2, policy.maxDelayMs);
    }
  }
}
