import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ObjectStore } from '../../services/aws/object-store.js';
import type { Database, SqlExecutor } from '../../services/db/database.js';
import type { ContainerEngine } from '../../services/docker/container-engine.js';
import type { FailureReason, RunFailure } from '../errors.js';
import { MAX_RESULT_BYTES } from '../jobs/job-spec.js';
import { errorMessage } from '../errors.js';
import { queueRetry } from '../runs/retry.js';
import { getRun, listRunEvents, type Run } from '../runs/run-repository.js';
import type { TerminalState } from '../runs/run-states.js';
import { finish, type RunOutcome } from '../runs/transitions.js';
import type { Signals } from '../signals.js';
import {
  CONTENT_TYPES,
  collectLogs,
  collectOutputs,
  type LogsReport,
  type OutputReport,
} from './collect-results.js';
import { METRICS_CSV_HEADER, type EngineSampler } from './engine-sampler.js';
import { jobImageTag } from './image-builder.js';
import { retryWithBackoff } from '../retry-with-backoff.js';
import { parseMetricsRow } from './metrics-reading.js';
import { MetricsSummariser, type MetricsSummary } from './metrics-summary.js';
import { applyLimits } from './limit-outcome.js';
import { readLastLine, resultTooLargeMessage } from './run-result.js';
import { describeBytes } from './sizes.js';
import { diskLimitMessage } from './disk-limit.js';

export interface RunFinisher {
  /**
   * The run's container has stopped and the run is `uploading`: collect, upload, record, clean up.
   * `stoppedFromOutside` is the signal someone other than this service stopped it with, if any.
   */
  finishExited(run: Run, options?: { stoppedFromOutside?: string }): Promise<Run | undefined>;
  /** The run ended before its container could run (or it vanished): upload what exists, record why. */
  finishEarly(runId: string, failure: RunFailure, buildLog?: string): Promise<Run | undefined>;
}

export interface RunFinisherDeps {
  db: SqlExecutor;
  store: ObjectStore;
  engine: ContainerEngine;
  logger: Logger;
  dataDir: string;
  /** The worker finishing runs: only runs it still owns are changed. */
  workerId: string;
  /** Tells when a run of this worker has ended, and when a retry of it is queued. */
  signals: Pick<Signals, 'runEnded' | 'runQueued' | 'runFinished'>;
  /** How uploads are retried while the object store is unavailable. */
  uploadRetry: { attempts: number; firstDelayMs: number };
  /** The most a run's output files may come to in all, and each of its logs. */
  limits: { maxOutputBytes: number; maxLogBytes: number };
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
  /** Told how long collecting and uploading a run's results took (the metrics). */
  observeUpload?: (seconds: number) => void;
}

export function runWorkDir(dataDir: string, runId: string): string {
  return path.join(dataDir, 'runs', runId);
}

/** Where a run sampled by the engine (a prebuilt image without a shell) has its metrics written. */
export function engineMetricsPath(dataDir: string, runId: string): string {
  return path.join(runWorkDir(dataDir, runId), 'engine-metrics.csv');
}

function seconds(from: Date | null, to: Date | null): number | null {
  return from && to ? (to.getTime() - from.getTime()) / 1000 : null;
}

/** What a stopped container's run amounts to, from why it was stopped and how it exited. */
export function outcomeOf(run: Run, exitCode: number | null, oomKilled: boolean): RunOutcome {
  if (run.killReason === 'cancel') {
    return {
      state: 'cancelled',
      failureReason: 'cancelled',
      failureMessage: 'cancelled on request while running',
    };
  }
  if (run.killReason === 'timeout') {
    return {
      state: 'timed_out',
      failureReason: 'timeout',
      failureMessage: `the command ran longer than its timeout of ${run.spec.timeout_seconds} s and was stopped`,
    };
  }
  if (run.killReason === 'disk') {
    return {
      state: 'failed',
      failureReason: 'disk_limit_exceeded',
      failureMessage: diskLimitMessage(run),
    };
  }
  if (exitCode === 0) return { state: 'succeeded' };
  const memory = oomKilled
    ? ` (killed for using more than its memory limit of ${run.spec.memory_mb} MiB)`
    : '';
  return {
    state: 'failed',
    failureReason: 'exit_code',
    failureMessage: `the command exited with code ${exitCode ?? 'unknown'}${memory}`,
  };
}

/**
 * A run's result from its stdout log as kept on disk: the last non-empty line, or a problem
 * (too long a line, or a log cut at the cap, whose last line is then not the command's).
 */
