import type { Logger } from 'pino';
import type { Database, SqlExecutor } from '../../services/db/database.js';
import type { Signals } from '../signals.js';
import type { WakeableSleep } from '../wakeable-sleep.js';
import type { CronOf } from './cron-cache.js';
import type { UnfinishedRun } from './overlap.js';
import type { WorkflowFireRow } from './schedule-repository.js';

/**
 * How the scheduler weighs, starts and replaces workflow runs: the workflow engine's, passed in.
 * Each is called in the transaction that records the fire time, so a fire time starts its
 * workflow run exactly once, however schedulers die.
 */
export interface WorkflowFiring {
  /** The unfinished (queued or running) workflow runs of each workflow, oldest first. */
  unfinished(tx: SqlExecutor, workflowIds: string[]): Promise<Map<string, UnfinishedRun[]>>;
  /** Starts the workflow runs of fire times just recorded; resolves with how many step runs were queued. */
  start(tx: SqlExecutor, fires: WorkflowFireRow[]): Promise<number>;
  /**
   * Cancels a workflow run replaced by a later fire time's; resolves with whether running steps
   * must be stopped, and how many step runs were queued (the run waiting for it, started when it ends at once).
   */
  cancel(tx: SqlExecutor, workflowRunId: string): Promise<{ stop: boolean; queued: number }>;
}

/** Passes run side by side when more schedules are due than one pass takes, or fires are prepared. */
export const DRAIN_LANES = 2;

/** What a scheduler's passes share: its collaborators, settings and whether it is stopping. */
export interface SchedulerContext {
  db: Database;
  logger: Logger;
  misfireToleranceMs: number;
  batchSize: number;
  /** "Now": the database's clock, unless a test sets another. */
  clock: (db: SqlExecutor) => Promise<Date>;
  signals: Pick<Signals, 'runQueued' | 'cancelRequested' | 'runFinished' | 'firesSkipped'>;
  workflows: WorkflowFiring | undefined;
  cronOf: CronOf;
  /** The pause between passes, cut short when a schedule changes or the scheduler stops. */
  pause: WakeableSleep;
  /** How many times the scheduler was woken so far: a wait can tell it was cut short. */
  wakes(): number;
  stopped(): boolean;
}
