import type { OwnedKind } from '../auth/owners.js';

/**
 * What a route serves, and so who may call it. Every route states one, next to its schema:
 * `app.get('/jobs/:id', { config: { access: ownerOf('job') }, schema }, handler)`.
 *
 * - `'public'`: anyone, without a key.
 * - `'operator'`: operator keys only (a user key gets 403).
 * - `'user'`: any key; the handler confines a user key to its own userId (`requireSameUser`).
 * - `{ owner: kind, param }`: the thing of that kind whose id is the path parameter `param`; a user
 *   key reaches only its own, and another user's answers 404 exactly as an unknown id does. Other
 *   path parameters may only name parts of that thing (`within`: a step of a workflow run), which
 *   the handler looks up through it.
 * - `{ unowned: 'public' | 'user', because }`: a public or any-key route whose path parameters
 *   name nothing a user owns, saying why (a file of the documentation page).
 */
export type RouteAccess =
  | 'public'
  | 'operator'
  | 'user'
  | { owner: OwnedKind; param: string; within?: readonly string[] }
  | { unowned: 'public' | 'user'; because: string };

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; required of every route (see route-access.ts). */
    access?: RouteAccess;
  }
}

/** The route serves the `kind` whose id is the path parameter `param`: only its owner (or an operator) reaches it. */
export function ownerOf(kind: OwnedKind, param = 'id', within: readonly string[] = []): RouteAccess {
  return within.length === 0 ? { owner: kind, param } : { owner: kind, param, within };
}

/** A public or any-key route whose path parameters name nothing a user owns; `because` says why. */
export function unowned(level: 'public' | 'user', because: string): RouteAccess {
  return { unowned: level, because };
}

export function isPublic(access: RouteAccess | undefined): boolean {
  return (
    access === 'public' || (typeof access === 'object' && 'unowned' in access && access.unowned === 'public')
  );
}

/** The names of a route's path parameters: `/jobs/:id/runs` → `['id']`; a wildcard is `*`. */
export function pathParams(url: string): string[] {
  const names = [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1]!);
  if (url.includes('*')) names.push('*');
  return names;
}

/**
 * Why a route's access statement will not do, or undefined when it will. The rule: every route
 * states its access; a route naming an owner names a kind whose owner can be looked up and a path
 * parameter it has, and has no other path parameter; a public or any-key route with path
 * parameters says why they name nothing a user owns. Operator routes may take any parameters:
 * operators reach everything.
 */
export function accessProblem(
  url: string,
  access: RouteAccess | undefined,
  knowsOwnerOf: (kind: string) => boolean,
): string | undefined {
  const params = pathParams(url);
  const hint =
    "add `config: { access: … }` to its options: 'public', 'operator', 'user', ownerOf(kind) or unowned(level, because) (src/api/route-access.ts)";
  if (access === undefined) return `states no access: ${hint}`;
  if (access === 'operator') return undefined;
  if (access === 'public' || access === 'user') {
    if (params.length === 0) return undefined;
    return (
      `is '${access}' but has path parameters (${params.join(', ')}): name what they identify with ` +
      `ownerOf(kind), or say why they name nothing a user owns with unowned('${access}', because)`
    );
  }
  if (typeof access !== 'object' || access === null)
    return `states access ${JSON.stringify(access)}: ${hint}`;
  if ('owner' in access) {
    if (!knowsOwnerOf(access.owner)) {
      return `names the owner of "${access.owner}", a kind with no owner lookup: add one to OWNER_LOOKUPS (src/auth/owners.ts)`;
    }
    if (!params.includes(access.param)) {
      return `names the owner of the ${access.owner} in path parameter "${access.param}", which its path does not have`;
    }
    const others = params.filter((name) => name !== access.param && !(access.within ?? []).includes(name));
    if (others.length > 0) {
      return `checks the owner of "${access.param}" only, and has other path parameters (${others.join(', ')}) nothing checks`;
    }
    return undefined;
  }
  if (access.unowned !== 'public' && access.unowned !== 'user')
    return `states access ${JSON.stringify(access)}: ${hint}`;
  if (typeof access.because !== 'string' || access.because.trim() === '') {
    return `is unowned('${access.unowned}') without saying why its path parameters name nothing a user owns`;
  }
  return undefined;
}
