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

export class ValidationError extends RequestError {
  readonly statusCode = 400;
  readonly code = 'invalid_request';
  constructor(message: string, details?: string[]) {
    super(message, details);
    this.name = 'ValidationError';
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

export class ConflictError extends RequestError {
  readonly statusCode = 409;
  readonly code = 'conflict';
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
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

export type FailureReason =
  'input_error' | 'build_error' | 'exit_code' | 'timeout' | 'upload_error' | 'infra_error' | 'cancelled';

/** A run could not go on; the reason is recorded on the run and in its run.json. */
export class RunFailure extends Error {
  constructor(
    readonly reason: FailureReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RunFailure';
  }
}

/** The image build failed; `log` is the full build output, uploaded as build.log. */
export class BuildError extends Error {
  constructor(
    message: string,
    readonly log: string,
  ) {
    super(message);
    this.name = 'BuildError';
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
