import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AccessControl } from '../auth/access-control.js';
import { describePrincipal, type Principal } from '../auth/principal.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who made the request; set for every route but the public ones. */
    principal: Principal;
  }
}

/** Routes anyone may call: the health check and the API's documentation. */
function isPublic(request: FastifyRequest): boolean {
  const url = request.routeOptions.url ?? '';
  return url === '/healthz' || url === '/docs' || url.startsWith('/docs/');
}

/**
 * Authenticates every request (a key in `Authorization: Bearer`), and answers a request for a job
 * or run of another user exactly as for one that does not exist.
 */
export const authPlugin = fp<{ access: AccessControl }>(async (app: FastifyInstance, { access }) => {
  app.decorateRequest('principal', null as never);

  app.addHook('onRequest', async (request) => {
    if (isPublic(request)) return;
    request.principal = await access.authenticate(request.headers.authorization);
    request.log = request.log.child(describePrincipal(request.principal));
  });

  app.addHook('preHandler', async (request) => {
    const url = request.routeOptions.url ?? '';
    const id = (request.params as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string') return;
    if (url.startsWith('/jobs/:id')) await access.requireVisible(request.principal, 'job', id);
    else if (url.startsWith('/runs/:id')) await access.requireVisible(request.principal, 'run', id);
  });
});
