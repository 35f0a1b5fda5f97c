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
 * Everything else surfaces at once: SQL errors (as DataApiQueryError, with the SQLSTATE as `code`,
 * as `pg` errors carry it), bad requests, missing or unreadable secrets, access denied, an
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

/** A statement the database refused: the message is the database's, `code` its SQLSTATE when known. */
export class DataApiQueryError extends Error {
  readonly code: string | undefined;
  constructor(
    message: string,
    readonly sql: string,
    options: { cause: unknown },
  ) {
    const sqlState = /;\s*SQLState:\s*([0-9A-Z]{5})\s*$/.exec(message);
    super(sqlState ? message.slice(0, sqlState.index) : message, options);
    this.name = 'DataApiQueryError';
    this.code = sqlState?.[1];
  }
}

/** A call that still failed after the retries: names the failure and how long it was tried. */
export class DataApiUnavailableError extends Error {
  constructor(
    readonly attempts: number,
    readonly elapsedMs: number,
    options: { cause: unknown },
  ) {
    const cause = options.cause as ErrorLike;
    super(
      `the RDS Data API still failed after ${attempts} attempts over ${Math.round(elapsedMs / 1000)} s: ` +
        `${cause?.name ?? 'Error'}: ${cause?.message ?? String(options.cause)}`,
      options,
    );
    this.name = 'DataApiUnavailableError';
  }
}

/** Wraps what the Data API threw into the error the application sees. */
export function describeDataApiError(error: unknown, sql: string): unknown {
  const e = error as ErrorLike;
  // DatabaseErrorException today; the first Data API sent SQL errors as BadRequestException.
  const sqlError =
    e?.name === 'DatabaseErrorException' ||
    (e?.name === 'BadRequestException' && /^ERROR:/.test(e.message ?? ''));
  if (sqlError) {
    return new DataApiQueryError(e.message ?? 'the database refused the statement', sql, { cause: error });
  }
  return error;
}
