import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SqlExecutor } from '../../services/db/database.js';
import type { Run } from '../runs/run-repository.js';
import type { Signals } from '../signals.js';
import type { DeliveryResult } from '../webhooks/sender.js';
import { registerDatabaseHealth, type DatabaseOperation } from './database-health.js';
import type { ExporterOptions } from './database-gauges.js';

/**
 * The service's Prometheus metrics (docs/metrics.md is their reference). Two kinds, so that they
 * add up across any number of service processes:
 * - read from the database at each scrape (runs by state, the queue, overdue schedules,
 *   deliveries pending, workers' heartbeats) by the process playing the exporter role only
 *   (`registerExporter`), so that N processes do not each count the runs table;
 * - counted where this process does the work (runs it ended, stages it ran, deliveries it sent,
 *   errors it met): per process, so `sum` them across processes.
 * A scrape answers whatever the database does: `tds_database_up` says whether it answered, and
 * the exporter's gauges keep their last good reading meanwhile.
 * No label holds a run, job or user id: their number is unbounded.
 */

export const DISPATCH_STAGES = ['staging', 'building', 'uploading'] as const;
export type DispatchStage = (typeof DISPATCH_STAGES)[number];

export interface ServiceMetrics {
  readonly registry: Registry;
  /** How long a run spent in a stage of its dispatch, on this worker. */
  observeStage(stage: DispatchStage, seconds: number): void;
  observeDelivery(result: DeliveryResult, seconds: number): void;
  /** An operation on the object store or the Docker engine failed. */
  countError(system: 's3' | 'docker', operation: string): void;
  /** The database failed an operation of this process (`query`, `transaction`, `metrics`: a scrape's read). */
  countDatabaseError(operation: DatabaseOperation): void;
  /** A worker's claim of runs failed. */
  countClaimError(): void;
  /** This process plays `role` (`tds_role{role} 1`: the rules on roles that are down read it). */
  playsRole(role: string): void;
  /** This process plays the exporter role: it serves the figures read from the database at each scrape. */
  registerExporter(options: ExporterOptions): void;
  /** This process plays the worker role with this many places for runs; `active` tells how many are taken. */
  registerWorker(capacity: number, active: () => Promise<number>): void;
  /** This process runs a worker with a disk floor: the free bytes of its data folder at the last claim. */
  registerDisk(freeBytes: () => number | undefined, floorBytes: number): void;
  /** This process serves streams: how many are open, how many event streams are paused, and the bytes held for them. */
  registerStreams(stats: () => { open: number; behind: number; queuedBytes: number }): void;
}

const SECONDS_BUCKETS = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600];

/**
 * `db` is the database as the driver gives it (not counted by countingDatabaseFaults: a scrape
 * counts its own failures as `metrics`); a scrape waits `databaseTimeoutMs` for it at most.
 */
export function createServiceMetrics(
  db: SqlExecutor,
  signals: Pick<Signals, 'runFinished' | 'firesSkipped'>,
  { databaseTimeoutMs = 3000 }: { databaseTimeoutMs?: number } = {},
): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  observeEndedRuns(registry, signals);
  const work = registerWorkCounters(registry);
  const health = registerDatabaseHealth(registry, db, databaseTimeoutMs);
  const roles = new Gauge({
    name: 'tds_role',
    help: 'The roles this process plays, each 1 (api, worker, scheduler, exporter)',
    labelNames: ['role'],
    registers: [registry],
  });
  return {
    registry,
    playsRole: (role) => roles.set({ role }, 1),
    ...work,
    countDatabaseError: health.countError,
    registerExporter: health.registerExporter,
    registerWorker: registerWorkerGauges(registry),
    registerStreams: registerStreamGauges(registry),
    registerDisk: registerDiskGauges(registry),
  };
}

/** Seconds from one time to another, or undefined when either is missing. */
function secondsBetween(from: Date | null, to: Date | null): number | undefined {
  return from && to ? Math.max(0, (to.getTime() - from.getTime()) / 1000) : undefined;
}

