import { pruneAudit } from '../audit/audit-repository.js';
import { pruneOldEvents } from '../events/outbox.js';
import { forgetGoneWorkers } from '../fleet/worker-registry.js';
import { pruneEndedRuns, pruneEndedWorkflowRuns, pruneOldFires } from '../runs/run-pruning.js';
import { expireResults } from '../runs/results-expiry.js';
import { pruneReplacedVersions } from '../versions/version-pruning.js';
import { ENDED_WORKFLOW_RUN_STATES } from '../workflows/workflow-states.js';
import { createHousekeeper, type Housekeeper, type RetentionStep } from '../worker/housekeeper.js';
import type { ResultSpool } from '../runner/result-spool.js';
import type { SharedParts } from './shared-parts.js';
import type { Config } from '../config.js';
import type { Logger } from 'pino';
import type { ObjectStore } from '../../services/aws/object-store.js';

/**
 * Every kind of history retention prunes, in order: runs first (with their events), then workflow
 * runs (with their steps and remaining runs), so that fires, definitions and events they held are
 * free by the time their steps come.
 */
export const RETENTION_STEPS: readonly RetentionStep[] = [
  { name: 'runs', prune: pruneEndedRuns },
  {
    name: 'workflowRuns',
    prune: (db, days) => pruneEndedWorkflowRuns(db, days, ENDED_WORKFLOW_RUN_STATES),
  },
  { name: 'fires', prune: pruneOldFires },
  { name: 'versions', prune: pruneReplacedVersions },
  { name: 'events', prune: pruneOldEvents },
  { name: 'workers', prune: forgetGoneWorkers },
];

/**
 * What this process's housekeeper prunes: the history (RETENTION_STEPS, kept TDS_RETENTION_DAYS),
 * then the audit log, kept its own period (TDS_AUDIT_RETENTION_DAYS) whatever the history's.
 */
export function retentionSteps(config: Pick<Config, 'audit'>): RetentionStep[] {
  return [...RETENTION_STEPS, { name: 'audit', days: config.audit.retentionDays, prune: pruneAudit }];
}

/**
 * The deletion of runs' results folders in S3 once their results period is over (each run's own
 * `results_retention_days`, else TDS_RESULTS_RETENTION_DAYS; never later than TDS_RETENTION_DAYS),
 * TDS_RESULTS_EXPIRY_BATCH runs a pass. It comes first in the pass, so that a run pruned in the same
 * pass has had its folder deleted.
 */
export function resultsExpiryStep(
  config: Pick<Config, 'retentionDays' | 'resultsRetention'>,
  store: ObjectStore,
  logger: Logger,
): RetentionStep {
  const settings = {
    defaultDays: config.resultsRetention.defaultDays,
    historyDays: config.retentionDays,
    batch: config.resultsRetention.batch,
  };
  return { name: 'results', everyPass: true, prune: (db) => expireResults(db, store, logger, settings) };
}

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
    retention: [resultsExpiryStep(config, store, logger), ...retentionSteps(config)],
    intervalMs: config.housekeepingIntervalMs,
    leaseMs: config.leaseMs,
    keptResultsRetentionDays: config.keptResultsRetentionDays,
    spool,
    store,
  });
}
