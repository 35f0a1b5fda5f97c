import path from 'node:path';
import type { Logger } from 'pino';
import type { ObjectStore } from '../../services/aws/object-store.js';
import type { Database, SqlExecutor } from '../../services/db/database.js';
import type { ContainerEngine } from '../../services/docker/container-engine.js';
import { type Run } from '../runs/run-repository.js';
import type { Signals } from '../signals.js';
import type { ResultSpool } from './result-spool.js';
import { type EngineSampler } from './engine-sampler.js';
import type { SecretService } from '../secrets/secret-service.js';

/** What finishing a run works with: one per worker, handed to each step of finishing. */
export interface RunFinisherDeps {
  db: Database;
  store: ObjectStore;
  engine: ContainerEngine;
  logger: Logger;
  dataDir: string;
  /** The worker finishing runs: only runs it still owns are changed. */
  workerId: string;
  /** A container labelled with another installation is never removed, whatever a run points at. */
  installationId: string;
  /** Tells when a run of this worker has ended, and when a retry of it is queued. */
  signals: Pick<Signals, 'runEnded' | 'runQueued' | 'runFinished'>;
  /** How reading a stopped container's results from the engine is retried. */
  collectRetry: { attempts: number; firstDelayMs: number };
  /** Where a run's results wait on this host until they are in the object store. */
  spool: ResultSpool;
  /**
   * How long spooled results are tried (from when they were spooled, across restarts), and the
   * back-off between tries.
   */
  delivery: { patienceSeconds: number; firstDelayMs: number; maxDelayMs: number };
  /** The most a run's output files may come to in all, and each of its logs. */
  limits: { maxOutputBytes: number; maxLogBytes: number; maxResultBytes: number };
  /**
   * A workflow step's run ended: moves its workflow run on in the same transaction as the run's
   * end (and its retry), so a crash cannot separate them. Returns how many runs it queued.
   */
  stepEnded?: {
    transaction: Database['transaction'];
    advance(tx: SqlExecutor, run: Run): Promise<{ queued: number; ended: boolean; fanOutEnded?: boolean }>;
    /**
     * After the transaction: the workflow run has ended, or one of its fan-out steps (what they
     * leave in the store is written: the report, the step's manifest).
     */
    workflowRunEnded(workflowRunId: string): Promise<void>;
  };
  /** Samples every run's container from the engine; stopped before its metrics are read. */
  engineSampler: Pick<EngineSampler, 'stop'>;
  /** Told how long collecting and uploading a run's results took (the metrics, its trace), and how it ended. */
  observeUpload?: (seconds: number, run: Run) => void;
  /** The values of a run's secrets, masked in its stored logs. */
  secrets: Pick<SecretService, 'maskFor' | 'forget'>;
}

export function runWorkDir(dataDir: string, runId: string): string {
  return path.join(dataDir, 'runs', runId);
}

/** Where the engine's readings of a run this host's worker runs are written while it runs. */
export function engineMetricsPath(dataDir: string, runId: string): string {
  return path.join(runWorkDir(dataDir, runId), 'engine-metrics.csv');
}
