// Containers on a Docker engine: creating and starting one sandboxed, reading its state, its figures and its files, stopping and removing it.
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import {
  filesContainerName,
  type ContainerFiles,
  type ContainerSpec,
  type ContainerState,
  type ContainerStats,
} from './container-engine.js';
import { messageOf, statusOf, tolerate } from './docker-calls.js';

function toState(info: Docker.ContainerInspectInfo): ContainerState {
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ''),
    running: info.State.Running || info.State.Restarting,
    exitCode: info.State.Running ? null : info.State.ExitCode,
    oomKilled: info.State.OOMKilled,
    labels: info.Config.Labels ?? {},
    // The engine's zero time for a container never started.
    started: !info.State.StartedAt.startsWith('0001-'),
    image: info.Config.Image,
  };
}

/** The container's volumes as mounts: filled already, so never filled again from the image. */
function mountsOf(volumes: ContainerSpec['volumes'], writable: boolean): Docker.MountSettings[] {
  return volumes.map(({ name, dir, readOnly }) => ({
    Type: 'volume' as const,
    Source: name,
    Target: dir,
    ReadOnly: !writable && readOnly === true,
    // The engine's other volume options are optional, whatever the type declarations say.
    ...(writable ? {} : { VolumeOptions: { NoCopy: true } as Docker.MountSettings['VolumeOptions'] }),
  }));
}

/**
 * Fills `spec`'s volumes from its image and puts its `files` into them, through a container of the
 * same image and mounts, all writable, that is created and never started: the engine puts files
 * into a created container's volumes only if they are mounted writable, and the run's container
 * mounts some read-only. That container is removed at once.
 */
export async function fillVolumes(
  docker: Docker,
  logger: Logger,
  spec: ContainerSpec,
  files: ContainerFiles,
): Promise<void> {
  // One left by a crash while it was filling is removed first.
  await tolerate([404], () => docker.getContainer(filesContainerName(spec.name)).remove({ force: true }));
  const filler = await docker.createContainer({
    name: filesContainerName(spec.name),
    Image: spec.image,
    Entrypoint: ['/nonexistent-never-started'],
    Cmd: [],
    Labels: spec.labels,
    NetworkDisabled: true,
    HostConfig: { NetworkMode: 'none', Mounts: mountsOf(spec.volumes, true) },
  });
  try {
    await filler.putArchive(files.archive as unknown as NodeJS.ReadableStream, { path: files.dir });
    logger.debug({ containerId: filler.id, name: spec.name }, 'volumes filled');
  } finally {
    await tolerate([404], () => filler.remove({ force: true }));
  }
}

export async function runContainer(docker: Docker, logger: Logger, spec: ContainerSpec): Promise<string> {
  await tolerate([404], () => docker.getContainer(spec.name).remove({ force: true }));
  if (spec.files) await fillVolumes(docker, logger, spec, spec.files);
  const container = await docker.createContainer({
    name: spec.name,
    Image: spec.image,
    Env: spec.env,
    Labels: spec.labels,
    WorkingDir: spec.workingDir,
    User: spec.user,
    ...(spec.entrypoint ? { Entrypoint: spec.entrypoint, Cmd: [] } : {}),
    ...(spec.command ? { Cmd: spec.command } : {}),
    HostConfig: {
      NanoCpus: Math.round(spec.cpus * 1e9),
      Memory: spec.memoryBytes,
      MemorySwap: spec.memoryBytes,
      PidsLimit: spec.pidsLimit,
      Init: true,
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      NetworkMode: spec.network,
      ...(spec.devices?.length
        ? {
            DeviceRequests: spec.devices.map(({ driver, count, capabilities }) => ({
              Driver: driver,
              Count: count,
              Capabilities: capabilities,
            })),
          }
        : {}),
      // Volumes of its own, made (and labelled) for it: never shared with another container.
      Mounts: mountsOf(spec.volumes, !spec.files && spec.filled !== true),
      Tmpfs: Object.fromEntries(
        Object.entries(spec.tmpfs).map(([dir, bytes]) => [
          dir,
          `rw,exec,nosuid,nodev,mode=1777,size=${bytes}`,
        ]),
      ),
    },
  });
  logger.debug({ containerId: container.id, name: spec.name }, 'container created');
  await container.start();
  return container.id;
}

