import type { Readable, Writable } from 'node:stream';
import type { LogFrame } from './demux.js';

export type { LogFrame };

export interface BuildImageOptions {
  /** A tar stream of the build context. */
  context: Readable;
  tag: string;
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
  /** Build every step afresh instead of reusing cached layers from other builds. */
  noCache?: boolean;
  signal?: AbortSignal;
}

/**
 * A container to run. Every container runs sandboxed, whatever the spec says: a read-only root
 * filesystem, no capabilities, no-new-privileges, no host folder or Docker socket mounted, and
 * only the environment given here.
 */
/** A tar stream of files and the folder (a volume's) it is put under. */
export interface ContainerFiles {
  dir: string;
  archive: Readable;
}

export interface ContainerSpec {
  name: string;
  image: string;
  env: string[];
  labels: Record<string, string>;
  cpus: number;
  memoryBytes: number;
  pidsLimit: number;
  workingDir: string;
  /** `uid:gid` the container's processes run as. */
  user: string;
  /** `none` (loopback only), or the name of a network made with createNetwork. */
  network: string;
  /**
   * Folders that outlive the container's exit (read with getArchive afterwards): each the named
   * volume made for it with createVolume, filled from the image when first mounted, and removed
   * with removeVolume (not with the container). The container may write to them unless `readOnly`
   * (then only `files` put them there).
   */
  volumes: { name: string; dir: string; readOnly?: boolean }[];
  /**
   * A tar stream of files put into the volumes before the container starts, under `dir` (a
   * volume's folder: the root filesystem is read-only). Entries keep their owners and modes; a
   * folder entry naming a volume's mount point gives that volume's root its owner and mode.
   */
  files?: ContainerFiles;
  /**
   * Its volumes were filled already by fillVolumes: mounted as they are (read-only where asked),
   * never filled again from the image.
   */
  filled?: boolean;
  /** Writable in-memory folders, lost at exit: path → size in bytes. */
  tmpfs: Record<string, number>;
  /** Replaces the image's entrypoint; the image's command is then not used unless `command` is given. */
  entrypoint?: string[];
  /** The command given to the entrypoint (the image's CMD is replaced). */
  command?: string[];
  /**
   * Devices the engine gives the container (GPUs): each a driver ('' lets the engine choose), a
   * count (-1 for all) and the capabilities asked for (`[['gpu']]`). The engine refuses to start
   * a container whose devices it cannot give.
   */
  devices?: DeviceRequest[];
}

export interface DeviceRequest {
  driver: string;
  count: number;
  capabilities: string[][];
}

/** How an image says it runs, from its configuration. */
export interface ImageConfig {
  id: string;
  /** Null when the image sets none. */
  entrypoint: string[] | null;
  cmd: string[] | null;
  /** Empty when the image sets none. */
  workingDir: string;
  user: string;
  /** Disk the image takes, its layers shared with other images included. */
  bytes: number;
  /** Its labels (those of the images it was built on included, unless replaced). */
  labels: Record<string, string>;
}

/** One reading of a running container's resources, as the engine counts them. */
export interface ContainerStats {
  /** When the engine read them. */
  at: Date;
  /** The container's CPU time so far, in nanoseconds. */
  cpuNanoseconds: number;
  /** Memory as `docker stats` counts it: usage less inactive file cache; null if not reported. */
  memoryBytes: number | null;
}

export interface ContainerState {
  id: string;
  /** Its name, without the engine's leading slash. */
  name: string;
  running: boolean;
  exitCode: number | null;
  oomKilled: boolean;
  labels: Record<string, string>;
  /** Whether it was ever started (one only created is not). */
  started: boolean;
  /** The image it was created from, as it was named. */
  image: string;
}

export interface ContainerEvent {
  /** `die`: the container stopped; `kill`: a signal was sent to it (by anyone). */
  action: 'die' | 'kill';
  containerId: string;
  labels: Record<string, string>;
  /** The signal of a `kill` event. */
  signal?: string;
}

