import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { RateLimitedError, RequestError, ValidationError, type Problem } from '../errors.js';

/** Every 400 lists its problems, each with a JSON Pointer into the body ('' when it is the whole request). */
function problemsOf(error: RequestError): { problems: Problem[] } | Record<string, never> {
  if (error instanceof ValidationError) return { problems: error.problems };
  return {};
}

/** The stable code of a 4xx the framework raises itself (a body too large, an unknown media type). */
export function errorCodeFor(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request';
    case 404:
      return 'not_found';
    case 413:
      return 'too_large';
    case 415:
      return 'unsupported_media_type';
    default:
      return 'bad_request';
  }
}

/**
 * One error handler: a request's own mistakes (4xx) are answered with their message; anything
 * else is logged and answered with a generic 500 that shows nothing of the service's insides.
 */
export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof RequestError) {
    if (error instanceof RateLimitedError && error.retryAfterSeconds !== undefined) {
      reply.header('retry-after', String(error.retryAfterSeconds));
    }
    return reply.status(error.statusCode).send({
      error: error.code,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
      ...problemsOf(error),
    });
  }
  const cause = (error as { cause?: unknown }).cause;
  if (error.validation && cause instanceof RequestError) {
    return reply
      .status(cause.statusCode)
      .send({ error: cause.code, message: cause.message, details: cause.details, ...problemsOf(cause) });
  }
  const status = error.statusCode ?? 500;
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    const limit = request.routeOptions.bodyLimit;
    return reply.status(413).send({
      error: errorCodeFor(413),
      message: `the request body is too large: at most ${limit} bytes are accepted`,
    });
  }
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return reply.status(415).send({
      error: errorCodeFor(415),
      message: `the request body's Content-Type ${JSON.stringify(request.headers['content-type'] ?? '')} is not accepted: send JSON with Content-Type: application/json`,
    });
  }
  if (status >= 400 && status < 500) {
    return reply.status(status).send({
      error: error.validation ? 'invalid_request' : errorCodeFor(status),
      message: error.message,
      ...(status === 400 ? { problems: [{ path: '', message: error.message }] } : {}),
    });
  }
  request.log.error({ err: error }, 'request failed');
  return reply.status(500).send({
    error: 'internal_error',
    message: 'the service failed to handle this request; the details are in its log',
  });
}
