import type { Readable, Writable } from 'node:stream';

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

export interface ContainerSpec {
  name: string;
  image: string;
  env: string[];
  labels: Record<string, string>;
  cpus: number;
  memoryBytes: number;
  pidsLimit: number;
  workingDir: string;
}

export interface ContainerState {
  id: string;
  running: boolean;
  exitCode: number | null;
  oomKilled: boolean;
  labels: Record<string, string>;
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
  imageId(ref: string): Promise<string | undefined>;
  pullImage(ref: string): Promise<void>;
  /** Builds and tags an image; resolves with the build log, or throws BuildError carrying it. */
  buildImage(options: BuildImageOptions): Promise<{ log: string }>;
  /** Creates and starts a container; resolves with its id. */
  runContainer(spec: ContainerSpec): Promise<string>;
  inspectContainer(id: string): Promise<ContainerState | undefined>;
  listContainers(label: string): Promise<ContainerState[]>;
  /** Writes the container's stdout and stderr (demultiplexed) to the given streams, then ends them. */
  copyLogs(id: string, stdout: Writable, stderr: Writable): Promise<void>;
  /** The last `tailLines` lines of each stream, for live viewing. */
  readLogs(id: string, tailLines: number): Promise<{ stdout: string; stderr: string }>;
  /** A tar stream of `path` inside the container, or undefined when the path does not exist. */
  getArchive(id: string, path: string): Promise<Readable | undefined>;
  killContainer(id: string): Promise<void>;
  removeContainer(id: string): Promise<void>;
  removeImage(ref: string): Promise<void>;
  /** Images carrying `label` (key=value), with their labels. */
  listImages(label: string): Promise<{ id: string; labels: Record<string, string> }[]>;
  /**
   * Calls `onEvent` for each container with `label` that is sent a signal or stops, until `signal`
   * aborts; reconnects after errors (the engine restarting, say).
   */
  watchContainers(label: string, onEvent: (event: ContainerEvent) => void, signal: AbortSignal): void;
}