export async function captureResult(
  stdoutFile: string,
  logs: LogsReport,
  maxLogBytes: number,
): Promise<{ result: string | null; problem?: string }> {
  if (logs.stdout.truncated) {
    return {
      result: null,
      problem: `stdout came to ${describeBytes(logs.stdout.bytes)}, more than the ${describeBytes(maxLogBytes)} kept (TDS_MAX_LOG_BYTES): its last line, the result, was cut off`,
    };
  }
  const reading = await readLastLine(stdoutFile, MAX_RESULT_BYTES);
  if (reading.kind === 'result') return { result: reading.result };
  if (reading.kind === 'none') return { result: null };
  return { result: null, problem: resultTooLargeMessage(reading.bytes, MAX_RESULT_BYTES) };
}

/**
 * A run that would have succeeded fails for `reason`; one that failed already keeps its own
 * reason, with `message` added to its message.
 */
function failWith(outcome: RunOutcome, reason: FailureReason, message: string): RunOutcome {
  if (outcome.state === 'succeeded')
    return { state: 'failed', failureReason: reason, failureMessage: message };
  return { ...outcome, failureMessage: [outcome.failureMessage ?? '', message].join('; ') };
}

/** The run was taken over by another worker while this one was collecting its results. */
class LeaseLost extends Error {
  constructor(readonly runId: string) {
    super(`run ${runId} was taken over by another worker`);
    this.name = 'LeaseLost';
  }
}