export async function inspectContainer(docker: Docker, id: string): Promise<ContainerState | undefined> {
  try {
    return toState(await docker.getContainer(id).inspect());
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

export async function listContainers(docker: Docker, label: string): Promise<ContainerState[]> {
  const list = await docker.listContainers({ all: true, filters: { label: [label] } });
  return list.map((c) => ({
    id: c.Id,
    name: (c.Names[0] ?? '').replace(/^\//, ''),
    running: c.State === 'running' || c.State === 'restarting',
    exitCode: null,
    oomKilled: false,
    labels: c.Labels ?? {},
    started: c.State !== 'created',
    image: c.Image,
  }));
}

export async function containerStats(docker: Docker, id: string): Promise<ContainerStats | undefined> {
  let stats: Docker.ContainerStats;
  try {
    stats = await docker.getContainer(id).stats({ stream: false, 'one-shot': true });
  } catch (error) {
    if (statusOf(error) === 404 || statusOf(error) === 409) return undefined;
    throw error;
  }
  const at = new Date(stats.read);
  // A stopped container answers with an empty reading, dated at the year 1.
  if (!(at.getTime() > 0)) return undefined;
  const memory = stats.memory_stats as Partial<Docker.MemoryStats> | undefined;
  const inactive = memory?.stats?.inactive_file ?? memory?.stats?.total_inactive_file ?? 0;
  return {
    at,
    cpuNanoseconds: stats.cpu_stats.cpu_usage.total_usage,
    memoryBytes: memory?.usage === undefined ? null : Math.max(0, memory.usage - inactive),
  };
}

export async function volumeUsage(
  docker: Docker,
  counted: (volumeName: string) => boolean,
): Promise<Map<string, number> | undefined> {
  let usage: {
    Volumes?: { Name: string; UsageData?: { Size: number } | null }[] | null;
    Containers?: { Id: string; Mounts?: { Type?: string; Name?: string }[] | null }[] | null;
  };
  try {
    usage = (await docker.df()) as typeof usage;
  } catch (error) {
    // The engine measures for one caller at a time (Docker 20.10 answers others with an error).
    if (/already running/i.test(messageOf(error))) return undefined;
    throw error;
  }
  const sizes = new Map<string, number>();
  for (const volume of usage.Volumes ?? []) sizes.set(volume.Name, Math.max(0, volume.UsageData?.Size ?? 0));
  const byContainer = new Map<string, number>();
  for (const container of usage.Containers ?? []) {
    // A volume mounted at two places counts once.
    const names = new Set(
      (container.Mounts ?? []).flatMap((mount) =>
        mount.Type === 'volume' && mount.Name ? [mount.Name] : [],
      ),
    );
    let bytes = 0;
    for (const name of names) if (counted(name)) bytes += sizes.get(name) ?? 0;
    byContainer.set(container.Id, bytes);
  }
  return byContainer;
}

export async function getArchive(docker: Docker, id: string, path: string): Promise<Readable | undefined> {
  try {
    return (await docker.getContainer(id).getArchive({ path })) as unknown as Readable;
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

export async function signalContainer(docker: Docker, id: string, signal: string): Promise<void> {
  await tolerate([404, 409], () => docker.getContainer(id).kill({ signal }));
}

export async function killContainer(docker: Docker, id: string): Promise<void> {
  await tolerate([304, 404, 409], () => docker.getContainer(id).kill());
}

export async function renameContainer(docker: Docker, id: string, name: string): Promise<void> {
  await docker.getContainer(id).rename({ name });
}

export async function removeContainer(docker: Docker, id: string): Promise<void> {
  await tolerate([404], () => docker.getContainer(id).remove({ force: true, v: true }));
}
