import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ObjectStore } from '../../services/aws/object-store.js';
import type { Database, SqlExecutor } from '../../services/db/database.js';
import type { ContainerEngine } from '../../services/docker/container-engine.js';
import { isLocalImageAllowed } from '../jobs/image-reference.js';
import {
  INSTALLATION_LABEL,
  JOB_IMAGE_REPOSITORY,
  KIND_LABEL,
  MANAGED_LABEL,
  RUN_ID_LABEL,
  WORKER_ID_LABEL,
  runIdOfImageTag,
} from '../runner/image-builder.js';
import { CONTENT_TYPES } from '../runner/collect-results.js';
import { deliverSpool } from '../runner/deliver-results.js';
import type { ResultSpool } from '../runner/result-spool.js';
import { classifyRuns, getRun } from '../runs/run-repository.js';
import { listWorkers } from '../fleet/worker-registry.js';
import { RUN_NETWORK_KIND } from '../runner/run-networks.js';
import { forgetImageUse, listImageUses } from '../runner/image-uses.js';
import { startStop, type StartStop } from '../start-stop.js';

/** One kind of history retention prunes (runs, workflow runs, events…): its rule is its own module's. */
export interface RetentionStep {
  /** What it prunes, as the report and the logs name it. */
  name: string;
  /**
   * Its own retention period in days (the audit log's, TDS_AUDIT_RETENTION_DAYS); when left out,
   * the history's (TDS_RETENTION_DAYS). 0 keeps everything of its kind.
   */
  days?: number;
  /**
   * Runs in every pass, whatever the periods: what it prunes has a period of its own per item (a
   * run's results, by its job's or workflow's `results_retention_days`), and `days` is not its.
   */
  everyPass?: boolean;
  /** Deletes a batch of what ended (or was replaced) more than `days` ago; returns how many went. */
  prune(db: SqlExecutor, days: number): Promise<number>;
}

/** The steps that prune anything with the history kept `days`: those whose period is not 0, and those of every pass. */
export function activeRetentionSteps(steps: readonly RetentionStep[], days: number): RetentionStep[] {
  return steps.filter((step) => step.everyPass === true || (step.days ?? days) > 0);
}

/** Any constant works; it only has to be the same for every instance of the service. */
export const RETENTION_LOCK_KEY = 7_215_310_043;

/**
 * One retention pass of `steps`, in order (each with its own period, or `days`; a step whose
 * period is 0 is left out), by one housekeeper of the fleet at a time: the pass is
 * one transaction holding a transaction-scoped advisory lock (`pg_try_advisory_xact_lock`: the RDS
 * Data API has no session to hold a session lock, only transactions). A housekeeper that finds
 * the lock taken prunes nothing and returns undefined: another is pruning the same history. A
 * step that fails rolls the pass back; the next pass tries again.
 */
export async function pruneHistory(
  db: Database,
  steps: readonly RetentionStep[],
  days: number,
): Promise<Record<string, number> | undefined> {
  return db.transaction(async (tx) => {
    const [lock] = await tx.query<{ held: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS held', [
      RETENTION_LOCK_KEY,
    ]);
    if (!lock?.held) return undefined;
    const pruned: Record<string, number> = {};
    for (const step of activeRetentionSteps(steps, days)) {
      pruned[step.name] = await step.prune(tx, step.days ?? days);
    }
    return pruned;
  });
}

export interface HousekeeperDeps {
  db: Database;
  engine: ContainerEngine;
  logger: Logger;
  dataDir: string;
  /** What this installation made carries its id; nothing else is removed for an unknown run. */
  installationId: string;
  /** Images on the operator's list (TDS_LOCAL_IMAGES, the base image) are never evicted. */
  localImages: readonly string[];
  /** Past this, the images this installation pulled or built on the engine are evicted, least recently used first. */
  imageCacheBytes: number;
  /** Runs this worker is staging or building: their folders are in use. */
  executions: ReadonlyMap<string, AbortController>;
  /** Ended runs older than this many days are deleted with their history (0 keeps them all). */
  retentionDays: number;
  /** What retention prunes, in order (a step may have a period of its own); `runs` counts as the report's `runsPruned`. */
  retention: readonly RetentionStep[];
  intervalMs: number;
  /** A worker silent for this long is gone: the networks it kept for its runs are removed. */
  leaseMs: number;
  /** Results kept on this host after their run gave up waiting for the store: tried again here. */
  spool: ResultSpool;
  /** Kept results still undelivered this many days after they were kept are removed (0: never). */
  keptResultsRetentionDays: number;
  store: ObjectStore;
}

