import { Gauge, type Registry } from 'prom-client';
import type { SqlExecutor } from '../../services/db/database.js';
import { oldestHeartbeatAgeSeconds } from '../fleet/worker-registry.js';
import {
  countRunsByState,
  HELD_REASONS,
  oldestQueuedRunAgeSeconds,
  readQueueBreakdown,
  type QueueBreakdown,
} from '../runs/run-gauges.js';
import { RUN_STATES, type RunState } from '../runs/run-states.js';
import { WORKFLOW_RUN_STATES } from '../workflows/workflow-states.js';

/** What the exporter reads from the database at a scrape: the fleet's figures, the same whoever reads them. */
export interface DatabaseFigures {
  runs: Record<RunState, number>;
  workflowRuns: Map<string, number>;
  oldestQueuedAgeSeconds: number;
  queue: QueueBreakdown;
  schedulesOverdue: number;
  webhookDeliveriesPending: number;
  workerHeartbeatAgeSeconds: number;
}

/** What the figures depend on: the default ceiling of users' runs and the workers' lease. */
export interface ExporterOptions {
  defaultUserLimit: number;
  leaseMs: number;
}

/** Reads every figure the exporter serves, one statement after another on one connection at most. */
export async function readDatabaseFigures(
  db: SqlExecutor,
  options: ExporterOptions,
): Promise<DatabaseFigures> {
  const runs = await countRunsByState(db);
  const workflowRows = await db.query<{ state: string; n: string | number }>(
    'SELECT state, count(*) AS n FROM workflow_runs GROUP BY state',
  );
  const oldestQueuedAgeSeconds = await oldestQueuedRunAgeSeconds(db);
  const queue = await readQueueBreakdown(db, options);
  const [schedules] = await db.query<{ n: string | number }>(
    `SELECT count(*) AS n FROM schedules
     WHERE NOT paused AND next_fire_at < now() - interval '60 seconds'`,
  );
  const [deliveries] = await db.query<{ n: string | number }>(
    "SELECT count(*) AS n FROM webhook_deliveries WHERE state = 'pending'",
  );
  return {
    runs,
    workflowRuns: new Map(workflowRows.map((r) => [r.state, Number(r.n)])),
    oldestQueuedAgeSeconds,
    queue,
    schedulesOverdue: Number(schedules?.n ?? 0),
    webhookDeliveriesPending: Number(deliveries?.n ?? 0),
    workerHeartbeatAgeSeconds: await oldestHeartbeatAgeSeconds(db),
  };
}

/**
 * The exporter's gauges, each set from `figures()` at scrape: the last good reading (with
 * `tds_database_up` 0 beside them while the database does not answer), nothing before the first.
 */
export function registerDatabaseGauges(
  registry: Registry,
  figures: () => Promise<DatabaseFigures | undefined>,
): void {
  const gauge = (
    name: string,
    help: string,
    set: (g: Gauge, f: DatabaseFigures) => void,
    labelNames: string[] = [],
  ) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const read = await figures();
        if (read) set(this, read);
      },
    });
  gauge(
    'tds_runs',
    'Runs in the database by state (ended runs until housekeeping prunes them); read by the exporter at scrape',
    (g, f) => RUN_STATES.forEach((state) => g.set({ state }, f.runs[state])),
    ['state'],
  );
  gauge(
    'tds_workflow_runs',
    'Workflow runs in the database by state (ended ones count those that ended that way); read by the exporter at scrape',
    (g, f) => WORKFLOW_RUN_STATES.forEach((state) => g.set({ state }, f.workflowRuns.get(state) ?? 0)),
    ['state'],
  );
  gauge(
    'tds_queue_oldest_run_age_seconds',
    'How long the oldest queued run (due now) has waited, claimable or not; 0 when none waits',
    (g, f) => g.set(f.oldestQueuedAgeSeconds),
  );
  gauge(
    'tds_queue_claimable_runs',
    'Due queued runs some live worker could claim now (within their user ceiling, with a worker that has their tags)',
    (g, f) => g.set(f.queue.claimable),
  );
  gauge(
    'tds_queue_claimable_oldest_age_seconds',
    'How long the oldest claimable queued run has waited; 0 when none',
    (g, f) => g.set(f.queue.claimableOldestAgeSeconds),
  );
  gauge(
    'tds_queue_held_runs',
    'Due queued runs no worker may claim now, by reason: user_ceiling, no_matching_worker (no live worker has their tags), previous_run',
    (g, f) => HELD_REASONS.forEach((reason) => g.set({ reason }, f.queue.held[reason])),
    ['reason'],
  );
  gauge(
    'tds_schedules_overdue',
    'Active schedules whose next fire time passed more than 60 s ago and is still not fired',
    (g, f) => g.set(f.schedulesOverdue),
  );
  gauge('tds_webhook_deliveries_pending', 'Webhook deliveries not yet delivered nor given up', (g, f) =>
    g.set(f.webhookDeliveriesPending),
  );
  gauge(
    'tds_worker_heartbeat_age_seconds',
    'Seconds since the least recent heartbeat of the workers that have not stopped; 0 when none',
    (g, f) => g.set(f.workerHeartbeatAgeSeconds),
  );
}
