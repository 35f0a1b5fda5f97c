/**
 * Calls `action` until it succeeds or `attempts` calls have failed, waiting `firstDelayMs` after
 * the first failure and twice as long after each further one. The last error is rethrown.
 */
export async function retryWithBackoff<T>(
  action: (attempt: number) => Promise<T>,
  {
    attempts,
    firstDelayMs,
    onRetry,
  }: { attempts: number; firstDelayMs: number; onRetry?: (error: unknown, attempt: number) => void },
): Promise<T> {
  let delay = firstDelayMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await action(attempt);
    } catch (error) {
      if (attempt >= attempts) throw error;
      onRetry?.(error, attempt);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay *= 2;
    }
  }
}
