import { createHousekeeper, type Housekeeper } from '../worker/housekeeper.js';
import type { ResultSpool } from '../runner/result-spool.js';
import type { SharedParts } from './shared-parts.js';

/**
 * Housekeeping of a worker's host: leftover containers, run images and working folders, results
 * kept after the store was away too long, and old run history. It runs beside a worker, whose runs under way (`executions`) it leaves alone.
 */
export function createHousekeeperRole(
  { config, installationId, logger, db, engine, store }: SharedParts,
  executions: ReadonlyMap<string, AbortController>,
  spool: ResultSpool,
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
    spool,
    store,
  });
}
