/**
 * Which Data API failures are worth another try, and how the others reach the application.
 *
 * Tried again, with backoff:
 * - DatabaseResumingException: an auto-paused Aurora Serverless cluster is starting; it answers in
 *   seconds to a minute. Nothing ran.
 * - DatabaseUnavailableException, ServiceUnavailableError: the database or the service could not
 *   take the call. Nothing ran.
 * - ThrottlingException, TooManyRequestsException (and any HTTP 429): too many calls. Nothing ran.
 * - StatementTimeoutException, outside a transaction only: the call timed out and, without
 *   `continueAfterTimeout`, the statement was stopped and rolled back, so it can run again. Inside a
 *   transaction Postgres has aborted the transaction: the error surfaces and the transaction is
 *   rolled back, as a statement timeout does with `pg`.
 * - A connection that was refused: the call never reached the service.
 *
 * Everything else surfaces at once (as DataApiError; SQL errors as DataApiQueryError, with the
 * SQLSTATE as `code`, as `pg` errors carry it): bad requests, missing or unreadable secrets, access denied, an
 * unknown transaction, and 5xx answers after which the statement may or may not have run.
 */

const ALWAYS_TRANSIENT = new Set([
  'DatabaseResumingException',
  'DatabaseUnavailableException',
  'ServiceUnavailableError',
  'ThrottlingException',
  'TooManyRequestsException',
]);

interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

export function isTransientDataApiError(error: unknown, inTransaction: boolean): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as ErrorLike;
  if (e.name && ALWAYS_TRANSIENT.has(e.name)) return true;
  if (e.$metadata?.httpStatusCode === 429) return true;
  if (e.name === 'StatementTimeoutException') return !inTransaction;
  if (e.code === 'ECONNREFUSED') return true;
  return false;
}

/**
 * A failure the Data API answered with, as the application sees it: the service's error name and
 * message, and its HTTP status. The SDK's own error is not kept: it holds the whole HTTP exchange
 * (signed headers included), which must never reach a log.
 */
export class DataApiError extends Error {
  constructor(
    name: string,
    message: string,
    readonly httpStatus: number | undefined,
  ) {
    super(message);
    this.name = name;
  }
}

/** A statement the database refused: the message is the database's, `code` its SQLSTATE when known (as with pg). */
export class DataApiQueryError extends DataApiError {
  readonly code: string | undefined;
  constructor(
    message: string,
    readonly sql: string,
    httpStatus: number | undefined,
  ) {
    const sqlState = /;\s*SQLState:\s*([0-9A-Z]{5})\s*$/.exec(message);
    super('DataApiQueryError', sqlState ? message.slice(0, sqlState.index) : message, httpStatus);
    this.code = sqlState?.[1];
  }
}

/** A call that still failed after the retries: names the failure and how long it was tried. */
export class DataApiUnavailableError extends Error {
  /** The last failure, as toDataApiError gives it. */
  readonly lastError: unknown;
  constructor(
    readonly attempts: number,
    readonly elapsedMs: number,
    lastError: unknown,
  ) {
    const last = toDataApiError(lastError, '') as ErrorLike;
    super(
      `the RDS Data API still failed after ${attempts} attempts over ${Math.round(elapsedMs / 1000)} s: ` +
        `${last?.name ?? 'Error'}: ${last?.message ?? String(lastError)}`,
    );
    this.name = 'DataApiUnavailableError';
    this.lastError = last;
  }
}

/** Turns what the Data API answered with into the error the application sees; other errors are left as they are. */
export function toDataApiError(error: unknown, sql: string): unknown {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return error;
  const e = error as ErrorLike;
  const status = e.$metadata?.httpStatusCode;
  const message = e.message ?? '';
  // DatabaseErrorException today; the first Data API sent SQL errors as BadRequestException.
  const sqlError =
    e.name === 'DatabaseErrorException' || (e.name === 'BadRequestException' && /^ERROR:/.test(message));
  if (sqlError) return new DataApiQueryError(message || 'the database refused the statement', sql, status);
  return new DataApiError(e.name ?? 'RDSDataServiceException', message || `HTTP ${status ?? '?'}`, status);
}
