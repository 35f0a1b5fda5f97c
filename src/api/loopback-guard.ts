import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ForbiddenError, MisdirectedRequestError } from '../errors.js';
import { isLoopbackHost } from '../auth/policy.js';

/** The host part of a `Host` header value (`127.0.0.1:8080`, `[::1]:8080`, `localhost`). */
export function hostOfHeader(value: string): string {
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(value);
  if (bracketed) return bracketed[1]!;
  const colon = value.lastIndexOf(':');
  // A bare IPv6 address has several colons and no port.
  return colon !== -1 && value.indexOf(':') === colon ? value.slice(0, colon) : value;
}

/** Whether an `Origin` header names a page served from this machine's loopback. */
export function isLoopbackOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(url.hostname);
  } catch {
    return false;
  }
}

/**
 * With authentication off (loopback only), any program on this machine acts as an operator; a web
 * page in the developer's browser must not. Two ways a page gets there, each closed here, before
 * anything else sees the request:
 *
 * - DNS rebinding: a name the page controls is made to resolve to 127.0.0.1, so its requests are
 *   same-origin to the browser and carry `Host: attacker.example`. Only a `Host` naming loopback is
 *   answered (421 otherwise).
 * - Cross-site requests the browser sends without a CORS preflight (a form, a body-less `fetch`):
 *   they carry an `Origin` that is not this machine's, and are refused (403). A form's body types
 *   are refused anyway, since only JSON bodies are parsed (see input-guard.ts).
 *
 * Origins the operator listed in TDS_CORS_ORIGIN are let through: they were asked for.
 */
export const loopbackGuardPlugin = fp<{ corsOrigins: string[] | boolean }>(
  async (app: FastifyInstance, { corsOrigins }) => {
    const listed = new Set(Array.isArray(corsOrigins) ? corsOrigins : []);
    app.addHook('onRequest', async (request) => {
      const host = request.headers.host ?? '';
      if (!isLoopbackHost(hostOfHeader(host))) {
        throw new MisdirectedRequestError(
          `this service runs without authentication and answers only requests to its loopback address ` +
            `(127.0.0.1, localhost or [::1]); Host ${JSON.stringify(host)} is refused. ` +
            'To reach it under another name, turn authentication on (TDS_AUTH=on) and send an API key.',
        );
      }
      const origin = request.headers.origin;
      if (origin === undefined || isLoopbackOrigin(origin) || listed.has(origin)) return;
      const page =
        origin === 'null'
          ? 'sandboxed or local-file pages (Origin "null")'
          : `other sites (Origin ${JSON.stringify(origin)})`;
      throw new ForbiddenError(
        `this service runs without authentication, so it refuses requests from web pages of ${page}; ` +
          'open the dashboard from the service itself, list the origin in TDS_CORS_ORIGIN, or turn ' +
          'authentication on (TDS_AUTH=on) and send an API key.',
      );
    });
  },
  { name: 'loopback-guard' },
);
