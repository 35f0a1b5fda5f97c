import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { WorkflowSchema } from '../../src/api/routes/workflows.js';
import { parseWorkflowRequest, readStoredDefinition } from '../../src/workflows/workflow-definition.js';

// The answer schema declares the fields readers rely on (steps, dependencies, fan-out, params) and
// leaves the definition open: Fastify serialises an answer by its schema, so a field the schema did
// not let through would vanish from GET /workflows/:id.

const DEFAULTS = {
  timeoutSeconds: 3600,
  cpus: 1,
  memoryMb: 512,
  diskMb: 1024,
  metricsIntervalSeconds: 1,
  baseImage: 'debian:bookworm-slim',
  network: 'none' as const,
};

async function served(answer: unknown): Promise<unknown> {
  const app = Fastify();
  app.get('/w', { schema: { response: { 200: WorkflowSchema } } }, async () => answer);
  const reply = await app.inject({ method: 'GET', url: '/w' });
  await app.close();
  expect(reply.statusCode).toBe(200);
  return reply.json();
}

describe("a workflow's stored definition in its answers", () => {
  it('is served as stored, every field kept: steps of each kind of fan-out, an image step, params', async () => {
    const stored = readStoredDefinition(
      JSON.parse(
        JSON.stringify(
          parseWorkflowRequest(
            {
              userId: 'alice',
              uniqueId: 'pipeline',
              s3_bucket: 'bucket',
              source_s3_prefix: 'in/',
              destination_s3_prefix: 'out/',
              env: { SHARED: '1' },
              max_parallel: 3,
              params: { regions: { type: 'list', default: ['eu', 'us'] }, greeting: { type: 'string' } },
              steps: [
                { name: 'list', command: 'echo "[1,2]"' },
                {
                  name: 'each',
                  depends_on: ['list'],
                  command: 'echo {{item}}',
                  for_each: '{{steps.list.result}}',
                },
                { name: 'fixed', command: 'echo {{item}}', for_each: ['a', 'b'], max_failures: '50%' },
                { name: 'region', command: 'echo {{item}}', for_each: '{{params.regions}}' },
                {
                  name: 'image',
                  depends_on: ['each', 'fixed'],
                  run_if: 'all_done',
                  image: 'debian:bookworm-slim',
                  args: ['echo', '{{params.greeting}}'],
                },
              ],
            },
            DEFAULTS,
          ),
        ),
      ),
    );
    expect(stored.steps.map((s) => s.forEach.kind)).toEqual(['none', 'dynamic', 'static', 'param', 'none']);
    const workflow = {
      id: '3f1c2b8e-5d7a-4c1e-9b2f-0a1b2c3d4e5f',
      userId: 'alice',
      uniqueId: 'pipeline',
      definition: stored,
      version: 1,
      schedule: null,
      createdAt: '2026-12-07T06:00:00.000Z',
      deletedAt: null,
    };
    expect(await served(workflow)).toEqual(JSON.parse(JSON.stringify(workflow)));
  });
});
