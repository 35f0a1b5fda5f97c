import { copyFile, rm, stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ObjectStore } from '../../services/aws/object-store.js';
import type { Database, SqlExecutor } from '../../services/db/database.js';
import type { ContainerEngine, ContainerState } from '../../services/docker/container-engine.js';
import { RunFailure, errorMessage, type FailureReason } from '../errors.js';
import { queueRetry } from '../runs/retry.js';
import { getRun, listRunEvents, type Run } from '../runs/run-repository.js';
import type { TerminalState } from '../runs/run-states.js';
import { finish, type RunOutcome } from '../runs/transitions.js';
import type { Signals } from '../signals.js';
import { CONTENT_TYPES, collectLogs, collectOutputs, type LogsReport } from './collect-results.js';
import { deliverSpool, undeliveredMessage } from './deliver-results.js';
import type { ResultSpool, SpooledRecord, SpoolManifest } from './result-spool.js';
import { METRICS_CSV_HEADER, type EngineSampler } from './engine-sampler.js';
import { INSTALLATION_LABEL, jobImageTag, runNetworkName, runVolumes } from './image-builder.js';
import { retryWithBackoff } from '../retry-with-backoff.js';
import type { SecretService } from '../secrets/secret-service.js';
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
  finishExited(
    run: Run,
    options?: { stoppedFromOutside?: string; signal?: AbortSignal },
  ): Promise<Run | undefined>;
  /**
   * The run ended before its container could run (or it vanished): spool and deliver what exists,
   * record why. `signal` stops the delivery (the worker is stopping): the run is then left as it is.
   */
  finishEarly(
    runId: string,
    failure: RunFailure,
    options?: { buildLog?: string; signal?: AbortSignal },
  ): Promise<Run | undefined>;
}

