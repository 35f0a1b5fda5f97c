/**
 * Named errors. Those a request can cause carry an HTTP status and a stable code; the API's error
 * handler shows their message as is. Anything else becomes a 500 whose detail stays in the log.
 */

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

export abstract class RequestError extends Error {
  abstract readonly statusCode: number;
  abstract readonly code: string;
  readonly details: string[] | undefined;
  constructor(message: string, details?: string[]) {
    super(message);
    this.details = details;
  }
}

/** One thing wrong with a request body: `path` is a JSON Pointer into the body ('' for the whole). */
export interface Problem {
  path: string;
  message: string;
}

export class ValidationError extends RequestError {
  readonly statusCode = 400;
  readonly code = 'invalid_request';
  /** Every problem found, each at its place in the body, so a client can point at a file's line. */
  readonly problems: Problem[];
  constructor(message: string, details?: string[], problems?: Problem[]) {
    super(message, details);
    this.name = 'ValidationError';
    this.problems = problems ?? [{ path: '', message }];
  }

  /** One problem at one field of the body. */
  static at(path: string, message: string): ValidationError {
    return new ValidationError(message, undefined, [{ path, message }]);
  }

  /** Several problems found together: the message lists them all. */
  static of(problems: Problem[]): ValidationError {
    const messages = [...new Set(problems.map((p) => p.message))];
    return new ValidationError(messages.join('; '), messages.length > 1 ? messages : undefined, problems);
  }
}

export class NotFoundError extends RequestError {
  readonly statusCode = 404;
  readonly code = 'not_found';
  constructor(
    readonly kind: string,
    readonly id: string,
  ) {
    super(`no ${kind} with id "${id}"`);
    this.name = 'NotFoundError';
  }
}

/** The request named a host this service does not answer for (RFC 9110 §15.5.20). */
export class MisdirectedRequestError extends RequestError {
  readonly statusCode = 421;
  readonly code = 'misdirected_request';
  constructor(message: string) {
    super(message);
    this.name = 'MisdirectedRequestError';
  }
}

export class ConflictError extends RequestError {
  readonly statusCode = 409;
  readonly code = 'conflict';
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** No valid API key came with a request that needs one. */
export class UnauthorizedError extends RequestError {
  readonly statusCode = 401;
  readonly code = 'unauthorized';
  constructor(message: string) {
    super(message);
    this.name = 'UnauthorizedError';
  }
}

/** The caller is known but may not do this (another user's name, a bucket outside the allow-list, a limit). */
export class ForbiddenError extends RequestError {
  readonly statusCode = 403;
  readonly code = 'forbidden';
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/** Too many requests from one key or address in the current window, or too many streams open. */
export class RateLimitedError extends RequestError {
  readonly statusCode = 429;
  readonly code = 'rate_limited';
  /** Sent as Retry-After when set. */
  readonly retryAfterSeconds: number | undefined;
  constructor(message: string, retryAfterSeconds?: number) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
    this.name = 'RateLimitedError';
  }
}

/** The request is well-formed but names something that is not there (a bucket, an input prefix). */
export class UnprocessableError extends RequestError {
  readonly statusCode = 422;
  readonly code = 'unprocessable';
  constructor(message: string) {
    super(message);
    this.name = 'UnprocessableError';
  }
}

/**
 * The service has no key to seal and open secrets with (production without TDS_SECRETS_KEY): the
 * secrets routes, and jobs naming secrets, are answered with how to configure one.
 */
export class SecretsNotConfiguredError extends RequestError {
  readonly statusCode = 503;
  readonly code = 'secrets_not_configured';
  constructor() {
    super(
      'secrets are not available on this service: its operator must set TDS_SECRETS_KEY (32 random bytes as base64 or hex, e.g. `openssl rand -base64 32`) on every API and worker process, then restart it (see docs/secrets.md)',
    );
    this.name = 'SecretsNotConfiguredError';
  }
}

export type FailureReason =
  | 'input_error'
  | 'build_error'
  /** A prebuilt image that is not present and cannot be pulled, or cannot run as asked. */
  | 'image_error'
  | 'exit_code'
  | 'timeout'
  | 'limit_exceeded'
  /** The run wrote more than its `disk_mb` and was stopped. */
  | 'disk_limit_exceeded'
  /** The result (the last non-empty line of stdout) is longer than a run may keep. */
  | 'result_too_large'
  | 'upload_error'
  | 'infra_error'
  /** Its user may no longer run it: a ceiling, the bucket allow-list or their keys, as they are when it is to start. */
  | 'not_allowed'
  | 'cancelled';

/** A run could not go on; the reason is recorded on the run and in its run.json. */
export class RunFailure extends Error {
  /** A passing fault (an object store briefly unavailable): worth trying again before giving up. */
  readonly transient: boolean;
  constructor(
    readonly reason: FailureReason,
    message: string,
    options?: { cause?: unknown; transient?: boolean },
  ) {
    super(message, options);
    this.name = 'RunFailure';
    this.transient = options?.transient ?? false;
  }
}

/** Whether an error from the object store is a passing fault: a 5xx, throttling, or no answer at all. */
export function isTransientStoreError(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status === undefined) return true;
  return status >= 500 || status === 429;
}

/** The worker is shutting down: work it started and could not finish is handed back to the queue. */
export class ShutdownRequested extends Error {
  constructor() {
    super('the worker is shutting down');
    this.name = 'ShutdownRequested';
  }
}

/**
 * The worker could not renew its lease on the run for `TDS_FENCE_MS` (it is cut off from the
 * database): what it started is stopped and, as at a shutdown, handed back to the queue.
 */
export class LeaseNotRenewed extends ShutdownRequested {
  constructor() {
    super();
    this.message = "the worker could not renew the run's lease";
    this.name = 'LeaseNotRenewed';
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
