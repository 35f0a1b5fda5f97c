export interface RetryOptions {
  attempts: number;
  firstDelayMs: number;
  onRetry?: (error: unknown, attempt: number) => void;
  /** Errors for which trying again is pointless are rethrown at once. */
  retryable?: (error: unknown) => boolean;
}

/**
 * Calls `action` until it succeeds or `attempts` calls have failed, waiting `firstDelayMs` after
 * the first failure and twice as long after each further one. The last error is rethrown.
 */
export async function retryWithBackoff<T>(
  action: (attempt: number) => Promise<T>,
  { attempts, firstDelayMs, onRetry, retryable = () => true }: RetryOptions,
): Promise<T> {
  let delay = firstDelayMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await action(attempt);
    } catch (error) {
      if (attempt >= attempts || !retryable(error)) throw error;
      onRetry?.(error, attempt);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay *= 2;
    }
  }
}
