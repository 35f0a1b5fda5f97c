import { startStop, type StartStop } from '../start-stop.js';
import type { SharedParts } from './shared-parts.js';

/**
 * The exporter: this process serves the figures read from the database at each scrape (runs by
 * state, the queue split into claimable and held runs, overdue schedules, pending deliveries,
 * workers' heartbeat age) on its /metrics. One exporter is enough for a fleet: every other process
 * serves only its own work, so scrapes do not each count the runs table.
 */
export function createExporterRole({ config, metrics }: SharedParts): StartStop {
  return startStop({
    start() {
      metrics.registerExporter({
        defaultUserLimit: config.userCeilings.maxConcurrentRuns,
        leaseMs: config.leaseMs,
      });
    },
    stop: () => undefined,
  });
}