export interface HousekeepingReport {
  containers: number;
  images: number;
  /** Pulled and package images evicted to keep the cache within its budget. */
  imagesEvicted: number;
  networks: number;
  volumes: number;
  folders: number;
  runsPruned: number;
  /** Rows of history pruned by each retention step; empty when retention is off or another housekeeper held the pass. */
  pruned: Record<string, number>;
  /** Another housekeeper of the fleet was pruning: this pass pruned nothing. */
  retentionHeldElsewhere: boolean;
  /** Runs whose kept results were delivered (or dropped, their run being gone) in this pass. */
  delivered: number;
  /** Runs whose kept results were removed undelivered, past TDS_KEPT_RESULTS_RETENTION_DAYS. */
  keptExpired: number;
}

/** Started, it sweeps at once (leftovers of a crash), then every `intervalMs`; stopping waits for a sweep under way. */
export interface Housekeeper extends StartStop {
  /** One pass; also run at start and by the timer. */
  sweep(): Promise<HousekeepingReport>;
}

/** An image used this recently is never evicted: a run may be about to build on it. */
const EVICTION_GRACE_SECONDS = 600;

/**
 * Removes what runs leave behind when something went wrong on the way: the service's containers,
 * networks and run images whose run has ended or is unknown, working folders of such runs, and
 * (after the retention period) the history of old runs and workers long gone. Pulled and package
 * images are the cache: kept within TDS_IMAGE_CACHE_MB, the least recently used evicted first.
 */