export function createRunFinisher(deps: RunFinisherDeps): RunFinisher {
  const { db, store, engine, logger, dataDir, workerId } = deps;

  async function stillOwned(runId: string): Promise<boolean> {
    const [row] = await db.query<{ owned: boolean }>(
      'SELECT worker_id = $2 AS owned FROM runs WHERE id = $1::uuid',
      [runId, workerId],
    );
    return row?.owned === true;
  }
  async function writeRunRecord(
    run: Run,
    outcome: RunOutcome,
    extra: {
      exitCode?: number | null;
      logs?: LogsReport;
      outputs?: OutputReport;
      metrics?: MetricsSummary;
      result?: string | null;
      uploadErrors?: string[];
    },
  ): Promise<void> {
    const finishedAt = new Date();
    const history = await listRunEvents(db, run.id);
    const record = {
      runId: run.id,
      jobId: run.jobId,
      state: outcome.state,
      failure: outcome.failureReason
        ? { reason: outcome.failureReason, message: outcome.failureMessage }
        : null,
      exitCode: extra.exitCode ?? null,
      result: extra.result ?? null,
      image: run.image,
      trigger: run.trigger,
      spec: { ...run.spec, env: Object.keys(run.spec.env) },
      timings: {
        queuedAt: run.queuedAt,
        claimedAt: run.claimedAt,
        startedAt: run.startedAt,
        endedAt: run.endedAt,
        finishedAt,
        runSeconds: seconds(run.startedAt, run.endedAt),
        totalSeconds: seconds(run.queuedAt, finishedAt),
      },
      results: { bucket: run.resultsBucket, prefix: run.resultsPrefix },
      logs: extra.logs ?? null,
      outputs: extra.outputs ?? null,
      metrics: extra.metrics ?? null,
      uploadErrors: extra.uploadErrors ?? [],
      history: [...history, { state: outcome.state, at: finishedAt, detail: null }],
    };
    await store.putObject(
      run.resultsBucket,
      `${run.resultsPrefix}run.json`,
      `${JSON.stringify(record, null, 2)}\n`,
      CONTENT_TYPES.json,
    );
  }

  async function cleanUp(run: Run, containerId: string | null): Promise<void> {
    const log = logger.child({ runId: run.id, jobId: run.jobId });
    if (containerId) {
      await engine
        .removeContainer(containerId)
        .catch((error) => log.warn({ err: error }, 'could not remove container'));
    }
    await engine
      .removeImage(jobImageTag(run.id))
      .catch((error) => log.warn({ err: error }, 'could not remove the run image'));
    await rm(runWorkDir(dataDir, run.id), { recursive: true, force: true });
  }

  async function record(
    run: Run,
    outcome: RunOutcome,
    ended: { exitCode?: number | null; result?: string | null; metrics?: MetricsSummary } = {},
  ) {
    const { exitCode, result, metrics } = ended;
    const peaks = metrics
      ? { cpuPercent: metrics.cpu_percent_peak, memoryBytes: metrics.memory_bytes_peak }
      : undefined;
    const end = async (tx: SqlExecutor) => {
      const finished = await finish(tx, run.id, outcome, { owner: workerId, exitCode, result, peaks });
      const retry = finished ? await queueRetry(tx, finished) : undefined;
      const moved =
        finished && !retry && deps.stepEnded ? await deps.stepEnded.advance(tx, finished) : undefined;
      return {
        finished,
        retry,
        queued: moved?.queued ?? 0,
        storeResults: (moved?.ended ?? false) || (moved?.fanOutEnded ?? false),
      };
    };
    const { finished, retry, queued, storeResults } =
      run.workflowRunId !== null && deps.stepEnded ? await deps.stepEnded.transaction(end) : await end(db);
    if (finished) {
      deps.signals.runEnded.notify();
      deps.signals.runFinished.notify(finished);
      if (retry) logger.info({ runId: run.id, retryRunId: retry.id, attempt: retry.attempt }, 'retry queued');
      if (retry || queued > 0) deps.signals.runQueued.notify();
      if (storeResults && run.workflowRunId !== null) {
        await deps
          .stepEnded!.workflowRunEnded(run.workflowRunId)
          .catch((error: unknown) =>
            logger.warn(
              { err: error, workflowRunId: run.workflowRunId },
              'could not write the workflow run report',
            ),
          );
      }
    }
    return finished;
  }

  return {
    async finishExited(run, options = {}) {
      try {
        return await collectAndRecord(run, options.stoppedFromOutside);
      } catch (error) {
        if (!(error instanceof LeaseLost)) throw error;
        logger.warn(
          { runId: run.id },
          'stopped collecting results: the run was taken over by another worker',
        );
        return undefined;
      }
    },

    async finishEarly(runId, failure, buildLog) {
      return finishEarly(runId, failure, buildLog);
    },
  };

  async function collectAndRecord(
    run: Run,
    stoppedFromOutside: string | undefined,
  ): Promise<Run | undefined> {
    const log = logger.child({ runId: run.id, jobId: run.jobId, containerId: run.containerId });
    const uploadStarted = performance.now();
    const container = run.containerId ? await engine.inspectContainer(run.containerId) : undefined;
    if (!container || !run.containerId) {
      const outcome: RunOutcome = {
        state: 'failed',
        failureReason: 'infra_error',
        failureMessage: "the run's container disappeared before its results could be collected",
      };
      await writeRunRecord(run, outcome, {}).catch((error) =>
        log.warn({ err: error }, 'could not upload run.json'),
      );
      const ended = await record(run, outcome);
      await cleanUp(run, run.containerId);
      return ended;
    }

    const uploadErrors: string[] = [];
    // Each upload is tried again with backoff (the store may be briefly unavailable).
    const attempt = async <T>(what: string, action: () => Promise<T>): Promise<T | undefined> => {
      // A worker whose lease lapsed (it lost the database for a while) stops here: the run's
      // new owner collects the results, and two writers never race for the same objects.
      if (!(await stillOwned(run.id))) throw new LeaseLost(run.id);
      try {
        return await retryWithBackoff(action, {
          ...deps.uploadRetry,
          // The container is gone (404 from the engine): no retry brings it back.
          retryable: (error) => (error as { statusCode?: number }).statusCode !== 404,
          onRetry: (error, n) =>
            log.warn({ error: errorMessage(error), attempt: n }, `uploading ${what} failed; retrying`),
        });
      } catch (error) {
        log.warn({ err: error }, `could not upload ${what}`);
        uploadErrors.push(`${what}: ${errorMessage(error)}`);
        return undefined;
      }
    };
    const dir = path.join(runWorkDir(dataDir, run.id), 'results');
    const { maxLogBytes, maxOutputBytes } = deps.limits;
    const logs = await attempt('logs', () =>
      collectLogs(engine, store, container.id, dir, run.resultsBucket, run.resultsPrefix, maxLogBytes),
    );
    const outputs = await attempt('outputs', () =>
      collectOutputs(engine, store, container.id, run.resultsBucket, run.resultsPrefix, maxOutputBytes),
    );
    const metrics = await attempt('metrics', async () => {
      // Every run is sampled from the engine by this worker, into a file on this host: the job
      // cannot write it, so the figures recorded for the run are not the job's word. The job's own
      // file in the container (written by its sampler, as its user) is left there.
      await deps.engineSampler.stop(run.id);
      const file = engineMetricsPath(dataDir, run.id);
      const sampled = await stat(file).then(
        () => true,
        () => false,
      );
      const summariser = new MetricsSummariser();
      if (sampled) {
        for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
          const sample = parseMetricsRow(line);
          if (sample) summariser.add(sample.cpuPercent, sample.memoryBytes);
        }
      }
      const summary = {
        ...summariser.result(seconds(run.startedAt, run.endedAt)),
        sampledFrom: 'engine' as const,
      };
      await store.putObject(
        run.resultsBucket,
        `${run.resultsPrefix}metrics.csv`,
        sampled ? createReadStream(file) : `${METRICS_CSV_HEADER}\n`,
        CONTENT_TYPES.csv,
      );
      await store.putObject(
        run.resultsBucket,
        `${run.resultsPrefix}metrics.json`,
        `${JSON.stringify(summary, null, 2)}\n`,
        CONTENT_TYPES.json,
      );
      return summary;
    });

    let outcome = outcomeOf(run, container.exitCode, container.oomKilled);
    if (stoppedFromOutside !== undefined && !run.killReason && outcome.state !== 'succeeded') {
      outcome = {
        state: 'failed',
        failureReason: 'infra_error',
        failureMessage: `the container was stopped from outside the service (signal ${stoppedFromOutside}, exit code ${container.exitCode ?? 'unknown'}): the Docker engine restarting, or someone stopping it`,
      };
    }
    if (uploadErrors.length > 0 && !run.killReason && !(await engine.inspectContainer(container.id))) {
      outcome = {
        state: 'failed',
        failureReason: 'infra_error',
        failureMessage: `the run's container disappeared before its results could be collected (exit code ${container.exitCode ?? 'unknown'})`,
      };
    }
    if (uploadErrors.length > 0 && outcome.state === 'succeeded') {
      outcome = { state: 'failed', failureReason: 'upload_error', failureMessage: uploadErrors.join('; ') };
    }
    outcome = applyLimits(outcome, outputs, logs);
    let result: string | null = null;
    if (run.spec.capture_result && logs) {
      const captured = await captureResult(path.join(dir, 'stdout.log'), logs, maxLogBytes);
      result = captured.result;
      if (captured.problem) outcome = failWith(outcome, 'result_too_large', captured.problem);
    }
    await attempt('run.json', () =>
      writeRunRecord(run, outcome, {
        exitCode: container.exitCode,
        logs,
        outputs,
        metrics,
        result,
        uploadErrors,
      }),
    );
    if (uploadErrors.length > 0) {
      // Nothing is lost: what could not be delivered stays on this host.
      const kept = path.join(dataDir, 'undelivered', run.id);
      await mkdir(path.dirname(kept), { recursive: true });
      await rename(dir, kept).catch(() => undefined);
      const note = `results that could not be uploaded are kept at ${kept}`;
      outcome =
        outcome.failureReason === 'upload_error'
          ? { ...outcome, failureMessage: `${outcome.failureMessage ?? ''}; ${note}` }
          : {
              ...outcome,
              failureMessage: `${outcome.failureMessage ?? ''}; some results could not be uploaded (${uploadErrors.join('; ')}); ${note}`,
            };
    }
    const ended = await record(run, outcome, { exitCode: container.exitCode, result, metrics });
    deps.observeUpload?.((performance.now() - uploadStarted) / 1000);
    log.info({ state: outcome.state, exitCode: container.exitCode }, 'run finished');
    await cleanUp(run, container.id);
    return ended;
  }

  async function finishEarly(
    runId: string,
    failure: RunFailure,
    buildLog?: string,
  ): Promise<Run | undefined> {
    const run = await getRun(db, runId);
    if (!run) return undefined;
    const log = logger.child({ runId: run.id, jobId: run.jobId });
    const state: TerminalState = failure.reason === 'cancelled' ? 'cancelled' : 'failed';
    const outcome: RunOutcome = { state, failureReason: failure.reason, failureMessage: failure.message };
    const uploadErrors: string[] = [];
    if (buildLog) {
      await store
        .putObject(run.resultsBucket, `${run.resultsPrefix}build.log`, buildLog, CONTENT_TYPES.log)
        .catch((error: unknown) => uploadErrors.push(`build.log: ${errorMessage(error)}`));
    }
    await writeRunRecord(run, outcome, { uploadErrors }).catch((error: unknown) =>
      log.warn({ err: error }, 'could not upload run.json'),
    );
    const ended = await record(run, outcome);
    log.info({ state, reason: failure.reason, message: failure.message }, 'run ended early');
    await cleanUp(run, run.containerId);
    return ended;
  }
}
