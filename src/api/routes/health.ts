import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { Principal } from '../../auth/principal.js';

export type HealthCheck = () => Promise<void>;

/** A check that has not answered by then counts as failing: a hung database must not hang probes. */
const CHECK_TIMEOUT_MS = 3000;
/**
 * A readiness answer is reused for this long, and callers meanwhile wait for the one under way, so
 * a flood of /readyz costs at most one database query and one engine ping a second.
 */
const REUSE_MS = 1000;

export interface HealthRouteOptions {
  checks: Record<string, HealthCheck>;
  authEnabled: boolean;
  /** Authenticates a request's key as every other route does (401 for a bad one). */
  authenticate(request: FastifyRequest, reply: FastifyReply): Promise<Principal>;
}

/** Each check's outcome: `ok`, or why it failed (for operators only). */
async function runChecks(checks: Record<string, HealthCheck>): Promise<Record<string, string>> {
  const results: Record<string, string> = {};
  await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer in ${CHECK_TIMEOUT_MS / 1000} s`)),
          CHECK_TIMEOUT_MS,
        );
      });
      try {
        await Promise.race([check(), late]);
        results[name] = 'ok';
      } catch (error) {
        results[name] = `failing: ${error instanceof Error ? error.message : String(error)}`;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return results;
}

export const healthRoutes: FastifyPluginAsyncTypebox<HealthRouteOptions> = async (
  app,
  { checks, authEnabled, authenticate },
) => {
  app.get(
    '/healthz',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Liveness: the process answers (nothing else is asked)',
        description:
          'Reads nothing and is never rate limited: for a container HEALTHCHECK or a liveness probe. Whether the database and the Docker engine answer is GET /readyz.',
        tags: ['health'],
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  let last: { at: number; results: Promise<Record<string, string>> } | undefined;
  const readiness = () => {
    const now = Date.now();
    if (!last || now - last.at >= REUSE_MS) last = { at: now, results: runChecks(checks) };
    return last.results;
  };

  const Report = Type.Object({
    status: Type.Union([Type.Literal('ok'), Type.Literal('not_ready')]),
    checks: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'each check and why it fails: operators only',
      }),
    ),
  });
  app.get(
    '/readyz',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Readiness: whether the database and the Docker engine answer',
        description:
          'Anyone sees `ok` (200) or `not_ready` (503); an operator key (or local development) also sees each check and why it fails. A key sent is checked: a bad one gets 401.',
        tags: ['health'],
        response: { 200: Report, 503: Report },
      },
    },
    async (request, reply) => {
      const principal =
        request.headers.authorization !== undefined || !authEnabled
          ? await authenticate(request, reply)
          : undefined;
      const results = await readiness();
      const ok = Object.values(results).every((r) => r === 'ok');
      const operator = principal !== undefined && principal.kind !== 'user';
      return reply
        .status(ok ? 200 : 503)
        .send({ status: ok ? 'ok' : 'not_ready', ...(operator ? { checks: results } : {}) });
    },
  );
};