/** The runs this process ended and the fire times its scheduler skipped, as they are told of. */
function observeEndedRuns(registry: Registry, signals: Pick<Signals, 'runFinished' | 'firesSkipped'>): void {
  const runsEnded = new Counter({
    name: 'tds_runs_ended_total',
    help: 'Runs this process moved to an end state, by state and failure reason (none for succeeded)',
    labelNames: ['state', 'failure_reason'],
    registers: [registry],
  });
  const queueWait = new Histogram({
    name: 'tds_run_queue_wait_seconds',
    help: 'From queued to started (its container running), for runs that started, observed as they end here',
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  });
  const runDuration = new Histogram({
    name: 'tds_run_duration_seconds',
    help: "A run's container's time, from start to exit, by end state, observed as runs end here",
    labelNames: ['state'],
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  });
  const lateness = new Histogram({
    name: 'tds_schedule_lateness_seconds',
    help: 'From a fire time to its run being queued, for scheduled runs, observed as they end here',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const firesSkipped = new Counter({
    name: 'tds_schedule_fires_skipped_total',
    help: "Fire times this process's scheduler skipped (overlap policy, a full buffer, or missed)",
    registers: [registry],
  });
  signals.runFinished.subscribe((run: Run) => {
    runsEnded.inc({ state: run.state, failure_reason: run.failureReason ?? 'none' });
    const wait = secondsBetween(run.queuedAt, run.startedAt);
    if (wait !== undefined) queueWait.observe(wait);
    const ran = secondsBetween(run.startedAt, run.endedAt);
    if (ran !== undefined) runDuration.observe({ state: run.state }, ran);
    if (run.trigger === 'schedule' || run.trigger === 'catch_up') {
      const late = secondsBetween(run.scheduledFor, run.queuedAt);
      if (late !== undefined) lateness.observe(late);
    }
  });
  signals.firesSkipped.subscribe((n) => firesSkipped.inc(n));
}

/** The work this process does, counted where it does it: stages, webhook deliveries, failed operations. */
function registerWorkCounters(
  registry: Registry,
): Pick<ServiceMetrics, 'observeStage' | 'observeDelivery' | 'countError' | 'countClaimError'> {
  const stages = new Histogram({
    name: 'tds_dispatch_stage_duration_seconds',
    help: 'Time a run spent in a stage of its dispatch on this worker (staging inputs, building its image, uploading results)',
    labelNames: ['stage'],
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'tds_webhook_deliveries_total',
    help: 'Webhook delivery attempts this process made, by result',
    labelNames: ['result'],
    registers: [registry],
  });
  const deliveryDuration = new Histogram({
    name: 'tds_webhook_delivery_duration_seconds',
    help: 'How long a receiver took to answer a delivery attempt (up to the 15 s timeout)',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 15],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'tds_external_errors_total',
    help: 'Failed operations on outside systems by this process, by system (s3, docker) and operation',
    labelNames: ['system', 'operation'],
    registers: [registry],
  });
  const claimErrors = new Counter({
    name: 'tds_worker_claim_errors_total',
    help: "This worker's claims of runs that failed (the database refused or did not answer)",
    registers: [registry],
  });
  return {
    countClaimError: () => claimErrors.inc(),
    observeStage: (stage, s) => stages.observe({ stage }, s),
    observeDelivery(result, s) {
      deliveries.inc({ result });
      deliveryDuration.observe(s);
    },
    countError: (system, operation) => errors.inc({ system, operation }),
  };
}

/** The worker's gauges, set once this process registers as a worker (`registerWorker`). */
function registerWorkerGauges(registry: Registry): ServiceMetrics['registerWorker'] {
  const workerUp = new Gauge({
    name: 'tds_worker_up',
    help: 'This process is a worker (1): sum across processes for the workers alive',
    registers: [registry],
  });
  const workerCapacity = new Gauge({
    name: 'tds_worker_capacity_runs',
    help: 'Runs this worker may have under way at once',
    registers: [registry],
  });
  let capacity = 0;
  let activeRuns: (() => Promise<number>) | undefined;
  new Gauge({
    name: 'tds_worker_free_runs',
    help: 'Places for more runs on this worker now',
    registers: [registry],
    async collect() {
      // Read from the database: while it does not answer, the last figure stands (tds_database_up says so).
      const active = await activeRuns?.().catch(() => undefined);
      if (active !== undefined) this.set(Math.max(0, capacity - active));
    },
  });
  return (places, active) => {
    capacity = places;
    activeRuns = active;
    workerUp.set(1);
    workerCapacity.set(places);
  };
}

/** The worker's free disk against its floor (`registerDisk`), read at scrape. */
function registerDiskGauges(registry: Registry): ServiceMetrics['registerDisk'] {
  let diskFree: (() => number | undefined) | undefined;
  new Gauge({
    name: 'tds_worker_disk_free_bytes',
    help: "Free bytes of this worker's data folder, read at its last claim; below tds_worker_disk_floor_bytes it claims nothing",
    registers: [registry],
    collect() {
      const free = diskFree?.();
      if (free !== undefined) this.set(free);
    },
  });
  const diskFloor = new Gauge({
    name: 'tds_worker_disk_floor_bytes',
    help: 'Free bytes a worker keeps in its data folder (TDS_WORKER_MIN_FREE_MB): below them it claims nothing',
    registers: [registry],
  });
  return (freeBytes, floorBytes) => {
    diskFree = freeBytes;
    diskFloor.set(floorBytes);
  };
}

/** The gauges of the streams this process serves, read from `registerStreams`'s figures at scrape. */
function registerStreamGauges(registry: Registry): ServiceMetrics['registerStreams'] {
  let streamStats: (() => { open: number; behind: number; queuedBytes: number }) | undefined;
  new Gauge({
    name: 'tds_streams_open',
    help: 'Streamed answers (GET /events, log streams) this process has open',
    registers: [registry],
    collect() {
      if (streamStats) this.set(streamStats().open);
    },
  });
  new Gauge({
    name: 'tds_event_streams_behind',
    help: 'GET /events streams of this process paused because their client reads slower than events come (or catching up)',
    registers: [registry],
    collect() {
      if (streamStats) this.set(streamStats().behind);
    },
  });
  new Gauge({
    name: 'tds_event_streams_queued_bytes',
    help: 'Bytes this process holds for its GET /events streams: their queues and what their sockets have not sent',
    registers: [registry],
    collect() {
      if (streamStats) this.set(streamStats().queuedBytes);
    },
  });
  return (stats) => {
    streamStats = stats;
  };
}

/**
 * `target` with each method that returns a promise counting its failures (`count(method)`), and
 * each that returns an async iterable counting a failure while it is read. The rest as they are.
 */
export function countingFailures<T extends object>(target: T, count: (operation: string) => void): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver) as unknown;
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(object, args);
        if (result instanceof Promise) {
          result.catch(() => count(property));
          return result;
        }
        if (result && typeof result === 'object' && Symbol.asyncIterator in result) {
          const iterable = result as AsyncIterable<unknown>;
          return (async function* () {
            try {
              yield* iterable;
            } catch (error) {
              count(property);
              throw error;
            }
          })();
        }
        return result;
      };
    },
  });
}
