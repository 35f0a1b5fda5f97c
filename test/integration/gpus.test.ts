import { randomUUID } from 'node:crypto';
import Docker from 'dockerode';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDockerEngine } from '../../services/docker/docker-engine.js';
import { gpuDevices } from '../../src/runner/gpu-devices.js';
import {
  createBucket,
  createTestDatabase,
  jobBody,
  startTestService,
  type TestService,
} from '../support/harness.js';

/**
 * GPUs on the real engine. This machine's engine has no GPU runtime, so a container asking for
 * GPUs is created (with its device request) but cannot start: the creation is checked, and that
 * a run asking for GPUs goes only to a worker holding the `gpu` tag and, on such a host, fails
 * saying why.
 */
const docker = new Docker();
const engine = createDockerEngine(docker, pino({ level: 'silent' }), 'local');
const containers: string[] = [];
let api: TestService;
let plain: TestService | undefined;
let gpu: TestService | undefined;
let bucket: string;
let databaseUrl: string;
let hasGpuRuntime: boolean;

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  api = await startTestService({ databaseUrl, roles: ['api'], env: { TDS_USER_MAX_GPUS: '2' } });
  plain = await startTestService({ databaseUrl, roles: ['worker'], workerId: 'gpus-plain' });
  bucket = await createBucket();
  hasGpuRuntime = (await engine.platform()).runtimes.includes('nvidia');
});

afterAll(async () => {
  await Promise.all([plain?.close(), gpu?.close()]);
  await api?.close();
  for (const name of containers) {
    await docker
      .getContainer(name)
      .remove({ force: true })
      .catch(() => undefined);
  }
});

/** On no network: the runs here need none, and a network of their own is one more thing that can fail. */
async function submit(overrides: Record<string, unknown>) {
  const { status, body } = await api.request(
    'POST',
    '/jobs',
    jobBody(bucket, { network: 'none', ...overrides }),
  );
  expect(status, JSON.stringify(body)).toBe(202);
  return body;
}

describe('gpus', () => {
  it.each([
    [1, 1],
    ['all', -1],
  ] as const)('creates the container of gpus=%j with a device request for Count %j', async (gpus, count) => {
    const name = `tds-gpu-test-${randomUUID()}`;
    containers.push(name);
    const started = engine.runContainer({
      name,
      image: inject('baseImage'),
      env: [],
      labels: {},
      cpus: 0.5,
      memoryBytes: 64 * 1024 * 1024,
      pidsLimit: 64,
      workingDir: '/',
      user: '10001:10001',
      network: 'none',
      volumes: [],
      tmpfs: {},
      entrypoint: ['true'],
      ...gpuDevices(gpus),
    });
    if (hasGpuRuntime) await expect(started).resolves.toMatch(/^[0-9a-f]{64}$/);
    else
      await expect(started).rejects.toThrow(
        /could not select device driver "" with capabilities: \[\[gpu\]\]/,
      );
    const { HostConfig } = await docker.getContainer(name).inspect();
    expect(HostConfig.DeviceRequests).toEqual([
      expect.objectContaining({ Driver: '', Count: count, Capabilities: [['gpu']] }),
    ]);
  });

  it('refuses a count that is not one, and more than TDS_USER_MAX_GPUS, saying which field', async () => {
    for (const gpus of [0, 1.5, 'some']) {
      const { status, body } = await api.request('POST', '/jobs', jobBody(bucket, { gpus }));
      expect(status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(body)).toContain('/gpus');
    }
    for (const gpus of [3, 'all']) {
      const { status, body } = await api.request('POST', '/jobs', jobBody(bucket, { gpus }));
      expect(status, JSON.stringify(body)).toBe(403);
      expect(body.message).toContain(`gpus ${gpus} (ceiling 2)`);
    }
  });

  it('leaves a run asking for GPUs to a worker holding the gpu tag; on a host without the NVIDIA runtime it fails saying so', async () => {
    const asking = await submit({ gpus: 1, max_attempts: 1, command: 'echo gpu' });
    expect(asking.job.spec).toMatchObject({ gpus: 1, requires: ['gpu'] });
    // The plain worker takes the job after it, and never this one.
    const after = await submit({ command: 'echo plain' });
    expect(await api.waitForRun(after.run.id)).toMatchObject({ state: 'succeeded', workerId: 'gpus-plain' });
    const { body: waiting } = await api.request('GET', `/runs/${asking.run.id}`);
    expect(waiting).toMatchObject({ state: 'queued', waiting_for: ['gpu'] });

    gpu = await startTestService({
      databaseUrl,
      roles: ['worker'],
      workerId: 'gpus-tagged',
      env: { TDS_WORKER_TAGS: 'gpu' },
    });
    const ended = await api.waitForRun(asking.run.id);
    expect(ended.workerId).toBe('gpus-tagged');
    if (hasGpuRuntime) {
      expect(ended.state).toBe('succeeded');
      return;
    }
    expect(ended.state).toBe('failed');
    expect(ended.failure.reason).toBe('infra_error');
    expect(ended.failure.message).toContain(
      'the run asks for 1 GPU, but the Docker engine of worker "gpus-tagged"',
    );
    expect(ended.failure.message).toContain('NVIDIA Container Toolkit');
    expect(ended.failure.message).toContain('could not select device driver');
  });
});
