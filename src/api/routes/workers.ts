import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { FleetService } from '../../fleet/fleet-service.js';
import type { WorkerRecord } from '../../fleet/worker-registry.js';
import { ErrorSchema } from '../schemas.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema };
const conflict = { 409: ErrorSchema };

const WorkerSchema = Type.Object(
  {
    id: Type.String({ description: "the worker's TDS_WORKER_ID" }),
    host: Type.String({ description: 'the host name of the machine (or container) it runs on' }),
    tags: Type.Array(Type.String(), { description: 'TDS_WORKER_TAGS and its platform' }),
    platform: Type.String({ description: "its Docker engine's platform, e.g. linux/amd64" }),
    version: Type.String({ description: 'the version of the service it runs' }),
    capacity: Type.Integer({ description: 'runs it takes on at once (TDS_MAX_CONCURRENT_RUNS)' }),
    cpus: Type.Union([Type.Number(), Type.Null()], {
      description:
        "CPUs its runs under way may ask for together (TDS_WORKER_CPUS, else its engine's); null for a worker of an earlier release",
    }),
    memoryMb: Type.Union([Type.Integer(), Type.Null()], {
      description:
        "memory (MiB) its runs under way may ask for together (TDS_WORKER_MEMORY_MB, else its engine's); null for a worker of an earlier release",
    }),
    runsInHand: Type.Integer({ description: 'runs it is staging, building, running or uploading now' }),
    state: Type.Union([Type.Literal('active'), Type.Literal('draining'), Type.Literal('gone')], {
      description:
        'active: claims runs; draining: claims none and finishes what it holds (drained once runsInHand is 0); gone: stopped, or no heartbeat for TDS_LEASE_MS (its runs are taken over)',
    }),
    drained: Type.Boolean({ description: 'draining and holding no run: it may be stopped or upgraded' }),
    startedAt: Type.String({ format: 'date-time' }),
    lastHeartbeatAt: Type.String({ format: 'date-time' }),
    stoppedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    drainRequestedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { $id: 'Worker' },
);

const WorkerParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 256, description: "the worker's id" }),
});

function workerView(worker: WorkerRecord) {
  return {
    id: worker.id,
    host: worker.host,
    tags: worker.tags,
    platform: worker.platform,
    version: worker.version,
    capacity: worker.capacity,
    cpus: worker.cpus,
    memoryMb: worker.memoryMb,
    runsInHand: worker.runsInHand,
    state: worker.state,
    drained: worker.state === 'draining' && worker.runsInHand === 0,
    startedAt: worker.startedAt.toISOString(),
    lastHeartbeatAt: worker.lastHeartbeatAt.toISOString(),
    stoppedAt: worker.stoppedAt?.toISOString() ?? null,
    drainRequestedAt: worker.drainRequestedAt?.toISOString() ?? null,
  };
}

/** Operator routes over the fleet: the workers, draining one for maintenance, retiring a dead one. */
export const workerRoutes: FastifyPluginAsyncTypebox<{ fleet: FleetService }> = async (app, { fleet }) => {
  app.get(
    '/admin/workers',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'The fleet: every worker known, live ones first',
        tags: ['admin'],
        response: { 200: Type.Object({ workers: Type.Array(WorkerSchema) }), ...errors },
      },
    },
    async () => ({ workers: (await fleet.list()).map(workerView) }),
  );

  app.post(
    '/admin/workers/:id/drain',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Drain a worker: it claims no new run and finishes those it holds',
        description:
          'The worker claims no run from now on (its claims check the drain); runs it holds run to their end. Once drained (runsInHand 0) it idles, heartbeating, until undrained; the drain outlives restarts of the worker.',
        tags: ['admin'],
        params: WorkerParams,
        response: { 202: WorkerSchema, ...errors },
      },
    },
    async (request, reply) => {
      const worker = await fleet.drain(request.params.id);
      request.log.info({ workerId: worker.id, runsInHand: worker.runsInHand }, 'worker drain requested');
      return reply.status(202).send(workerView(worker));
    },
  );

  app.post(
    '/admin/workers/:id/undrain',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Undrain a worker: it claims runs again',
        tags: ['admin'],
        params: WorkerParams,
        response: { 202: WorkerSchema, ...errors },
      },
    },
    async (request, reply) => {
      const worker = await fleet.undrain(request.params.id);
      request.log.info({ workerId: worker.id }, 'worker undrained');
      return reply.status(202).send(workerView(worker));
    },
  );
  app.post(
    '/admin/workers/:id/retire',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Retire a worker that is gone without having stopped (it died, its host is lost)',
        description:
          'Records the worker stopped, so the fleet shows it stopped and tds_worker_heartbeat_age_seconds no longer counts it (TdsWorkerHeartbeatStale clears). Only a worker silent for TDS_LEASE_MS: a live one is refused with 409. Its runs are taken over as ever once its lease lapses; if it starts again it is live again. A stopped worker is answered as it is.',
        tags: ['admin'],
        params: WorkerParams,
        response: { 202: WorkerSchema, ...errors, ...conflict },
      },
    },
    async (request, reply) => {
      const worker = await fleet.retire(request.params.id);
      request.log.info({ workerId: worker.id }, 'worker retired');
      return reply.status(202).send(workerView(worker));
    },
  );
};
