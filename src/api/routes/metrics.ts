import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ErrorSchema } from '../schemas.js';

/** What /metrics serves: Prometheus' text format. */
export interface MetricsEndpoint {
  contentType: string;
  render(): Promise<string>;
}

/** GET /metrics on the API, for an operator key (TDS_METRICS_PORT moves it to a listener of its own). */
export const metricsRoutes: FastifyPluginAsyncTypebox<{ metrics: MetricsEndpoint }> = async (
  app,
  { metrics },
) => {
  app.get(
    '/metrics',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Prometheus metrics (text exposition format); see docs/metrics.md',
        tags: ['health'],
        response: {
          200: Type.String({ description: 'text/plain; version=0.0.4' }),
          401: ErrorSchema,
          403: ErrorSchema,
        },
      },
    },
    async (_request, reply) => reply.type(metrics.contentType).send(await metrics.render()),
  );
};
