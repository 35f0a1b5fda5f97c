import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { FleetService } from '../../fleet/fleet-service.js';
import type { JobService } from '../../jobs/job-service.js';
import { ownerOf } from '../route-access.js';
import { ErrorSchema, IdParams, RunSchema } from '../schemas.js';
import { runView } from '../views.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };

export const runRoutes: FastifyPluginAsyncTypebox<{ jobs: JobService; fleet: FleetService }> = async (
  app,
  { jobs, fleet },
) => {
  app.get(
    '/runs/:id',
    {
      config: { access: ownerOf('run') },
      schema: {
        summary: 'A run: state, timings, exit code, failure reason, where its results are, and its history',
        tags: ['runs'],
        params: IdParams,
        response: { 200: RunSchema, ...errors },
      },
    },
    async (request) => {
      const { run, history } = await jobs.getRun(request.params.id);
      return { ...runView(run, history), ...(await fleet.whyQueued(run)) };
    },
  );

  app.get(
    '/runs/:id/logs',
    {
      config: { access: ownerOf('run') },
      schema: {
        summary: "A run's stdout and stderr: live while it runs, stored once it has ended",
        tags: ['runs'],
        params: IdParams,
        querystring: Type.Object(
          {
            tailBytes: Type.Optional(
              Type.Integer({
                minimum: 1,
                maximum: 16 * 1024 * 1024,
                default: 1024 * 1024,
                description: 'at most this many bytes of each stream, from the end',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            runId: Type.String(),
            state: Type.String(),
            source: Type.Union([Type.Literal('live'), Type.Literal('stored'), Type.Literal('none')]),
            stdout: Type.String(),
            stderr: Type.String(),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { run, logs } = await jobs.logs(request.params.id, request.query.tailBytes ?? 1024 * 1024);
      return { runId: run.id, state: run.state, ...logs };
    },
  );

  app.post(
    '/runs/:id/cancel',
    {
      config: { access: ownerOf('run') },
      schema: {
        summary: 'Cancel a run',
        description:
          'A queued run is cancelled at once. A started run is stopped by its worker; the logs, outputs and metrics up to that point are uploaded and the run ends cancelled.',
        tags: ['runs'],
        params: IdParams,
        response: { 202: RunSchema, ...errors },
      },
    },
    async (request, reply) => {
      const run = await jobs.cancel(request.params.id);
      request.log.info({ runId: run.id, jobId: run.jobId }, 'cancel requested');
      return reply.status(202).send(runView(run));
    },
  );
};
