import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type {
  ConnectionError,
  FastifyBaseLogger,
  FastifyBodyParser,
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
} from 'fastify';
import fp from 'fastify-plugin';
import { ValidationError } from '../errors.js';
import { errorCodeFor, errorHandler } from './error-handler.js';
import {
  bodyProblems,
  decodeUrlText,
  firstInvalidUtf8,
  headerProblem,
  invalidUtf8Problem,
  queryProblems,
  textProblem,
} from './well-formed-input.js';

function refuse(problems: string[]): ValidationError {
  return new ValidationError(problems.join('; '), problems);
}

/**
 * JSON bodies: well-formed UTF-8, parsed with the platform's parser (it builds `__proto__` as a
 * plain key, never as the prototype), then checked as a whole before any route sees them.
 */
const parseJsonBody: FastifyBodyParser<Buffer> = (_request, body, done) => {
  if (body.length === 0) {
    return done(
      new ValidationError(
        'the request body is empty while its content-type says JSON: send a JSON object, or no content-type',
      ),
    );
  }
  const invalid = firstInvalidUtf8(body);
  if (invalid !== undefined) {
    return done(refuse([`the request body ${invalidUtf8Problem(body, invalid, `at byte ${invalid}`)}`]));
  }
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return done(new ValidationError(`the request body is not valid JSON: ${(error as Error).message}`));
  }
  const problems = bodyProblems(value);
  if (problems.length > 0) return done(refuse(problems));
  done(null, value);
};

/**
 * Refuses, for every route at once, text a request cannot carry into the service (see
 * well-formed-input.ts), naming the field: in the body, the query string, path parameters and
 * headers. A URL or header the HTTP layer cannot even read is answered by `frameworkErrors` and
 * `clientErrorHandler`, given to Fastify when it is created.
 */
export function createInputGuard(logger: FastifyBaseLogger) {
  /** Route paths split into segments, to name the path parameter of a URL the router cannot decode. */
  const routes: string[][] = [];

  const plugin = fp(
    async (app: FastifyInstance) => {
      app.addHook('onRoute', (route) => {
        routes.push(route.url.split('/'));
      });
      app.addContentTypeParser('application/json', { parseAs: 'buffer' }, parseJsonBody);
      // JSON only: a text/plain body is one a cross-site form or fetch sends without a CORS
      // preflight. Removed, any other type is answered 415; no body at all still works.
      app.removeContentTypeParser('text/plain');
      app.addHook('onRequest', async (request) => {
        const problems: string[] = [];
        const query = request.url.indexOf('?');
        if (query !== -1) problems.push(...queryProblems(request.url.slice(query + 1)));
        for (const [name, value] of Object.entries((request.params ?? {}) as Record<string, unknown>)) {
          const problem = typeof value === 'string' ? textProblem(value) : undefined;
          if (problem) problems.push(`path parameter ${name} ${problem}`);
        }
        for (const [name, value] of Object.entries(request.headers)) {
          for (const item of Array.isArray(value) ? value : [value]) {
            const problem = typeof item === 'string' ? headerProblem(item) : undefined;
            if (problem) problems.push(`header ${name} ${problem}`);
          }
        }
        if (problems.length > 0) throw refuse(problems);
      });
    },
    { name: 'input-guard' },
  );

  /** The name of the path parameter at `index` of `segments` in a route of that shape, if any. */
  function parameterAt(segments: string[], index: number): string | undefined {
    for (const route of routes) {
      if (route.length !== segments.length || !route[index]?.startsWith(':')) continue;
      if (route.every((part, i) => part.startsWith(':') || part === segments[i]))
        return route[index]!.slice(1);
    }
    return undefined;
  }

  /** A URL path the router could not decode, or with a segment over its length limit. */
  function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
    const path = request.url.split('?')[0]!;
    const segments = path.split('/');
    const problems: string[] = [];
    segments.forEach((segment, index) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH' && segment.length > 100;
      const decoded = tooLong ? undefined : decodeUrlText(segment, false);
      const problem = tooLong ? 'is longer than 100 characters' : decoded?.problem;
      if (!problem) return;
      const name = parameterAt(segments, index);
      problems.push(
        name ? `path parameter ${name} ${problem}` : `the path segment ${JSON.stringify(segment)} ${problem}`,
      );
    });
    void errorHandler(problems.length > 0 ? (refuse(problems) as FastifyError) : error, request, reply);
  }

  /**
   * A request Node's HTTP parser refused (a control character in a header, a malformed request
   * line): answered in the API's error shape, naming the header when it is one.
   */
  function clientErrorHandler(error: ConnectionError, socket: Socket): void {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    let status = 400;
    let message = 'the request is not well-formed HTTP/1.1';
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      status = 408;
      message = 'the request took too long to arrive';
    } else if (error.code === 'HPE_HEADER_OVERFLOW') {
      status = 431;
      message = 'the request headers are too large';
    } else if (Buffer.isBuffer(error.rawPacket)) {
      const lines = error.rawPacket.toString('latin1').split('\r\n').slice(1);
      // eslint-disable-next-line no-control-regex
      const bad = lines.find((line) => /[\u0000-\u0008\u000a-\u001f\u007f]/.test(line));
      const colon = bad?.indexOf(':') ?? -1;
      if (bad !== undefined && colon > 0) {
        const name = bad.slice(0, colon).trim().toLowerCase();
        const shownName = /^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name) ? name : JSON.stringify(name);
        const problem = headerProblem(bad.slice(colon + 1));
        message = `header ${shownName} ${problem ?? 'contains a control character; send it without'}`;
      }
    }
    logger.debug({ err: error }, 'malformed request');
    const body = JSON.stringify({ error: errorCodeFor(status), message });
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `Content-Type: application/json\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy(error);
  }

  return { plugin, frameworkErrors, clientErrorHandler };
}
