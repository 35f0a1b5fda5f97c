import { copyFile, stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ContainerState } from '../../services/docker/container-engine.js';
import { errorMessage } from '../errors.js';
import { isRunHeldBy } from '../runs/leases.js';
import { type Run } from '../runs/run-repository.js';
import { CONTENT_TYPES, collectLogs, collectOutputs } from './collect-results.js';
import type { SpooledRecord, SpoolManifest, SpoolWriter } from './result-spool.js';
import type { RunOutcome } from '../runs/transitions.js';
import { METRICS_CSV_HEADER } from './engine-sampler.js';
import { retryWithBackoff } from '../retry-with-backoff.js';
import { parseMetricsRow } from './metrics-reading.js';
import { MetricsSummariser } from './metrics-summary.js';
import { applyLimits } from './limit-outcome.js';
import type { RunFinisherDeps } from './finisher-context.js';
import { engineMetricsPath } from './finisher-context.js';
import { LeaseLost } from './run-end.js';
import { captureResult, failWith, outcomeOf } from './run-outcome.js';
import { runRecord, seconds } from './run-record.js';

/**
 * Copies everything the stopped container produced into the run's spool on this host (logs,
 * output files, metrics, run.json), and decides the run's outcome; nothing is uploaded yet.
 */
export async function spoolResults(
  deps: RunFinisherDeps,
  run: Run,
  container: ContainerState,
  stoppedFromOutside: string | undefined,
  log: Logger,
): Promise<SpoolManifest> {
  const { db, engine, workerId, spool } = deps;
  const problems: string[] = [];
  // Reading from the engine is tried again with backoff (it may be briefly busy).
  const attempt = async <T>(what: string, action: () => Promise<T>): Promise<T | undefined> => {
    if (!(await isRunHeldBy(db, run.id, workerId))) throw new LeaseLost(run.id);
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
    const metrics = await attempt('metrics', () => spoolEngineMetrics(deps, run, writer));

    let outcome = await collectedOutcome(deps, run, container, stoppedFromOutside, problems);
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
    return await completeWithRecord(deps, run, writer, outcome, details);
  } finally {
    writer.close();
  }
}

/** Spools what a run that never ran leaves (its build log, run.json), as an exited run's results are. */
export async function spoolEarly(
  deps: RunFinisherDeps,
  run: Run,
  outcome: RunOutcome,
  buildLog?: string,
): Promise<SpoolManifest> {
  const writer = await deps.spool.open(run.id);
  try {
    if (buildLog) {
      await writer.keep(`${run.resultsPrefix}build.log`, buildLog, Buffer.byteLength(buildLog), {
        contentType: CONTENT_TYPES.log,
      });
    }
    return await completeWithRecord(deps, run, writer, outcome, { exitCode: null, result: null });
  } finally {
    writer.close();
  }
}

/** Keeps the run's run.json, written last, and completes the spool with what it records. */
async function completeWithRecord(
  deps: RunFinisherDeps,
  run: Run,
  writer: SpoolWriter,
  outcome: RunOutcome,
  details: SpooledRecord & { uploadErrors?: string[] },
): Promise<SpoolManifest> {
  const json = await runRecord(deps.db, run, outcome, details);
  await writer.keep(`${run.resultsPrefix}run.json`, json, Buffer.byteLength(json), {
    contentType: CONTENT_TYPES.json,
  });
  const { uploadErrors: _problems, ...record } = details;
  return writer.complete({
    runId: run.id,
    bucket: run.resultsBucket,
    prefix: run.resultsPrefix,
    outcome,
    record,
  });
}

/**
 * Every run is sampled from the engine by this worker, into a file on this host: the job cannot
 * write it, so the figures recorded for the run are not the job's word. The job's own file in the
 * container (written by its sampler, as its user) is left there. Spools metrics.csv and
 * metrics.json and returns the summary.
 */
async function spoolEngineMetrics(deps: RunFinisherDeps, run: Run, writer: SpoolWriter) {
  const prefix = run.resultsPrefix;
  await deps.engineSampler.stop(run.id);
  const file = engineMetricsPath(deps.dataDir, run.id);
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
}

/**
 * What the run comes to from how its container stopped, who stopped it, and what of its results
 * could not be collected (`problems`).
 */
async function collectedOutcome(
  deps: RunFinisherDeps,
  run: Run,
  container: ContainerState,
  stoppedFromOutside: string | undefined,
  problems: string[],
): Promise<RunOutcome> {
  let outcome: RunOutcome = outcomeOf(run, container.exitCode, container.oomKilled);
  if (stoppedFromOutside !== undefined && !run.killReason && outcome.state !== 'succeeded') {
    outcome = {
      state: 'failed',
      failureReason: 'infra_error',
      failureMessage: `the container was stopped from outside the service (signal ${stoppedFromOutside}, exit code ${container.exitCode ?? 'unknown'}): the Docker engine restarting, or someone stopping it`,
    };
  }
  if (problems.length > 0 && !run.killReason && !(await deps.engine.inspectContainer(container.id))) {
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
  return outcome;
}
