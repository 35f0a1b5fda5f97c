import { describe, expect, it } from 'vitest';
import type { ContainerSpec } from '../../services/docker/container-engine.js';
import { RunFailure } from '../../src/errors.js';
import { gpuDevices, runContainerWithDevices } from '../../src/runner/gpu-devices.js';

const SPEC = { name: 'c', image: 'i' } as ContainerSpec;
const refusing = (message: string) => ({
  runContainer: async (): Promise<string> => {
    throw new Error(message);
  },
});
const NO_DRIVER =
  '(HTTP code 500) server error - could not select device driver "" with capabilities: [[gpu]]';

describe('gpus as device requests', () => {
  it('asks for a count of GPUs, all of them as -1, and nothing without gpus', () => {
    expect(gpuDevices(2)).toEqual({ devices: [{ driver: '', count: 2, capabilities: [['gpu']] }] });
    expect(gpuDevices('all')).toEqual({ devices: [{ driver: '', count: -1, capabilities: [['gpu']] }] });
    expect(gpuDevices(undefined)).toEqual({});
  });

  it('records why a container asking for GPUs could not start, in words a person can act on', async () => {
    const failure = await runContainerWithDevices(refusing(NO_DRIVER), 'w1', {
      ...SPEC,
      ...gpuDevices('all'),
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RunFailure);
    expect((failure as RunFailure).reason).toBe('infra_error');
    expect((failure as RunFailure).message).toBe(
      `the run asks for all GPUs, but the Docker engine of worker "w1" could not give them (${NO_DRIVER}): its host needs GPUs and the NVIDIA Container Toolkit, or the worker should not hold the "gpu" tag (TDS_WORKER_TAGS)`,
    );
  });

  it('leaves any other failure as it is', async () => {
    await expect(runContainerWithDevices(refusing(NO_DRIVER), 'w1', SPEC)).rejects.not.toBeInstanceOf(
      RunFailure,
    );
    const other = runContainerWithDevices(refusing('no such image'), 'w1', { ...SPEC, ...gpuDevices(1) });
    await expect(other).rejects.toThrow('no such image');
    await expect(
      runContainerWithDevices({ runContainer: async () => 'id' }, 'w1', { ...SPEC, ...gpuDevices(1) }),
    ).resolves.toBe('id');
  });
});
