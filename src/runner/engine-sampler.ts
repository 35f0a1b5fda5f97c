import { appendFile, mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { ContainerEngine, ContainerStats } from '../../services/docker/container-engine.js';
import { errorMessage } from '../errors.js';

/** The sampler's CSV header: the columns template/metrics.sh writes inside a container. */
export const METRICS_CSV_HEADER = 'timestamp,elapsed_seconds,cpu_percent,memory_bytes';

/**
 * One CSV row from two readings of the engine, in the columns and units of the in-container
 * sampler: CPU in percent of one core over the time between the readings (empty for the first),
 * memory as `docker stats` counts it.
 */
export function statsRow(
  first: ContainerStats,
  previous: ContainerStats | undefined,
  now: ContainerStats,
  origin: Date = first.at,
): string {
  const elapsed = (Math.max(0, now.at.getTime() - origin.getTime()) / 1000).toFixed(2);
  let cpu = '';
  if (previous) {
    const wallNs = (now.at.getTime() - previous.at.getTime()) * 1e6;
    const cpuNs = now.cpuNanoseconds - previous.cpuNanoseconds;
    if (wallNs > 0 && cpuNs >= 0) cpu = ((cpuNs / wallNs) * 100).toFixed(2);
  }
  return `${Math.floor(now.at.getTime() / 1000)},${elapsed},${cpu},${now.memoryBytes ?? ''}`;
}

/**
 * Samples every run's container from the engine's stats, into a CSV on this host, until the
 * container stops or `stop` is called. These are the figures recorded for a run: the job can write
 * whatever it likes in its container, but not here.
 */
export interface EngineSampler {
  /**
   * Resolves once the first reading is written: true, or false when there was none (it stopped).
   * With `resumeFrom` (the run's start), the file is added to rather than begun again, and
   * `elapsed` counted from then: the run's container was started before this worker took it on.
   */
  start(
    runId: string,
    containerId: string,
    file: string,
    intervalSeconds: number,
    resumeFrom?: Date,
  ): Promise<boolean>;
  /** Whether the run's container is being sampled by this worker. */
  isSampling(runId: string): boolean;
  /** Stops sampling the run's container; resolves once the last row is written. */
  stop(runId: string): Promise<void>;
  /** Stops every sampler (the worker is stopping; its containers outlive it). */
  stopAll(): Promise<void>;
}

export function createEngineSampler(engine: ContainerEngine, logger: Logger): EngineSampler {
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();

  async function sample(
    containerId: string,
    file: string,
    intervalSeconds: number,
    signal: AbortSignal,
    firstWritten: (written: boolean) => void,
    resumeFrom: Date | undefined,
  ) {
    await mkdir(path.dirname(file), { recursive: true });
    const kept = resumeFrom
      ? await stat(file).then(
          (s) => s.size > 0,
          () => false,
        )
      : false;
    if (!kept) await writeFile(file, `${METRICS_CSV_HEADER}\n`);
    let first: ContainerStats | undefined;
    let previous: ContainerStats | undefined;
    while (!signal.aborted) {
      const now = await engine.containerStats(containerId);
      if (!now) return;
      first ??= now;
      await appendFile(file, `${statsRow(first, previous, now, resumeFrom)}\n`);
      if (!previous) firstWritten(true);
      previous = now;
      // Ends early when the sampler is stopped (and leaves no listener behind on the signal).
      await sleep(intervalSeconds * 1000, undefined, { signal }).catch(() => undefined);
    }
  }

  return {
    start(runId, containerId, file, intervalSeconds, resumeFrom) {
      const controller = new AbortController();
      let firstWritten!: (written: boolean) => void;
      const first = new Promise<boolean>((resolve) => (firstWritten = resolve));
      const done = sample(containerId, file, intervalSeconds, controller.signal, firstWritten, resumeFrom)
        .catch((error: unknown) =>
          logger.warn({ runId, containerId, error: errorMessage(error) }, 'sampling from the engine stopped'),
        )
        .finally(() => {
          firstWritten(false);
          if (running.get(runId)?.controller === controller) running.delete(runId);
        });
      running.set(runId, { controller, done });
      return first;
    },
    isSampling(runId) {
      return running.has(runId);
    },
    async stop(runId) {
      const sampler = running.get(runId);
      if (!sampler) return;
      sampler.controller.abort();
      await sampler.done;
    },
    async stopAll() {
      await Promise.all([...running.keys()].map((runId) => this.stop(runId)));
    },
  };
}
