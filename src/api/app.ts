import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { JobService } from '../jobs/job-service.js';
import { errorHandler } from './error-handler.js';
import { healthRoutes, type HealthCheck } from './routes/health.js';
import { jobRoutes } from './routes/jobs.js';
import { runRoutes } from './routes/runs.js';
import { scheduleRoutes } from './routes/schedules.js';
import type { ScheduleService } from '../scheduler/schedule-service.js';
import { validatorCompiler } from './validation.js';

export interface AppDeps {
  jobs: JobService;
  schedules: ScheduleService;
  logger: Logger;
  corsOrigins: string[] | boolean;
  healthChecks: Record<string, HealthCheck>;
}

export async function buildApp({
  jobs,
  schedules,
  logger,
  corsOrigins,
  healthChecks,
}: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send({ error: 'not_found', message: `no route ${request.method} ${request.url}; see /docs` }),
  );

  await app.register(cors, { origin: corsOrigins });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Task Deploy Service',
        description:
          'Runs commands in Docker containers, once or on a cron schedule, and delivers the logs, outputs and CPU/memory metrics of every run to S3.',
        version: '0.1.0',
      },
      tags: [{ name: 'jobs' }, { name: 'schedules' }, { name: 'runs' }, { name: 'health' }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(healthRoutes, { checks: healthChecks });
  await app.register(jobRoutes, { jobs, schedules });
  await app.register(scheduleRoutes, { schedules });
  await app.register(runRoutes, { jobs });
  return app as unknown as FastifyInstance;
}
