import type { SqlExecutor } from '../../services/db/database.js';
import { createScheduler, type Scheduler } from '../scheduler/scheduler.js';
import { createWorkflowFiring } from '../workflows/recurring-workflows.js';
import type { SharedParts } from './shared-parts.js';

/**
 * The scheduler: fires due cron schedules into queued runs (a workflow's into workflow runs),
 * exactly once each, with any number of instances.
 */
export function createSchedulerRole(
  { config, logger, db, signals }: SharedParts,
  options: { clock?: (db: SqlExecutor) => Promise<Date> } = {},
): Scheduler {
  return createScheduler({
    db,
    logger,
    misfireToleranceMs: config.scheduler.misfireToleranceMs,
    batchSize: config.scheduler.batchSize,
    maxIdleMs: config.scheduler.maxIdleMs,
    clock: options.clock,
    signals,
    workflows: createWorkflowFiring({ maxResultBytes: config.limits.maxResultBytes }),
  });
}
