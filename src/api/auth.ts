import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AccessControl } from '../auth/access-control.js';
import { describePrincipal, type Principal } from '../auth/principal.js';
import { UnauthorizedError } from '../errors.js';
import type { RateLimits } from './rate-limits.js';
import { accessProblem, isPublic, type RouteAccess } from './route-access.js';

/** A route as registered, with the access it states. */
export interface RouteAccessEntry {
  method: string;
  url: string;
  access: RouteAccess;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who made the request; set for every route but the public ones. */
    principal: Principal;
  }
  interface FastifyInstance {
    /**
     * Registers routes this service does not write (a plugin's: the documentation page, CORS
     * preflight) under one access statement: each route `register` adds without a statement of
     * its own takes `access`. Await it, and register nothing else meanwhile.
     */
    withRouteAccess(access: RouteAccess, register: () => PromiseLike<unknown>): Promise<void>;
    /** Every route registered so far, with the access it states. */
    routeAccess(): readonly RouteAccessEntry[];
  }
}

/** A route whose access statement will not do; stops the service from starting. */
export class RouteAccessError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    problem: string,
  ) {
    super(`route ${method} ${url} ${problem}`);
    this.name = 'RouteAccessError';
  }
}

/**
 * Checks, as each route is registered, that it states who may call it (see route-access.ts), and
 * refuses the route otherwise: the service does not start with a route nobody guards. Registered
 * before any route, so that it sees them all.
 */
export const routeAccessPlugin = fp<{ knowsOwnerOf: (kind: string) => boolean }>(
  async (app: FastifyInstance, { knowsOwnerOf }) => {
    const table: RouteAccessEntry[] = [];
    let adopted: RouteAccess | undefined;

    app.decorate('withRouteAccess', async (access: RouteAccess, register: () => PromiseLike<unknown>) => {
      adopted = access;
      try {
        await register();
      } finally {
        adopted = undefined;
      }
    });
    app.decorate('routeAccess', () => table);

    app.addHook('onRoute', (route) => {
      if (adopted !== undefined && route.config?.access === undefined) {
        route.config = { ...route.config, access: adopted };
      }
      const access = route.config?.access;
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const problem = accessProblem(route.url, access, knowsOwnerOf);
      if (problem !== undefined || access === undefined) {
        throw new RouteAccessError(methods.join(','), route.url, problem ?? 'states no access');
      }
      for (const method of methods) table.push({ method, url: route.url, access });
    });
  },
  { name: 'route-access' },
);

/**
 * Authenticates a request's key (see AccessControl.authenticate), refusing first an address that
 * sent too many requests without a valid key, and counting each such request; names the principal
 * in the request's log. The one way a request is authenticated, public routes that read a key too.
 */
export function createRequestAuthenticator(
  access: Pick<AccessControl, 'authenticate'>,
  limits?: Pick<RateLimits, 'checkAuthFailures' | 'noteAuthFailure'>,
) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<Principal> => {
    await limits?.checkAuthFailures(request, reply);
    let principal: Principal;
    try {
      principal = await access.authenticate(request.headers.authorization);
    } catch (error) {
      if (error instanceof UnauthorizedError) await limits?.noteAuthFailure(request);
      throw error;
    }
    request.principal = principal;
    request.log = request.log.child(describePrincipal(principal));
    return principal;
  };
}

/**
 * Applies each route's access statement to its requests: authenticates every request but those to
 * public routes (a key in `Authorization: Bearer`), keeps operator routes to operators, and answers
 * a request for another user's job or run exactly as for one that does not exist.
 */
export const authPlugin = fp<{
  access: Pick<AccessControl, 'authenticate' | 'requireOperator' | 'requireOwner'>;
  /** Refuses an address that sent too many requests without a valid key, before its key is looked up. */
  limits?: Pick<RateLimits, 'checkAuthFailures' | 'noteAuthFailure'>;
}>(
  async (app: FastifyInstance, { access, limits }) => {
    app.decorateRequest('principal', null as never);
    const authenticate = createRequestAuthenticator(access, limits);

    app.addHook('onRequest', async (request, reply) => {
      // No statement: the answer for an unknown route, given only to a caller with a valid key.
      const statement = request.routeOptions.config.access;
      if (isPublic(statement)) return;
      await authenticate(request, reply);
      if (statement === 'operator') access.requireOperator(request.principal);
    });

    // Before the request is validated, so that another user's job answers 404 whatever the request
    // carries, exactly as an unknown id does; after the rate limits (onRequest hooks).
    app.addHook('preValidation', async (request) => {
      const statement = request.routeOptions.config.access;
      if (typeof statement !== 'object' || !('owner' in statement)) return;
      const id = (request.params as Record<string, unknown> | undefined)?.[statement.param];
      await access.requireOwner(request.principal, statement.owner, typeof id === 'string' ? id : '');
    });
  },
  { name: 'auth', dependencies: ['route-access'] },
);
