import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { pack } from 'tar-stream';
import type { Logger } from 'pino';
import { BuildError, errorMessage } from '../../src/errors.js';
import type { ContainerEngine, ContainerState } from './container-engine.js';
import { demultiplex, demultiplexBuffer, demultiplexFrames, lastBytes } from './demux.js';

function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode;
}

/** 404 (gone) and 304/409 (already stopped, or in the state asked for) are success for cleanup calls. */
async function tolerate(statuses: number[], action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (!statuses.includes(statusOf(error) ?? 0)) throw error;
  }
}

/** An image's list setting (Entrypoint, Cmd): null when unset or empty. */
function listOrNull(value: string[] | string | null | undefined): string[] | null {
  if (value === null || value === undefined) return null;
  const list = typeof value === 'string' ? [value] : value;
  return list.length > 0 ? list : null;
}

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

export function createDockerEngine(docker: Docker, logger: Logger, address: string): ContainerEngine {
  const toState = (info: Docker.ContainerInspectInfo): ContainerState => ({
    id: info.Id,
    running: info.State.Running || info.State.Restarting,
    exitCode: info.State.Running ? null : info.State.ExitCode,
    oomKilled: info.State.OOMKilled,
    labels: info.Config.Labels ?? {},
  });

  let engineIdOnce: Promise<string> | undefined;
  return {
    address,
    async ping() {
      await docker.ping();
    },
    async platform() {
      const info = (await docker.info()) as { OSType?: string; Architecture?: string };
      return { os: info.OSType ?? '', architecture: info.Architecture ?? '' };
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
    async imageId(ref) {
      try {
        return (await docker.getImage(ref).inspect()).Id;
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    async pullImage(ref) {
      const stream = await docker.pull(ref);
      await new Promise<void>((resolve, reject) => {
        docker.modem.followProgress(stream, (error: Error | null) => (error ? reject(error) : resolve()));
      });
    },
    async inspectImage(ref) {
      try {
        const info = await docker.getImage(ref).inspect();
        const config = info.Config as Partial<Docker.ImageInspectInfo['Config']> | undefined;
        return {
          id: info.Id,
          entrypoint: listOrNull(config?.Entrypoint),
          cmd: listOrNull(config?.Cmd),
          workingDir: config?.WorkingDir ?? '',
          user: config?.User ?? '',
          bytes: info.Size,
          labels: config?.Labels ?? {},
        };
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    async imageHasPath(ref, path, labels) {
      // Created with an entrypoint of its own: an image with neither entrypoint nor command
      // cannot be created otherwise. It is never started.
      const container = await docker.createContainer({
        Image: ref,
        Entrypoint: ['/nonexistent-never-started'],
        Cmd: [],
        Labels: labels,
        NetworkDisabled: true,
      });
      try {
        await container.infoArchive({ path });
        return true;
      } catch (error) {
        if (statusOf(error) === 404) return false;
        throw error;
      } finally {
        await tolerate([404], () => container.remove({ force: true, v: true }));
      }
    },
    async containerStats(id) {
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
    },
    async volumeUsage() {
      let usage: {
        Volumes?: { Name: string; UsageData?: { Size: number } | null }[] | null;
        Containers?: { Id: string; Mounts?: { Type?: string; Name?: string }[] | null }[] | null;
      };
      try {
        usage = (await docker.df()) as typeof usage;
      } catch (error) {
        // The engine measures for one caller at a time (Docker 20.10 answers others with an error).
        if (/already running/i.test(errorMessage(error))) return undefined;
        throw error;
      }
      const sizes = new Map<string, number>();
      for (const volume of usage.Volumes ?? [])
        sizes.set(volume.Name, Math.max(0, volume.UsageData?.Size ?? 0));
      const byContainer = new Map<string, number>();
      for (const container of usage.Containers ?? []) {
        let bytes = 0;
        for (const mount of container.Mounts ?? []) {
          if (mount.Type === 'volume' && mount.Name) bytes += sizes.get(mount.Name) ?? 0;
        }
        byContainer.set(container.Id, bytes);
      }
      return byContainer;
    },
    async buildImage({ context, tag, buildArgs, labels, noCache, signal }) {
      const lines: string[] = [];
      const stream = await docker.buildImage(context, {
        t: tag,
        buildargs: buildArgs,
        labels,
        nocache: noCache ?? false,
        rm: true,
        forcerm: true,
        abortSignal: signal,
      });
      let failure: string | undefined;
      await new Promise<void>((resolve, reject) => {
        docker.modem.followProgress(
          stream,
          (error: Error | null) => (error ? reject(error) : resolve()),
          (event: { stream?: string; error?: string; errorDetail?: { message?: string } }) => {
            if (event.stream) lines.push(event.stream);
            if (event.error) {
              failure = event.errorDetail?.message ?? event.error;
              lines.push(`${failure}\n`);
            }
          },
        );
      }).catch((error: unknown) => {
        failure ??= errorMessage(error);
      });
      const log = lines.join('');
      if (failure !== undefined) throw new BuildError(failure, log);
      return { log };
    },
    async runContainer(spec) {
      await tolerate([404], () => docker.getContainer(spec.name).remove({ force: true }));
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
          // Volumes of its own, made (and labelled) for it: never shared with another container.
          Mounts: spec.volumes.map(({ name, dir }) => ({
            Type: 'volume' as const,
            Source: name,
            Target: dir,
          })),
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
    },
    async inspectContainer(id) {
      try {
        return toState(await docker.getContainer(id).inspect());
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    async listContainers(label) {
      const list = await docker.listContainers({ all: true, filters: { label: [label] } });
      return list.map((c) => ({
        id: c.Id,
        running: c.State === 'running' || c.State === 'restarting',
        exitCode: null,
        oomKilled: false,
        labels: c.Labels ?? {},
      }));
    },
    async copyLogs(id, stdout, stderr) {
      const stream = (await docker
        .getContainer(id)
        .logs({ follow: true, stdout: true, stderr: true })) as unknown as Readable;
      await demultiplex(stream, stdout, stderr);
    },
    async *followLogs(id, signal) {
      const stream = (await docker
        .getContainer(id)
        .logs({ follow: true, stdout: true, stderr: true, abortSignal: signal })) as unknown as Readable;
      const stop = () => stream.destroy();
      signal.addEventListener('abort', stop, { once: true });
      try {
        yield* demultiplexFrames(stream);
      } finally {
        signal.removeEventListener('abort', stop);
        stream.destroy();
      }
    },
    async readLogs(id, tailLines, maxBytes) {
      // As a stream: dockerode buffers the whole answer without `follow`, and a job's lines can be
      // of any length (the engine cuts them into entries of 16 KiB, so 10,000 lines can be 160 MiB).
      const stream = await new Promise<Readable>((resolve, reject) => {
        docker.modem.dial(
          {
            path: `/containers/${id}/logs?`,
            method: 'GET',
            isStream: true,
            statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
            options: { follow: false, stdout: true, stderr: true, tail: tailLines },
          },
          (error, data) => (error ? reject(error) : resolve(data as Readable)),
        );
      });
      const stdout = lastBytes(maxBytes);
      const stderr = lastBytes(maxBytes);
      try {
        for await (const frame of demultiplexFrames(stream)) {
          (frame.stream === 'stderr' ? stderr : stdout).push(frame.payload);
        }
      } finally {
        stream.destroy();
      }
      return { stdout: stdout.text(), stderr: stderr.text() };
    },
    async getArchive(id, path) {
      try {
        return (await docker.getContainer(id).getArchive({ path })) as unknown as Readable;
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    async putFile(id, dir, name, content) {
      const archive = pack();
      archive.entry({ name, mode: 0o644 }, content);
      archive.finalize();
      await docker.getContainer(id).putArchive(archive as unknown as NodeJS.ReadableStream, { path: dir });
    },
    async killContainer(id) {
      await tolerate([304, 404, 409], () => docker.getContainer(id).kill());
    },
    async removeContainer(id) {
      await tolerate([404], () => docker.getContainer(id).remove({ force: true, v: true }));
    },
    async removeImage(ref) {
      await tolerate([404, 409], () => docker.getImage(ref).remove({ force: true, noprune: false }));
    },
    async removeImageIfUnused(ref) {
      try {
        await docker.getImage(ref).remove({ force: false, noprune: false });
        return true;
      } catch (error) {
        if (statusOf(error) === 404) return true;
        if (statusOf(error) === 409) return false;
        throw error;
      }
    },
    async createNetwork(name, labels, bridgeInterface) {
      try {
        await docker.createNetwork({
          Name: name,
          Driver: 'bridge',
          CheckDuplicate: true,
          Labels: labels,
          // Containers on it cannot reach each other, and each run has one of its own: Docker's
          // isolation rules drop traffic between two bridge networks.
          Options: {
            'com.docker.network.bridge.enable_icc': 'false',
            'com.docker.network.bridge.name': bridgeInterface,
          },
        });
      } catch (error) {
        if (statusOf(error) !== 409) throw error;
      }
    },
    async runOnEngineHost(image, command, labels) {
      const create = () =>
        docker.createContainer({
          Image: image,
          Entrypoint: command.slice(0, 1),
          Cmd: command.slice(1),
          Labels: labels,
          User: '0:0',
          HostConfig: {
            NetworkMode: 'host',
            CapAdd: ['NET_ADMIN'],
            // The host's programs, read-only; /run writable for the lock iptables shares with Docker.
            Binds: ['/:/host:ro', '/run:/host/run'],
          },
        });
      const container = await create().catch(async (error: unknown) => {
        if (statusOf(error) !== 404) throw error;
        await this.pullImage(image);
        return create();
      });
      try {
        await container.start();
        const { StatusCode } = (await container.wait()) as { StatusCode?: number };
        const logs = (await container.logs({ stdout: true, stderr: true, follow: false })) as Buffer;
        const { stdout, stderr } = demultiplexBuffer(logs);
        const output = `${stdout}${stderr}`;
        return { exitCode: StatusCode ?? null, output: output.slice(-4096) };
      } finally {
        await tolerate([404], () => container.remove({ force: true, v: true }));
      }
    },
    async createVolume(name, labels) {
      await docker.createVolume({ Name: name, Labels: labels });
    },
    async removeVolume(name) {
      await tolerate([404], () => docker.getVolume(name).remove());
    },
    async listVolumes(label) {
      const { Volumes } = await docker.listVolumes({ filters: { label: [label] } });
      return (Volumes ?? []).map((volume) => ({ name: volume.Name, labels: volume.Labels ?? {} }));
    },
    async removeNetwork(name) {
      await tolerate([404], () => docker.getNetwork(name).remove());
    },
    async listNetworks(label) {
      const networks = await docker.listNetworks({ filters: { label: [label] } });
      return networks.map((network) => ({ name: network.Name, labels: network.Labels ?? {} }));
    },
    async listImages(repository) {
      const images = await docker.listImages({ filters: { reference: [`${repository}:*`] } });
      return images.map((image) => ({
        id: image.Id,
        tags: image.RepoTags ?? [],
        labels: image.Labels ?? {},
      }));
    },
    watchContainers(label, onEvent, signal) {
      let delay = 250;
      const connect = async (): Promise<void> => {
        while (!signal.aborted) {
          try {
            const stream = (await docker.getEvents({
              filters: { type: ['container'], event: ['die', 'kill'], label: [label] },
              abortSignal: signal,
            } as Docker.GetEventsOptions)) as unknown as Readable;
            delay = 250;
            let buffered = '';
            for await (const chunk of stream) {
              buffered += (chunk as Buffer).toString('utf8');
              let newline: number;
              while ((newline = buffered.indexOf('\n')) >= 0) {
                const line = buffered.slice(0, newline).trim();
                buffered = buffered.slice(newline + 1);
                if (!line) continue;
                const event = JSON.parse(line) as {
                  Action?: string;
                  Actor?: { ID?: string; Attributes?: Record<string, string> };
                };
                const attributes = event.Actor?.Attributes ?? {};
                if (!event.Actor?.ID || (event.Action !== 'die' && event.Action !== 'kill')) continue;
                onEvent({
                  action: event.Action,
                  containerId: event.Actor.ID,
                  labels: attributes,
                  signal: attributes.signal,
                });
              }
            }
          } catch (error) {
            if (signal.aborted) return;
            logger.warn({ err: error }, 'the Docker event stream failed; reconnecting');
          }
          if (signal.aborted) return;
          await new Promise((resolve) => setTimeout(resolve, delay));
          delay = Math.min(delay * 2, 10_000);
        }
      };
      void connect();
    },
  };
}
