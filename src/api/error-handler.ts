import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { RequestError } from '../errors.js';

/**
 * One error handler: a request's own mistakes (4xx) are answered with their message; anything
 * else is logged and answered with a generic 500 that shows nothing of the service's insides.
 */
export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof RequestError) {
    return reply.status(error.statusCode).send({
      error: error.code,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
    });
  }
  const cause = (error as { cause?: unknown }).cause;
  if (error.validation && cause instanceof RequestError) {
    return reply
      .status(cause.statusCode)
      .send({ error: cause.code, message: cause.message, details: cause.details });
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return reply.status(status).send({
      error: error.validation ? 'invalid_request' : (error.code ?? 'bad_request'),
      message: error.message,
    });
  }
  request.log.error({ err: error }, 'request failed');
  return reply.status(500).send({
    error: 'internal_error',
    message: 'the service failed to handle this request; the details are in its log',
  });
}
