import type Docker from 'dockerode';
import type { Logger } from 'pino';
import type { ContainerEngine } from './container-engine.js';
import {
  containerStats,
  getArchive,
  inspectContainer,
  killContainer,
  listContainers,
  renameContainer,
  signalContainer,
  removeContainer,
  fillVolumes,
  runContainer,
  volumeUsage,
} from './docker-containers.js';
import { watchContainers } from './docker-events.js';
import {
  buildImage,
  imageHasPath,
  imageId,
  inspectImage,
  listImages,
  pullImage,
  removeImage,
  removeImageIfUnused,
} from './docker-images.js';
import { copyLogs, followLogs, readLogs } from './docker-logs.js';
import { runOnEngineHost } from './docker-engine-host.js';
import { createNetwork, listNetworks, networkContainers, removeNetwork } from './docker-networks.js';
import type { SubnetPool } from './subnet-pool.js';
import { createVolume, listVolumes, removeVolume } from './docker-volumes.js';

export function dockerOptions(dockerHost: string | undefined): Docker.DockerOptions {
  if (!dockerHost) return { socketPath: '/var/run/docker.sock' };
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
  const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
  return {
    host: url.hostname,
    port: Number(url.port || 2375),
    protocol: url.protocol === 'https:' ? 'https' : 'http',
  };
}

/**
 * The ContainerEngine over one Docker engine (`address` names it in logs and the fleet): each call
 * is a named function of its concern (images, containers, logs, networks, events) given `docker`.
 */
export function createDockerEngine(
  docker: Docker,
  logger: Logger,
  address: string,
  /** Where runs' own networks take their subnets (Docker's default pools without one). */
  subnets?: SubnetPool,
): ContainerEngine {
  let engineIdOnce: Promise<string> | undefined;
  return {
    address,
    async ping() {
      await docker.ping();
    },
    async platform() {
      const info = (await docker.info()) as {
        OSType?: string;
        Architecture?: string;
        Runtimes?: Record<string, unknown>;
        NCPU?: number;
        MemTotal?: number;
      };
      return {
        os: info.OSType ?? '',
        architecture: info.Architecture ?? '',
        runtimes: Object.keys(info.Runtimes ?? {}),
        cpus: info.NCPU ?? 0,
        memoryBytes: info.MemTotal ?? 0,
      };
    },
    engineId() {
      // It never changes while the engine runs: asked once, asked again after a failure.
      engineIdOnce ??= (docker.info() as Promise<{ ID?: string }>).then(
        (info) => info.ID || address,
        (error: unknown) => {
          engineIdOnce = undefined;
          throw error;
        },
      );
      return engineIdOnce;
    },
    imageId: (ref) => imageId(docker, ref),
    pullImage: (ref) => pullImage(docker, ref),
    inspectImage: (ref) => inspectImage(docker, ref),
    imageHasPath: (ref, path, labels) => imageHasPath(docker, ref, path, labels),
    buildImage: (options) => buildImage(docker, options),
    removeImage: (ref) => removeImage(docker, ref),
    removeImageIfUnused: (ref) => removeImageIfUnused(docker, ref),
    listImages: (repository) => listImages(docker, repository),
    runContainer: (spec) => runContainer(docker, logger, spec),
    fillVolumes: (spec, files) => fillVolumes(docker, logger, spec, files),
    inspectContainer: (id) => inspectContainer(docker, id),
    listContainers: (label) => listContainers(docker, label),
    containerStats: (id) => containerStats(docker, id),
    volumeUsage: (counted) => volumeUsage(docker, counted),
    getArchive: (id, path) => getArchive(docker, id, path),
    signalContainer: (id, signal) => signalContainer(docker, id, signal),
    killContainer: (id) => killContainer(docker, id),
    renameContainer: (id, name) => renameContainer(docker, id, name),
    removeContainer: (id) => removeContainer(docker, id),
    copyLogs: (id, stdout, stderr) => copyLogs(docker, id, stdout, stderr),
    followLogs: (id, signal) => followLogs(docker, id, signal),
    readLogs: (id, tailLines, maxBytes) => readLogs(docker, id, tailLines, maxBytes),
    createNetwork: (name, labels, bridgeInterface) =>
      createNetwork(docker, name, labels, bridgeInterface, subnets),
    removeNetwork: (name) => removeNetwork(docker, name),
    networkContainers: (name) => networkContainers(docker, name),
    listNetworks: (label) => listNetworks(docker, label),
    runOnEngineHost: (image, command, labels) => runOnEngineHost(docker, image, command, labels),
    createVolume: (name, labels) => createVolume(docker, name, labels),
    removeVolume: (name) => removeVolume(docker, name),
    listVolumes: (label) => listVolumes(docker, label),
    watchContainers: (label, onEvent, signal) => watchContainers(docker, label, onEvent, signal, logger),
  };
}
