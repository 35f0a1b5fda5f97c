import type { FastifyRequest } from 'fastify';

/** Query parameters whose values are secrets: a download link's token opens a file to anyone. */
const SECRET_PARAMETERS = new Set(['token']);

/** A request's URL as logged: the values of secret query parameters replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  const question = url.indexOf('?');
  if (question === -1) return url;
  const query = url
    .slice(question + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals === -1 ? pair : pair.slice(0, equals);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // Not decodable: compared as written.
      }
      return SECRET_PARAMETERS.has(decoded.toLowerCase()) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, question)}?${query}`;
}

/**
 * The request as Fastify logs it ("incoming request"), with the URL redacted: a download link
 * (`GET /files?token=`) needs no key, so its token in a log would hand the file to whoever reads it.
 */
export function serializeRequest(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
