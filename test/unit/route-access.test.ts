import Fastify, { type FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { authPlugin, routeAccessPlugin } from '../../src/api/auth.js';
import { errorHandler } from '../../src/api/error-handler.js';
import { accessProblem, ownerOf, pathParams, unowned, type RouteAccess } from '../../src/api/route-access.js';
import type { OwnedKind } from '../../src/auth/owners.js';
import type { Principal } from '../../src/auth/principal.js';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../../src/errors.js';

const known = (kind: string) => kind === 'job' || kind === 'run';

/** An app with the access plugins and a fake key check: "Bearer alice" is alice, "Bearer ops" an operator. */
async function appWith(routes: (app: FastifyInstance) => unknown): Promise<FastifyInstance> {
  const app = Fastify();
  app.setErrorHandler(errorHandler);
  await app.register(routeAccessPlugin, { knowsOwnerOf: known });
  await app.register(authPlugin, {
    access: {
      async authenticate(header: string | undefined): Promise<Principal> {
        if (header === 'Bearer alice') return { kind: 'user', userId: 'alice', keyId: 'k1' };
        if (header === 'Bearer ops') return { kind: 'operator', keyId: 'k2' };
        throw new UnauthorizedError('no key');
      },
      requireOperator(principal: Principal) {
        if (principal.kind === 'user') throw new ForbiddenError('operator key needed');
      },
      async requireOwner(principal: Principal, kind: string, id: string) {
        if (principal.kind === 'user' && id !== 'mine') throw new NotFoundError(kind, id);
      },
    },
  });
  await routes(app);
  await app.ready();
  return app;
}

const ok = async () => ({ ok: true });

describe('a route with no access statement', () => {
  it('stops the start, naming the method and URL', async () => {
    await expect(
      appWith((app) => {
        app.get('/healthz', { config: { access: 'public' } }, ok);
        app.get('/workflows/:id', ok);
      }),
    ).rejects.toThrow(/route GET \/workflows\/:id states no access: add `config: \{ access: … \}`/);
  });

  it('stops the start without an id parameter too', async () => {
    await expect(appWith((app) => app.post('/webhooks', ok))).rejects.toThrow(
      /route POST \/webhooks states no access/,
    );
  });

  it('stops the start when it comes from a plugin registered outside withRouteAccess', async () => {
    await expect(
      appWith((app) => {
        void app.register(async (plugin) => plugin.get('/plugin/thing', ok));
      }),
    ).rejects.toThrow(/route GET \/plugin\/thing states no access/);
  });
});

describe('statements that stop the start', () => {
  const cases: [string, string, RouteAccess, RegExp][] = [
    ['public with an id', '/workflows/:id', 'public', /is 'public' but has path parameters \(id\)/],
    ['user with an id', '/workflow-runs/:id', 'user', /is 'user' but has path parameters/],
    [
      'an owner kind with no lookup',
      '/webhooks/:id',
      ownerOf('webhook' as OwnedKind),
      /kind with no owner lookup: add one to OWNER_LOOKUPS/,
    ],
    [
      'an owner of a parameter the path lacks',
      '/jobs',
      ownerOf('job'),
      /path parameter "id", which its path/,
    ],
    [
      'a second parameter nothing checks',
      '/jobs/:id/runs/:runId',
      ownerOf('job'),
      /other path parameters \(runId\) nothing checks/,
    ],
    ['unowned without a reason', '/files/*', unowned('public', ' '), /without saying why/],
    ['a statement that is none of the kinds', '/x', 'anyone' as RouteAccess, /states access "anyone"/],
  ];
  it.each(cases)('%s', async (_name, url, access, message) => {
    await expect(appWith((app) => app.get(url, { config: { access } }, ok))).rejects.toThrow(message);
    expect(accessProblem(url, access, known)).toMatch(message);
  });

  it('accepts every kind of statement where it fits', () => {
    expect(accessProblem('/healthz', 'public', known)).toBeUndefined();
    expect(accessProblem('/jobs', 'user', known)).toBeUndefined();
    expect(accessProblem('/admin/users/:userId', 'operator', known)).toBeUndefined();
    expect(accessProblem('/jobs/:id/runs', ownerOf('job'), known)).toBeUndefined();
    expect(accessProblem('/runs/:runId', ownerOf('run', 'runId'), known)).toBeUndefined();
    expect(accessProblem('/jobs/:id/steps/:name', ownerOf('job', 'id', ['name']), known)).toBeUndefined();
    expect(accessProblem('/jobs/:id/steps/:name/:x', ownerOf('job', 'id', ['name']), known)).toMatch(
      /other path parameters \(x\) nothing checks/,
    );
    expect(accessProblem('/docs/*', unowned('public', 'documentation files'), known)).toBeUndefined();
    expect(pathParams('/a/:id/b/:other-c/*')).toEqual(['id', 'other', '*']);
  });
});

describe('the statement, applied to requests', () => {
  it('authenticates all but public routes, keeps operator routes to operators, and owned things to their owner', async () => {
    const app = await appWith((app) => {
      app.get('/healthz', { config: { access: 'public' } }, ok);
      app.get('/admin/things/:id', { config: { access: 'operator' } }, ok);
      app.get('/things', { config: { access: 'user' } }, ok);
      app.get('/jobs/:id', { config: { access: ownerOf('job') } }, ok);
    });
    const status = async (url: string, key?: string) =>
      (await app.inject({ url, headers: key ? { authorization: `Bearer ${key}` } : {} })).statusCode;
    expect(await status('/healthz')).toBe(200);
    expect(await status('/things')).toBe(401);
    expect(await status('/things', 'alice')).toBe(200);
    expect(await status('/admin/things/1', 'alice')).toBe(403);
    expect(await status('/admin/things/1', 'ops')).toBe(200);
    expect(await status('/jobs/mine', 'alice')).toBe(200);
    const other = await app.inject({ url: '/jobs/theirs', headers: { authorization: 'Bearer alice' } });
    expect(other.statusCode).toBe(404);
    expect(other.json().message).toBe('no job with id "theirs"');
    expect(await status('/jobs/theirs', 'ops')).toBe(200);
    // An unknown route answers only a caller with a valid key.
    expect(await status('/nope')).toBe(401);
    await app.close();
  });

  it("gives a plugin's routes the statement they are registered under, and lists every route", async () => {
    const app = await appWith(async (app) => {
      await app.withRouteAccess(unowned('public', 'files of a page'), () =>
        app.register(
          async (plugin) => {
            plugin.get('/', ok);
            plugin.get('/static/*', ok);
          },
          { prefix: '/page' },
        ),
      );
      app.get('/jobs/:id', { config: { access: ownerOf('job') } }, ok);
    });
    expect((await app.inject({ url: '/page/static/app.js' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/page' })).statusCode).toBe(200);
    expect(app.routeAccess()).toEqual(
      expect.arrayContaining([
        { method: 'GET', url: '/page/static/*', access: unowned('public', 'files of a page') },
        { method: 'HEAD', url: '/page/static/*', access: unowned('public', 'files of a page') },
        { method: 'GET', url: '/jobs/:id', access: ownerOf('job') },
      ]),
    );
    await app.close();
  });
});
