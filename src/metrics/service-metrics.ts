import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SqlExecutor } from '../../services/db/database.js';
import { countRunsByState, oldestQueuedRunAgeSeconds } from '../runs/run-gauges.js';
import { RUN_STATES } from '../runs/run-states.js';
import type { Run } from '../runs/run-repository.js';
import type { Signals } from '../signals.js';
import type { DeliveryResult } from '../webhooks/sender.js';
import { WORKFLOW_RUN_STATES } from '../workflows/workflow-states.js';

/**
 * The service's Prometheus metrics (docs/metrics.md is their reference). Two kinds, so that they
 * add up across any number of service processes:
 * - read from the database at each scrape (runs by state, the queue's oldest run, overdue
 *   schedules, deliveries pending): every process reports the same figure, so take one (`max`);
 * - counted where this process does the work (runs it ended, stages it ran, deliveries it sent,
 *   errors it met): per process, so `sum` them across processes.
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
  /** This process plays the worker role with this many places for runs; `active` tells how many are taken. */
  registerWorker(capacity: number, active: () => Promise<number>): void;
  /** This process runs a worker with a disk floor: the free bytes of its data folder at the last claim. */
  registerDisk(freeBytes: () => number | undefined, floorBytes: number): void;
  /** This process serves streams: how many are open, how many event streams are paused, and the bytes held for them. */
  registerStreams(stats: () => { open: number; behind: number; queuedBytes: number }): void;
}

const SECONDS_BUCKETS = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600];

export function createServiceMetrics(
  db: SqlExecutor,
  signals: Pick<Signals, 'runFinished' | 'firesSkipped'>,
): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerDatabaseGauges(registry, db);
  observeEndedRuns(registry, signals);
  const work = registerWorkCounters(registry);
  return {
    registry,
    ...work,
    registerWorker: registerWorkerGauges(registry),
    registerStreams: registerStreamGauges(registry),
    registerDisk: registerDiskGauges(registry),
  };
}

/** Figures read from the database at each scrape: the same in every process (take the `max`). */
function registerDatabaseGauges(registry: Registry, db: SqlExecutor): void {
  new Gauge({
    name: 'tds_runs',
    help: 'Runs in the database by state (ended runs until housekeeping prunes them); read at scrape',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const counts = await countRunsByState(db);
      for (const state of RUN_STATES) this.set({ state }, counts[state]);
    },
  });

  new Gauge({
    name: 'tds_workflow_runs',
    help: 'Workflow runs in the database by state (ended ones count those that ended that way); read at scrape',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const rows = await db.query<{ state: string; n: string | number }>(
        'SELECT state, count(*) AS n FROM workflow_runs GROUP BY state',
      );
      const counts = new Map(rows.map((r) => [r.state, Number(r.n)]));
      for (const state of WORKFLOW_RUN_STATES) this.set({ state }, counts.get(state) ?? 0);
    },
  });

  new Gauge({
    name: 'tds_queue_oldest_run_age_seconds',
    help: 'How long the oldest queued run (due now) has waited; 0 when none waits; read at scrape',
    registers: [registry],
    async collect() {
      this.set(await oldestQueuedRunAgeSeconds(db));
    },
  });

  new Gauge({
    name: 'tds_schedules_overdue',
    help: 'Active schedules whose next fire time passed more than 60 s ago and is still not fired; read at scrape',
    registers: [registry],
    async collect() {
      const [row] = await db.query<{ n: string | number }>(
        `SELECT count(*) AS n FROM schedules
         WHERE NOT paused AND next_fire_at < now() - interval '60 seconds'`,
      );
      this.set(Number(row?.n ?? 0));
    },
  });

  new Gauge({
    name: 'tds_webhook_deliveries_pending',
    help: 'Webhook deliveries not yet delivered nor given up; read at scrape',
    registers: [registry],
    async collect() {
      const [row] = await db.query<{ n: string | number }>(
        "SELECT count(*) AS n FROM webhook_deliveries WHERE state = 'pending'",
      );
      this.set(Number(row?.n ?? 0));
    },
  });
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
): Pick<ServiceMetrics, 'observeStage' | 'observeDelivery' | 'countError'> {
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
  return {
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
      if (activeRuns) this.set(Math.max(0, capacity - (await activeRuns())));
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