/** The narrow container-engine interface the application uses; implemented over dockerode. */
export interface ContainerEngine {
  /** Where the engine is reached, for messages. */
  readonly address: string;
  ping(): Promise<void>;
  /**
   * The engine's operating system and architecture, as it reports them (`linux`, `x86_64`), and the
   * container runtimes it has (`runc`, and `nvidia` where the NVIDIA Container Toolkit is set up).
   */
  platform(): Promise<{
    os: string;
    architecture: string;
    runtimes: string[];
    /** The CPUs and memory (bytes) of the engine's host, as the engine reports them (NCPU, MemTotal). */
    cpus: number;
    memoryBytes: number;
  }>;
  /** The engine's own id: the same for every client of one engine, whatever address reaches it. */
  engineId(): Promise<string>;
  imageId(ref: string): Promise<string | undefined>;
  pullImage(ref: string): Promise<void>;
  /** The image's configuration, or undefined when the engine does not have it. */
  inspectImage(ref: string): Promise<ImageConfig | undefined>;
  /**
   * Whether `path` exists in the image's filesystem: looked at in a container created from it and
   * never started (so an image without a shell can be looked into), removed at once.
   */
  imageHasPath(ref: string, path: string, labels: Record<string, string>): Promise<boolean>;
  /** A reading of a running container's CPU and memory; undefined once it has stopped or is gone. */
  containerStats(id: string): Promise<ContainerStats | undefined>;
  /**
   * The bytes each container's volumes hold (those whose name `counted` accepts), by container id,
   * as the engine measures them (it walks them as root: nothing a container hides from its own user
   * is missed); undefined when the engine is already measuring for another caller and refused this one.
   */
  volumeUsage(counted: (volumeName: string) => boolean): Promise<Map<string, number> | undefined>;
  /** Builds and tags an image; resolves with the build log, or throws BuildError carrying it. */
  buildImage(options: BuildImageOptions): Promise<{ log: string }>;
  /** Puts the spec's `files` into its volumes, then creates and starts the container; resolves with its id. */
  runContainer(spec: ContainerSpec): Promise<string>;
  /**
   * Fills the spec's volumes from its image and puts `files` into them, without creating the
   * container: run it afterwards with `filled`. What runContainer does first when given `files`,
   * for a caller with other work (a network to make) to do beside it.
   */
  fillVolumes(spec: ContainerSpec, files: ContainerFiles): Promise<void>;
  inspectContainer(id: string): Promise<ContainerState | undefined>;
  listContainers(label: string): Promise<ContainerState[]>;
  /** Writes the container's stdout and stderr (demultiplexed) to the given streams, then ends them. */
  copyLogs(id: string, stdout: Writable, stderr: Writable): Promise<void>;
  /**
   * The container's stdout and stderr from the start, frame by frame in the order written, followed
   * until the container stops or `signal` aborts.
   */
  followLogs(id: string, signal: AbortSignal): AsyncIterable<LogFrame>;
  /**
   * The last `tailLines` lines of each stream, for live viewing, and of those at most the last
   * `maxBytes` bytes of each (starting at a whole character): never more is held in memory.
   */
  readLogs(id: string, tailLines: number, maxBytes: number): Promise<{ stdout: string; stderr: string }>;
  /** A tar stream of `path` inside the container, or undefined when the path does not exist. */
  getArchive(id: string, path: string): Promise<Readable | undefined>;
  /**
   * Sends a signal (a name, as `WINCH`) to a running container's first process; a container that
   * has stopped or is gone is left as it is.
   */
  signalContainer(id: string, signal: string): Promise<void>;
  killContainer(id: string): Promise<void>;
  /** Gives a container (running or not) another name; rejects when the name is taken or it is gone. */
  renameContainer(id: string, name: string): Promise<void>;
  removeContainer(id: string): Promise<void>;
  removeImage(ref: string): Promise<void>;
  /**
   * Removes the image (or, with other tags, this tag of it) unless a container uses it; resolves
   * with whether it is gone.
   */
  removeImageIfUnused(ref: string): Promise<boolean>;
  /**
   * Makes a bridge network of its own, on which containers cannot reach each other
   * (inter-container traffic off), with `bridgeInterface` as the host's interface name (at most 15
   * characters); resolves once it exists (an existing one of that name is kept).
   */
  createNetwork(name: string, labels: Record<string, string>, bridgeInterface: string): Promise<void>;
  /** Removes a network; one that is gone counts as removed. */
  removeNetwork(name: string): Promise<void>;
  /** How many running containers are on the network; undefined when there is no such network. */
  networkContainers(name: string): Promise<number | undefined>;
  /** Makes an empty volume with these labels (one that exists is kept as it is). */
  createVolume(name: string, labels: Record<string, string>): Promise<void>;
  /** Removes a volume; one that is gone counts as removed; rejects while a container uses it. */
  removeVolume(name: string): Promise<void>;
  /** Volumes with `label`. */
  listVolumes(label: string): Promise<{ name: string; labels: Record<string, string> }[]>;
  /**
   * Runs `command` as root in a short-lived container of `image` in the engine host's network
   * namespace, with CAP_NET_ADMIN and the host's root filesystem at `/host` (read-only but for
   * `/host/run`), to change the host's firewall from wherever the worker is; removes it, and
   * resolves with its exit code and its output (both streams, the last 4 KiB).
   */
  runOnEngineHost(
    image: string,
    command: string[],
    labels: Record<string, string>,
  ): Promise<{ exitCode: number | null; output: string }>;
  /** Networks with `label`. */
  listNetworks(label: string): Promise<{ name: string; labels: Record<string, string> }[]>;
  /** Images of the repository `repository` (any tag), with their tags and labels. */
  listImages(repository: string): Promise<{ id: string; tags: string[]; labels: Record<string, string> }[]>;
  /**
   * Calls `onEvent` for each container with `label` that is sent a signal or stops, until `signal`
   * aborts; reconnects after errors (the engine restarting, say).
   */
  watchContainers(label: string, onEvent: (event: ContainerEvent) => void, signal: AbortSignal): void;
}

/**
 * The name of the container, created and never started, through which runContainer puts a spec's
 * `files` into its volumes (removed at once; one left by a crash is removed before the next try).
 */
export function filesContainerName(name: string): string {
  return `${name}-files`;
}

/** The image build failed; `log` is the full build output, uploaded as build.log. */
export class BuildError extends Error {
  constructor(
    message: string,
    readonly log: string,
  ) {
    super(message);
    this.name = 'BuildError';
  }
}
