import os from 'node:os';
import type { Logger } from 'pino';
import type { SqlExecutor } from '../../services/db/database.js';
import type { ContainerEngine } from '../../services/docker/container-engine.js';
import { GPU_RUNTIME, GPU_TAG, platformOf, tagSet } from '../fleet/tags.js';
import { heartbeatWorker, markWorkerStopped, registerWorker } from '../fleet/worker-registry.js';
import { startStop, type StartStop } from '../start-stop.js';

export interface PresenceDeps {
  db: SqlExecutor;
  engine: ContainerEngine;
  logger: Logger;
  workerId: string;
  /** TDS_WORKER_TAGS; the engine's platform is added to them, and `gpu` when it has the NVIDIA runtime. */
  tags: readonly string[];
  capacity: number;
  /** TDS_WORKER_CPUS and TDS_WORKER_MEMORY_MB: 0 is the engine's own CPUs or memory. */
  resources: Resources;
  version: string;
  heartbeatIntervalMs: number;
  /** Called when an operator's drain or undrain reaches this worker. */
  onDrainChange(draining: boolean): void;
}

/**
 * A worker's row in the fleet (the workers table): written when it starts, with its tags, its
 * engine's platform, version and capacity; heartbeat while it runs, which also brings it an
 * operator's drain or undrain; marked stopped when it stops.
 */
export interface Presence extends StartStop {
  /** What it claims with: its tags and its platform (known once started). */
  readonly tags: readonly string[];
  /** The CPUs and memory its runs under way may ask for together (known once started). */
  readonly resources: Resources;
  readonly draining: boolean;
}

/** CPUs and memory (MiB). */
export interface Resources {
  cpus: number;
  memoryMb: number;
}

/**
 * A worker's CPUs and memory: its settings, or the engine's host's where a setting is 0 (the
 * engine's own count; this process's host when the engine says nothing).
 */
export function resolveResources(
  settings: Resources,
  engine: { cpus: number; memoryBytes: number },
): Resources {
  const hostCpus = engine.cpus > 0 ? engine.cpus : os.availableParallelism();
  const hostMemoryMb = Math.floor((engine.memoryBytes > 0 ? engine.memoryBytes : os.totalmem()) / 1024 ** 2);
  return {
    cpus: settings.cpus > 0 ? settings.cpus : hostCpus,
    memoryMb: settings.memoryMb > 0 ? settings.memoryMb : hostMemoryMb,
  };
}

export function createPresence(deps: PresenceDeps): Presence {
  const { db, logger, workerId } = deps;
  let tags: readonly string[] = tagSet(deps.tags);
  let platform = 'unknown/unknown';
  let resources = resolveResources(deps.resources, { cpus: 0, memoryBytes: 0 });
  const advert = () => ({
    id: workerId,
    host: os.hostname(),
    tags: [...tags],
    platform,
    version: deps.version,
    capacity: deps.capacity,
    cpus: resources.cpus,
    memoryMb: resources.memoryMb,
  });
  let draining = false;
  let timer: NodeJS.Timeout | undefined;
  let beating: Promise<void> | undefined;

  function learn(next: boolean): void {
    if (next === draining) return;
    draining = next;
    logger.warn({ workerId }, next ? 'draining: no new runs are claimed' : 'undrained: claiming again');
    deps.onDrainChange(next);
  }

  async function beat(): Promise<void> {
    try {
      // Its row was removed (forgotten while the database was away, say): it registers again.
      const known = (await heartbeatWorker(db, workerId)) ?? (await registerWorker(db, advert()));
      learn(known.draining);
    } catch (error) {
      logger.warn({ err: error }, 'worker heartbeat failed; trying again');
    }
  }

  const lifecycle = startStop({
    async start() {
      const { os: osType, architecture, runtimes, ...host } = await deps.engine.platform();
      platform = platformOf(osType, architecture);
      resources = resolveResources(deps.resources, host);
      // An engine with the NVIDIA runtime can give containers GPUs: runs with `gpus` are for it.
      const gpu = runtimes.includes(GPU_RUNTIME) ? [GPU_TAG] : [];
      tags = tagSet([...deps.tags, platform, ...gpu]);
      const registered = await registerWorker(db, advert());
      draining = registered.draining;
      logger.info({ workerId, tags, draining, ...resources }, 'worker registered in the fleet');
      timer = setInterval(() => {
        beating ??= beat().finally(() => (beating = undefined));
      }, deps.heartbeatIntervalMs);
    },
    async stop() {
      clearInterval(timer);
      await beating;
      await markWorkerStopped(db, workerId).catch((error: unknown) =>
        logger.warn({ err: error }, 'could not mark the worker stopped; it is gone once its lease lapses'),
      );
    },
  });

  return {
    ...lifecycle,
    get tags() {
      return tags;
    },
    get draining() {
      return draining;
    },
    get resources() {
      return resources;
    },
  };
}
