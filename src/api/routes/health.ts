import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';

export type HealthCheck = () => Promise<void>;

export const healthRoutes: FastifyPluginAsyncTypebox<{ checks: Record<string, HealthCheck> }> = async (
  app,
  { checks },
) => {
  const Report = Type.Object({
    status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
    checks: Type.Record(Type.String(), Type.String()),
  });
  app.get(
    '/healthz',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Whether the database, object store and Docker engine answer',
        tags: ['health'],
        response: { 200: Report, 503: Report },
      },
    },
    async (_request, reply) => {
      const results: Record<string, string> = {};
      await Promise.all(
        Object.entries(checks).map(async ([name, check]) => {
          try {
            await check();
            results[name] = 'ok';
          } catch (error) {
            results[name] = `failing: ${error instanceof Error ? error.message : String(error)}`;
          }
        }),
      );
      const ok = Object.values(results).every((r) => r === 'ok');
      return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', checks: results });
    },
  );
};