export function createHousekeeper(deps: HousekeeperDeps): Housekeeper {
  const { db, engine, logger, dataDir, executions } = deps;
  let timer: NodeJS.Timeout | undefined;

  const classify = (runIds: string[]) => classifyRuns(db, runIds);

  /**
   * Whether a container or network may go: its run has ended, or its run is unknown here and this
   * installation made it. One of a run unknown here made by another installation sharing the
   * Docker engine (whatever its worker ids) is left alone.
   */
  function removable(labels: Record<string, string>, runs: { ended: Set<string>; unknown: Set<string> }) {
    const runId = labels[RUN_ID_LABEL] ?? '';
    return (
      runs.ended.has(runId) || (runs.unknown.has(runId) && labels[INSTALLATION_LABEL] === deps.installationId)
    );
  }

  /**
   * The networks a worker kept for its runs (run-networks.ts) that no container is on, once that
   * worker is gone (stopped, or silent past the lease); a live worker's are its own to give.
   */
  async function removeGoneWorkersNetworks(
    networks: { name: string; labels: Record<string, string> }[],
  ): Promise<number> {
    const kept = networks.filter((n) => n.labels[KIND_LABEL] === RUN_NETWORK_KIND);
    if (kept.length === 0) return 0;
    const live = new Set(
      (await listWorkers(db, deps.leaseMs)).filter((w) => w.state !== 'gone').map((w) => w.id),
    );
    let removed = 0;
    for (const network of kept) {
      if (live.has(network.labels[WORKER_ID_LABEL] ?? '')) continue;
      try {
        if ((await engine.networkContainers(network.name)) !== 0) continue;
        await engine.removeNetwork(network.name);
        removed += 1;
      } catch (error) {
        logger.warn({ err: error, network: network.name }, "could not remove a gone worker's network");
      }
    }
    return removed;
  }

  /**
   * Evicts the images this installation pulled or built on this engine, least recently used first,
   * until they fit in the budget. Sizes count shared layers once per image, so the budget errs on
   * the side of evicting. An image a container uses, or one used in the last minutes, stays.
   */
  async function evictImages(): Promise<number> {
    const engineId = await engine.engineId();
    const uses = await listImageUses(db, engineId, EVICTION_GRACE_SECONDS);
    const sized: { ref: string; recent: boolean; bytes: number }[] = [];
    for (const use of uses) {
      const image = await engine.inspectImage(use.ref);
      if (image) sized.push({ ...use, bytes: image.bytes });
      else await forgetImageUse(db, engineId, use.ref);
    }
    let total = sized.reduce((sum, image) => sum + image.bytes, 0);
    let evicted = 0;
    for (const image of sized.reverse()) {
      if (total <= deps.imageCacheBytes) break;
      if (image.recent || isLocalImageAllowed(image.ref, deps.localImages)) continue;
      if (!(await engine.removeImageIfUnused(image.ref))) continue;
      await forgetImageUse(db, engineId, image.ref);
      logger.info({ image: image.ref, bytes: image.bytes }, 'evicted an image least recently used');
      total -= image.bytes;
      evicted += 1;
    }
    return evicted;
  }

  async function prune(report: HousekeepingReport): Promise<void> {
    if (activeRetentionSteps(deps.retention, deps.retentionDays).length === 0) return;
    const pruned = await pruneHistory(db, deps.retention, deps.retentionDays);
    if (!pruned) {
      report.retentionHeldElsewhere = true;
      logger.debug('another housekeeper is pruning the history; this pass leaves it');
      return;
    }
    report.pruned = pruned;
    report.runsPruned = pruned.runs ?? 0;
  }

  /**
   * Results a run kept on this host: a spool whose run has ended (it gave up waiting for the store,
   * its removal was cut short, or another worker ended the run while this one was down) and the `undelivered/<runId>/` folders of earlier releases. Each
   * is tried once a pass (every file once, no waiting: the store may still be away) and removed
   * once delivered, or once its run is unknown (pruned: the data folder is this installation's).
   * A spool of a run under way is the watcher's.
   */
  async function deliverKept(): Promise<{ delivered: number; expired: number }> {
    let done = 0;
    let expired = 0;
    const retentionMs = deps.keptResultsRetentionDays * 86_400_000;
    /** Kept since `since` and still undelivered past the retention: removed, and said so. */
    const pastRetention = (since: Date) => retentionMs > 0 && Date.now() - since.getTime() > retentionMs;
    const expire = async (runId: string, since: Date, remove: () => Promise<void>) => {
      await remove();
      expired += 1;
      logger.warn(
        { runId, keptSince: since.toISOString(), retentionDays: deps.keptResultsRetentionDays },
        'removed results that could not be delivered within TDS_KEPT_RESULTS_RETENTION_DAYS',
      );
    };
    const spooled = await deps.spool.list();
    const spooledRuns = await classify(spooled);
    for (const runId of spooled) {
      if (spooledRuns.unknown.has(runId)) {
        await deps.spool.remove(runId);
        done += 1;
        continue;
      }
      if (!spooledRuns.ended.has(runId)) continue;
      // Delivered again even when its run ended otherwise (its removal was cut short, or another
      // worker ended the run while this one was down): uploads are idempotent, and nothing is lost.
      const manifest = await deps.spool.read(runId);
      if (manifest) {
        const once = { deadline: 0, firstDelayMs: 0, maxDelayMs: 0 };
        const left = await deliverSpool(deps.store, deps.spool, manifest, once).catch((error: unknown) => {
          logger.warn({ err: error, runId }, 'could not read kept results');
          return true;
        });
        if (left) {
          const since = new Date(manifest.spooledAt);
          if (pastRetention(since)) await expire(runId, since, () => deps.spool.remove(runId));
          continue;
        }
        logger.info({ runId }, 'delivered results kept since the store was unavailable');
      }
      await deps.spool.remove(runId);
      done += 1;
    }

    const undeliveredDir = path.join(dataDir, 'undelivered');
    const folders = await readdir(undeliveredDir).catch(() => [] as string[]);
    const folderRuns = await classify(folders);
    for (const runId of folders) {
      const folder = path.join(undeliveredDir, runId);
      if (!folderRuns.unknown.has(runId)) {
        const run = folderRuns.ended.has(runId) ? await getRun(db, runId) : undefined;
        if (!run) continue;
        try {
          for (const name of await readdir(folder)) {
            // An earlier release kept the logs here, by their names in the results folder.
            await deps.store.putFile(
              run.resultsBucket,
              `${run.resultsPrefix}${name}`,
              path.join(folder, name),
              CONTENT_TYPES.log,
            );
          }
        } catch (error) {
          logger.debug({ err: error, runId }, 'kept results could not be delivered yet');
          const since = (await stat(folder)).mtime;
          if (pastRetention(since)) {
            await expire(runId, since, () => rm(folder, { recursive: true, force: true }));
          }
          continue;
        }
        logger.info({ runId }, 'delivered results kept by an earlier release');
      }
      await rm(folder, { recursive: true, force: true });
      done += 1;
    }
    return { delivered: done, expired };
  }

  async function sweep(): Promise<HousekeepingReport> {
    const report: HousekeepingReport = {
      containers: 0,
      images: 0,
      imagesEvicted: 0,
      networks: 0,
      volumes: 0,
      folders: 0,
      runsPruned: 0,
      pruned: {},
      retentionHeldElsewhere: false,
      delivered: 0,
      keptExpired: 0,
    };

    const containers = await engine.listContainers(`${MANAGED_LABEL}=true`);
    const containerRuns = await classify(containers.map((c) => c.labels[RUN_ID_LABEL] ?? ''));
    for (const container of containers) {
      if (!removable(container.labels, containerRuns)) continue;
      await engine.removeContainer(container.id);
      report.containers += 1;
    }

    // After the containers: a network is removed only once no container is on it.
    const networks = await engine.listNetworks(`${INSTALLATION_LABEL}=${deps.installationId}`);
    report.networks += await removeGoneWorkersNetworks(networks);
    // A network of a run of its own (made by earlier releases), once its run has ended.
    const runNetworks = networks.filter((n) => n.labels[KIND_LABEL] !== RUN_NETWORK_KIND);
    const networkRuns = await classify(runNetworks.map((n) => n.labels[RUN_ID_LABEL] ?? ''));
    for (const network of runNetworks) {
      if (!removable(network.labels, networkRuns)) continue;
      try {
        await engine.removeNetwork(network.name);
        report.networks += 1;
      } catch (error) {
        logger.warn({ err: error, network: network.name }, 'could not remove a leftover network');
      }
    }

    // A run's volumes, labelled as its container: removed once no container uses them.
    const volumes = await engine.listVolumes(`${INSTALLATION_LABEL}=${deps.installationId}`);
    const volumeRuns = await classify(volumes.map((v) => v.labels[RUN_ID_LABEL] ?? ''));
    for (const volume of volumes) {
      if (!removable(volume.labels, volumeRuns)) continue;
      try {
        await engine.removeVolume(volume.name);
        report.volumes += 1;
      } catch (error) {
        logger.warn({ err: error, volume: volume.name }, 'could not remove a leftover volume');
      }
    }

    // A run's image is labelled with its run and installation: this installation's goes once its
    // run has ended or is unknown here; one made before images carried the label, once its run has
    // ended; another installation's (the engine is shared) never.
    const images = (await engine.listImages(JOB_IMAGE_REPOSITORY)).flatMap((image) =>
      image.tags.flatMap((tag) => {
        const runId = runIdOfImageTag(tag);
        return runId ? [{ tag, runId, owner: image.labels[INSTALLATION_LABEL] }] : [];
      }),
    );
    const imageRuns = await classify(images.map((i) => i.runId));
    for (const image of images) {
      const ours = image.owner === deps.installationId;
      const gone = ours
        ? imageRuns.ended.has(image.runId) || imageRuns.unknown.has(image.runId)
        : image.owner === undefined && imageRuns.ended.has(image.runId);
      if (!gone) continue;
      await engine.removeImage(image.tag);
      report.images += 1;
    }

    const runsDir = path.join(dataDir, 'runs');
    const folders = await readdir(runsDir).catch(() => [] as string[]);
    // The data folder is this installation's own: a folder of an unknown run is a leftover too.
    const folderRuns = await classify(folders);
    for (const folder of folders) {
      if (executions.has(folder) || !(folderRuns.ended.has(folder) || folderRuns.unknown.has(folder)))
        continue;
      await rm(path.join(runsDir, folder), { recursive: true, force: true });
      report.folders += 1;
    }

    ({ delivered: report.delivered, expired: report.keptExpired } = await deliverKept());
    report.imagesEvicted = await evictImages();
    await prune(report);
    const counts = [
      ...Object.values(report).filter((n) => typeof n === 'number'),
      ...Object.values(report.pruned),
    ];
    if (counts.some((n) => n > 0)) {
      logger.info(report, 'housekeeping removed leftovers');
    }
    return report;
  }

  /** Sweeps started by the timer (or at start) that have not ended. */
  const sweeping = new Set<Promise<void>>();
  function sweepInBackground(): void {
    const work = sweep()
      .then(() => undefined)
      .catch((error: unknown) => logger.warn({ err: error }, 'housekeeping failed'))
      .finally(() => sweeping.delete(work));
    sweeping.add(work);
  }

  const lifecycle = startStop({
    start() {
      sweepInBackground();
      timer = setInterval(sweepInBackground, deps.intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await Promise.all(sweeping);
    },
  });

  return { ...lifecycle, sweep };
}
