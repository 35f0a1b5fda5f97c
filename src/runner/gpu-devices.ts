// A run's `gpus` as the devices its container asks the engine for, and the reason a run records
// when the engine cannot give them.
import type {
  ContainerEngine,
  ContainerSpec,
  DeviceRequest,
} from '../../services/docker/container-engine.js';
import { RunFailure, errorMessage } from '../errors.js';
import type { Gpus } from '../jobs/job-spec.js';

/** The engine's request for GPUs: any driver that offers the `gpu` capability; -1 for all of them. */
export function gpuDevices(gpus: Gpus | undefined): { devices?: DeviceRequest[] } {
  if (gpus === undefined) return {};
  return { devices: [{ driver: '', count: gpus === 'all' ? -1 : gpus, capabilities: [['gpu']] }] };
}

/**
 * Creates and starts the container; when it asks for GPUs and the engine cannot give them, the
 * run records why in words a person can act on. On an engine without a GPU runtime (the NVIDIA
 * Container Toolkit) Docker answers `could not select device driver "" with capabilities:
 * [[gpu]]`, which says nothing to the person reading the run.
 */
export async function runContainerWithDevices(
  engine: Pick<ContainerEngine, 'runContainer'>,
  workerId: string,
  spec: ContainerSpec,
): Promise<string> {
  try {
    return await engine.runContainer(spec);
  } catch (error) {
    const gpus = spec.devices?.find((device) => device.capabilities.some((set) => set.includes('gpu')));
    if (gpus === undefined || !/could not select device driver|nvidia/i.test(errorMessage(error)))
      throw error;
    const asked = gpus.count === -1 ? 'all GPUs' : `${gpus.count} GPU${gpus.count === 1 ? '' : 's'}`;
    throw new RunFailure(
      'infra_error',
      `the run asks for ${asked}, but the Docker engine of worker "${workerId}" could not give them ` +
        `(${errorMessage(error)}): its host needs GPUs and the NVIDIA Container Toolkit, or the worker ` +
        'should not hold the "gpu" tag (TDS_WORKER_TAGS)',
      { cause: error },
    );
  }
}