export interface RunFinisherDeps {
  db: SqlExecutor;
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
  /** Told how long collecting and uploading a run's results took (the metrics). */
  observeUpload?: (seconds: number) => void;
  /** The values of a run's secrets, masked in its stored logs. */
  secrets: Pick<SecretService, 'maskFor' | 'forget'>;
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
  maxResultBytes: number,
): Promise<{ result: string | null; problem?: string }> {
  if (logs.stdout.truncated) {
    return {
      result: null,
      problem: `stdout came to ${describeBytes(logs.stdout.bytes)}, more than the ${describeBytes(maxLogBytes)} kept (TDS_MAX_LOG_BYTES): its last line, the result, was cut off`,
    };
  }
  const reading = await readLastLine(stdoutFile, maxResultBytes);
  if (reading.kind === 'result') return { result: reading.result };
  if (reading.kind === 'none') return { result: null };
  return { result: null, problem: resultTooLargeMessage(reading.bytes, maxResultBytes) };
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

/** What run.json reports besides the run itself. */
type RunRecordDetails = Partial<SpooledRecord> & { uploadErrors?: string[] };

/** The run was taken over by another worker while this one was collecting its results. */
class LeaseLost extends Error {
  constructor(readonly runId: string) {
    super(`run ${runId} was taken over by another worker`);
    this.name = 'LeaseLost';
  }
}

export function createRunFinisher(deps: RunFinisherDeps): RunFinisher {
  const { db, store, engine, logger, dataDir, workerId, spool } = deps;

  async function stillOwned(runId: string): Promise<boolean> {
    const [row] = await db.query<{ owned: boolean }>(
      'SELECT worker_id = $2 AS owned FROM runs WHERE id = $1::uuid',
      [runId, workerId],
    );
    return row?.owned === true;
  }
  /** run.json: the run as it ended, with what its results came to. */
  async function runRecord(run: Run, outcome: RunOutcome, extra: RunRecordDetails): Promise<string> {
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
    return `${JSON.stringify(record, null, 2)}\n`;
  }

  async function cleanUp(run: Run, containerId: string | null): Promise<void> {
    const log = logger.child({ runId: run.id, jobId: run.jobId });
    deps.secrets.forget(run.id);
    if (containerId) {
      await engine
        .inspectContainer(containerId)
        .then(async (container) => {
          const owner = container?.labels[INSTALLATION_LABEL];
          // Made before containers carried the label, or this installation's: removed.
          if (owner !== undefined && owner !== deps.installationId) {
            log.warn({ containerId, owner }, "left another installation's container alone");
            return;
          }
          await engine.removeContainer(containerId);
        })
        .catch((error) => log.warn({ err: error }, 'could not remove container'));
    }
    await engine
      .inspectImage(jobImageTag(run.id))
      .then(async (image) => {
        const owner = image?.labels[INSTALLATION_LABEL];
        if (!image || (owner !== undefined && owner !== deps.installationId)) return;
        await engine.removeImage(jobImageTag(run.id));
      })
      .catch((error) => log.warn({ err: error }, 'could not remove the run image'));
    // After the container: a volume (or a network) is removed only once no container uses it.
    for (const volume of runVolumes(run.id)) {
      await engine
        .removeVolume(volume.name)
        .catch((error) => log.warn({ err: error, volume: volume.name }, 'could not remove a run volume'));
    }
    await engine
      .removeNetwork(runNetworkName(run.id))
      .catch((error) => log.warn({ err: error }, "could not remove the run's network"));
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
        return await collectAndRecord(run, options.stoppedFromOutside, options.signal);
      } catch (error) {
        if (options.signal?.aborted) {
          logger.info(
            { runId: run.id },
            'stopped delivering results: the worker is stopping; they stay spooled',
          );
          return undefined;
        }
        if (!(error instanceof LeaseLost)) throw error;
        logger.warn(
          { runId: run.id },
          'stopped collecting results: the run was taken over by another worker',
        );
        return undefined;
      }
    },

    async finishEarly(runId, failure, options = {}) {
      return finishEarly(runId, failure, options.buildLog, options.signal);
    },
  };

  async function collectAndRecord(
    run: Run,
    stoppedFromOutside: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Run | undefined> {
    const log = logger.child({ runId: run.id, jobId: run.jobId, containerId: run.containerId });
    const uploadStarted = performance.now();
    let manifest = await spool.read(run.id);
    if (manifest) {
      // Spooled before a restart (or an earlier pass): delivered from the disk, never run again.
      log.info({ spooledAt: manifest.spooledAt }, 'delivering results spooled earlier');
    } else {
      const container = run.containerId ? await engine.inspectContainer(run.containerId) : undefined;
      if (!container || !run.containerId) {
        return finishEarly(
          run.id,
          new RunFailure(
            'infra_error',
            "the run's container disappeared before its results could be collected",
          ),
          undefined,
          signal,
        );
      }
      const spoolStarted = performance.now();
      manifest = await spoolResults(run, container, stoppedFromOutside, log);
      log.info(
        { files: manifest.files, bytes: manifest.bytes, ms: Math.round(performance.now() - spoolStarted) },
        'results spooled',
      );
      // Everything is on this host now: the container, its volumes and the run image can go.
      await cleanUp(run, container.id);
    }

    const { outcome, delivered } = await deliver(run, manifest, log, signal);
    const { exitCode, result, metrics } = manifest.record;
    const ended = await record(run, outcome, { exitCode, result, metrics });
    deps.observeUpload?.((performance.now() - uploadStarted) / 1000);
    log.info({ state: outcome.state, exitCode }, 'run finished');
    if (delivered) await spool.remove(run.id);
    await cleanUp(run, run.containerId);
    return ended;
  }

  /**
   * Copies everything the stopped container produced into the run's spool on this host (logs,
   * output files, metrics, run.json), and decides the run's outcome; nothing is uploaded yet.
   */
  async function spoolResults(
    run: Run,
    container: ContainerState,
    stoppedFromOutside: string | undefined,
    log: Logger,
  ): Promise<SpoolManifest> {
    const problems: string[] = [];
    // Reading from the engine is tried again with backoff (it may be briefly busy).
    const attempt = async <T>(what: string, action: () => Promise<T>): Promise<T | undefined> => {
      if (!(await stillOwned(run.id))) throw new LeaseLost(run.id);
      try {
        return await retryWithBackoff(action, {
          ...deps.collectRetry,
          // The container is gone (404 from the engine): no retry brings it back.
          retryable: (error) => (error as { statusCode?: number }).statusCode !== 404,
          onRetry: (error, n) =>
            log.warn({ error: errorMessage(error), attempt: n }, `collecting ${what} failed; retrying`),
        });
      } catch (error) {
        log.warn({ err: error }, `could not collect ${what}`);
        problems.push(`${what}: ${errorMessage(error)}`);
        return undefined;
      }
    };
    const writer = await spool.open(run.id);
    try {
      const { maxLogBytes, maxOutputBytes } = deps.limits;
      const prefix = run.resultsPrefix;
      const logFiles = { stdout: writer.newFile(), stderr: writer.newFile() };
      // The logs are stored with the run's secrets masked, or not at all: a value that cannot be
      // opened here (deleted while the run ran, on a worker that did not start it) cannot be masked.
      const mask = await deps.secrets
        .maskFor({ id: run.id, userId: run.spec.userId, names: run.spec.secrets ?? [] })
        .catch((error: unknown) => {
          problems.push(
            `logs: not stored, because the run's secrets could not be read to mask them (${errorMessage(error)})`,
          );
          return undefined;
        });
      const logs =
        mask === undefined
          ? undefined
          : await attempt('logs', () => collectLogs(engine, container.id, logFiles, maxLogBytes, mask));
      for (const name of ['stdout', 'stderr'] as const) {
        const size = await stat(logFiles[name])
          .then((s) => s.size)
          .catch(() => undefined);
        if (size === undefined) continue;
        await writer.add(
          {
            key: `${prefix}${name}.log`,
            file: path.basename(logFiles[name]),
            contentType: CONTENT_TYPES.log,
          },
          size,
        );
      }
      const outputs = await attempt('outputs', () =>
        collectOutputs(engine, container.id, prefix, maxOutputBytes, {
          maxBytes: spool.maxBytes,
          reserve: (bytes) => writer.reserve(bytes),
          keep: (key, body, bytes) => writer.keep(key, body, bytes, { reserved: true }),
        }),
      );
      const metrics = await attempt('metrics', async () => {
        // Every run is sampled from the engine by this worker, into a file on this host: the job
        // cannot write it, so the figures recorded for the run are not the job's word. The job's
        // own file in the container (written by its sampler, as its user) is left there.
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
        if (sampled) {
          const kept = writer.newFile();
          await copyFile(file, kept);
          await writer.add(
            { key: `${prefix}metrics.csv`, file: path.basename(kept), contentType: CONTENT_TYPES.csv },
            (await stat(kept)).size,
          );
        } else {
          const csv = `${METRICS_CSV_HEADER}\n`;
          await writer.keep(`${prefix}metrics.csv`, csv, Buffer.byteLength(csv), {
            contentType: CONTENT_TYPES.csv,
          });
        }
        const json = `${JSON.stringify(summary, null, 2)}\n`;
        await writer.keep(`${prefix}metrics.json`, json, Buffer.byteLength(json), {
          contentType: CONTENT_TYPES.json,
        });
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
      if (problems.length > 0 && !run.killReason && !(await engine.inspectContainer(container.id))) {
        outcome = {
          state: 'failed',
          failureReason: 'infra_error',
          failureMessage: `the run's container disappeared before its results could be collected (exit code ${container.exitCode ?? 'unknown'})`,
        };
      }
      if (problems.length > 0) {
        outcome = failWith(
          outcome,
          'upload_error',
          `some results could not be collected (${problems.join('; ')})`,
        );
      }
      outcome = applyLimits(outcome, outputs, logs);
      let result: string | null = null;
      if (run.spec.capture_result && logs) {
        const captured = await captureResult(logFiles.stdout, logs, maxLogBytes, deps.limits.maxResultBytes);
        result = captured.result;
        if (captured.problem) outcome = failWith(outcome, 'result_too_large', captured.problem);
      }
      const details = {
        exitCode: container.exitCode,
        logs,
        outputs,
        metrics,
        result,
        uploadErrors: problems,
      };
      const json = await runRecord(run, outcome, details);
      await writer.keep(`${prefix}run.json`, json, Buffer.byteLength(json), {
        contentType: CONTENT_TYPES.json,
      });
      return await writer.complete({
        runId: run.id,
        bucket: run.resultsBucket,
        prefix,
        outcome,
        record: { exitCode: container.exitCode, logs, outputs, metrics, result },
      });
    } finally {
      writer.close();
    }
  }

  /**
   * Delivers a complete spool, waiting for the store up to the patience; when it cannot, the run's
   * outcome says which files are kept where (and its spooled run.json says so too, for when the
   * housekeeping delivers it). Returns the outcome and whether everything was delivered.
   */
  async function deliver(
    run: Run,
    manifest: SpoolManifest,
    log: Logger,
    signal: AbortSignal | undefined,
  ): Promise<{ outcome: RunOutcome; delivered: boolean }> {
    const { patienceSeconds, firstDelayMs, maxDelayMs } = deps.delivery;
    const undelivered = await deliverSpool(store, spool, manifest, {
      deadline: Date.parse(manifest.spooledAt) + patienceSeconds * 1000,
      firstDelayMs,
      maxDelayMs,
      signal,
      // A worker whose lease lapsed (it lost the database for a while) stops here: the run's
      // new owner delivers the results, and two writers never race for the same objects.
      beforeTry: async () => {
        if (!(await stillOwned(run.id))) throw new LeaseLost(run.id);
      },
      onRetry: (key, error, delayMs) =>
        log.warn({ error: errorMessage(error), key, delayMs }, 'uploading results failed; retrying'),
    });
    if (!undelivered) return { outcome: manifest.outcome, delivered: true };
    const message = undeliveredMessage(undelivered, manifest, {
      dir: spool.dirOf(run.id),
      workerId,
      patienceSeconds,
    });
    log.warn({ undelivered: undelivered.count }, 'results could not be delivered; kept in the spool');
    const outcome = failWith(manifest.outcome, 'upload_error', message);
    // The spooled run.json tells the end as it is, for when the housekeeping delivers it.
    await spool.rewrite(
      run.id,
      `${run.resultsPrefix}run.json`,
      await runRecord(run, outcome, { ...manifest.record, uploadErrors: [message] }),
    );
    await spool.markGaveUp(run.id, message);
    return { outcome, delivered: false };
  }

  async function finishEarly(
    runId: string,
    failure: RunFailure,
    buildLog?: string,
    signal?: AbortSignal,
  ): Promise<Run | undefined> {
    const run = await getRun(db, runId);
    if (!run) return undefined;
    const log = logger.child({ runId: run.id, jobId: run.jobId });
    const state: TerminalState = failure.reason === 'cancelled' ? 'cancelled' : 'failed';
    let outcome: RunOutcome = { state, failureReason: failure.reason, failureMessage: failure.message };
    // A run its user may no longer run writes nothing: its results folder may be in a bucket
    // taken off their allow-list. Its failure is in the run's record (GET /runs/:id).
    const writes = failure.reason !== 'not_allowed';
    let delivered = true;
    if (writes) {
      // What it leaves (the build log, run.json) waits for the store on this host, as an exited
      // run's results do: an outage of the store as it fails loses nothing.
      const writer = await spool.open(run.id);
      let manifest: SpoolManifest;
      try {
        const prefix = run.resultsPrefix;
        if (buildLog) {
          await writer.keep(`${prefix}build.log`, buildLog, Buffer.byteLength(buildLog), {
            contentType: CONTENT_TYPES.log,
          });
        }
        const json = await runRecord(run, outcome, {});
        await writer.keep(`${prefix}run.json`, json, Buffer.byteLength(json), {
          contentType: CONTENT_TYPES.json,
        });
        manifest = await writer.complete({
          runId: run.id,
          bucket: run.resultsBucket,
          prefix,
          outcome,
          record: { exitCode: null, result: null },
        });
      } finally {
        writer.close();
      }
      try {
        ({ outcome, delivered } = await deliver(run, manifest, log, signal));
      } catch (error) {
        if (signal?.aborted) {
          // Not ended: the next settle of the run (after a restart) spools and delivers it afresh.
          log.info('stopped delivering: the worker is stopping');
          return undefined;
        }
        if (!(error instanceof LeaseLost)) throw error;
        // Its new owner runs it again (it never ran) or ends it: what was spooled here is void.
        log.warn('stopped delivering: the run was taken over by another worker');
        await spool.remove(run.id);
        return undefined;
      }
    }
    const ended = await record(run, outcome);
    log.info({ state, reason: failure.reason, message: failure.message }, 'run ended early');
    if (writes && delivered) await spool.remove(run.id);
    await cleanUp(run, run.containerId);
    return ended;
  }
}
