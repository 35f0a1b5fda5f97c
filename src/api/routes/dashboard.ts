import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { unowned } from '../route-access.js';

/**
 * The folder the dashboard is built into (`npm run build:dashboard`, part of `npm run build`): the
 * first `dashboard/dist` above this file, so it is found from src/ (tests) and from dist/src/.
 */
export function findDashboardDir(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i += 1) {
    const candidate = path.join(dir, 'dashboard', 'dist');
    if (existsSync(path.join(candidate, 'index.html'))) return candidate;
    dir = path.dirname(dir);
  }
  return undefined;
}

/** Page addresses of the dashboard: each answers its one page, which routes itself in the browser. */
export const DASHBOARD_PAGES = '/ui';

/**
 * The web dashboard: its page at `/` and at every address under `/ui/` (so each page can be
 * opened directly, bookmarked and shared), and its files under `/assets/`. API addresses are never
 * answered with the page. Built files carry a hash in their names, so they are cached for good.
 */
export const dashboardRoutes: FastifyPluginAsync<{ dir: string | undefined }> = async (app, { dir }) => {
  const page = async (_request: FastifyRequest, reply: FastifyReply) => {
    if (!dir) {
      return reply.status(404).send({
        error: 'not_found',
        message: 'the dashboard is not built: run `npm run build` (or `npm start`, which builds it)',
      });
    }
    return reply
      .header('cache-control', 'no-cache')
      .type('text/html; charset=utf-8')
      .sendFile('index.html', dir);
  };
  app.get(
    '/',
    { config: { access: 'public' }, schema: { summary: 'The web dashboard', tags: ['dashboard'] } },
    page,
  );
  app.get(
    `${DASHBOARD_PAGES}/*`,
    {
      config: {
        access: unowned('public', "the dashboard's pages: the browser reads the path, the page asks the API"),
      },
      // Left out of the OpenAPI document: one address per page of the dashboard, not part of the API.
      schema: { hide: true },
    },
    page,
  );
  if (dir) {
    await app.withRouteAccess(unowned('public', "the dashboard's built files"), () =>
      app.register(fastifyStatic, {
        root: path.join(dir, 'assets'),
        prefix: '/assets/',
        decorateReply: true,
        immutable: true,
        maxAge: '365d',
      }),
    );
  }
};
