import { createHousekeeper, type Housekeeper } from '../worker/housekeeper.js';
import type { SharedParts } from './shared-parts.js';

/**
 * Housekeeping of a worker's host: leftover containers, run images and working folders, and old
 * run history. It runs beside a worker, whose runs under way (`executions`) it leaves alone.
 */
export function createHousekeeperRole(
  { config, installationId, logger, db, engine }: SharedParts,
  executions: ReadonlyMap<string, AbortController>,
): Housekeeper {
  return createHousekeeper({
    db,
    engine,
    logger,
    dataDir: config.dataDir,
    installationId,
    localImages: config.localImages,
    imageCacheBytes: config.imageCacheBytes,
    executions,
    retentionDays: config.retentionDays,
    intervalMs: config.housekeepingIntervalMs,
  });
}
