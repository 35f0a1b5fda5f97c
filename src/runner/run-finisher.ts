import type { RunFailure } from '../errors.js';
import { errorMessage } from '../errors.js';
import { isRunHeldBy } from '../runs/leases.js';
import { getRun, type Run } from '../runs/run-repository.js';
import type { TerminalState } from '../runs/run-states.js';
import { type RunOutcome } from '../runs/transitions.js';
import { CONTENT_TYPES } from './collect-results.js';
import { deliverSpool, undeliveredMessage } from './deliver-results.js';
import { runRecord } from './run-record.js';
import { cleanUp, LeaseLost, recordEnd } from './run-end.js';
import { failWith } from './run-outcome.js';
import { spoolResults } from './spool-results.js';
import type { RunFinisherDeps } from './finisher-context.js';

export interface RunFinisher {
  /**
   * The run's container has stopped and the run is `uploading`: collect, upload, record, clean up.
   * `stoppedFromOutside` is the signal someone other than this service stopped it with, if any.
   */
  finishExited(
    run: Run,
    options?: { stoppedFromOutside?: string; signal?: AbortSignal },
  ): Promise<Run | undefined>;
  /** The run ended before its container could run (or it vanished): upload what exists, record why. */
  finishEarly(runId: string, failure: RunFailure, buildLog?: string): Promise<Run | undefined>;
}

export function createRunFinisher(deps: RunFinisherDeps): RunFinisher {
  const { logger } = deps;
  return {
    async finishExited(run, options = {}) {
      try {
        return await collectAndRecord(deps, run, options.stoppedFromOutside, options.signal);
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

    async finishEarly(runId, failure, buildLog) {
      return finishEarly(deps, runId, failure, buildLog);
    },
  };
}

async function collectAndRecord(
  deps: RunFinisherDeps,
  run: Run,
  stoppedFromOutside: string | undefined,
  signal: AbortSignal | undefined,
): Promise<Run | undefined> {
  const { db, store, engine, logger, workerId, spool } = deps;
  const log = logger.child({ runId: run.id, jobId: run.jobId, containerId: run.containerId });
  const uploadStarted = performance.now();
  let manifest = await spool.read(run.id);
  if (manifest) {
    // Spooled before a restart (or an earlier pass): delivered from the disk, never run again.
    log.info({ spooledAt: manifest.spooledAt }, 'delivering results spooled earlier');
  } else {
    const container = run.containerId ? await engine.inspectContainer(run.containerId) : undefined;
    if (!container || !run.containerId) {
      const outcome: RunOutcome = {
        state: 'failed',
        failureReason: 'infra_error',
        failureMessage: "the run's container disappeared before its results could be collected",
      };
      await store
        .putObject(
          run.resultsBucket,
          `${run.resultsPrefix}run.json`,
          await runRecord(db, run, outcome, {}),
          CONTENT_TYPES.json,
        )
        .catch((error) => log.warn({ err: error }, 'could not upload run.json'));
      const ended = await recordEnd(deps, run, outcome);
      await cleanUp(deps, run, run.containerId);
      return ended;
    }
    const spoolStarted = performance.now();
    manifest = await spoolResults(deps, run, container, stoppedFromOutside, log);
    log.info(
      { files: manifest.files, bytes: manifest.bytes, ms: Math.round(performance.now() - spoolStarted) },
      'results spooled',
    );
    // Everything is on this host now: the container, its volumes and the run image can go.
    await cleanUp(deps, run, container.id);
  }

  const { patienceSeconds, firstDelayMs, maxDelayMs } = deps.delivery;
  const undelivered = await deliverSpool(store, spool, manifest, {
    deadline: Date.parse(manifest.spooledAt) + patienceSeconds * 1000,
    firstDelayMs,
    maxDelayMs,
    signal,
    // A worker whose lease lapsed (it lost the database for a while) stops here: the run's
    // new owner delivers the results, and two writers never race for the same objects.
    beforeTry: async () => {
      if (!(await isRunHeldBy(db, run.id, workerId))) throw new LeaseLost(run.id);
    },
    onRetry: (key, error, delayMs) =>
      log.warn({ error: errorMessage(error), key, delayMs }, 'uploading results failed; retrying'),
  });
  let outcome = manifest.outcome;
  if (undelivered) {
    const message = undeliveredMessage(undelivered, manifest, {
      dir: spool.dirOf(run.id),
      workerId,
      patienceSeconds,
    });
    log.warn({ undelivered: undelivered.count }, 'results could not be delivered; kept in the spool');
    outcome = failWith(outcome, 'upload_error', message);
    // The spooled run.json tells the end as it is, for when the housekeeping delivers it.
    await spool.rewrite(
      run.id,
      `${run.resultsPrefix}run.json`,
      await runRecord(db, run, outcome, { ...manifest.record, uploadErrors: [message] }),
    );
    await spool.markGaveUp(run.id, message);
  }
  const { exitCode, result, metrics } = manifest.record;
  const ended = await recordEnd(deps, run, outcome, { exitCode, result, metrics });
  deps.observeUpload?.((performance.now() - uploadStarted) / 1000);
  log.info({ state: outcome.state, exitCode }, 'run finished');
  if (!undelivered) await spool.remove(run.id);
  await cleanUp(deps, run, run.containerId);
  return ended;
}

async function finishEarly(
  deps: RunFinisherDeps,
  runId: string,
  failure: RunFailure,
  buildLog?: string,
): Promise<Run | undefined> {
  const { db, store, logger } = deps;
  const run = await getRun(db, runId);
  if (!run) return undefined;
  const log = logger.child({ runId: run.id, jobId: run.jobId });
  const state: TerminalState = failure.reason === 'cancelled' ? 'cancelled' : 'failed';
  const outcome: RunOutcome = { state, failureReason: failure.reason, failureMessage: failure.message };
  const uploadErrors: string[] = [];
  // A run its user may no longer run writes nothing: its results folder may be in a bucket
  // taken off their allow-list. Its failure is in the run's record (GET /runs/:id).
  const writes = failure.reason !== 'not_allowed';
  if (buildLog && writes) {
    await store
      .putObject(run.resultsBucket, `${run.resultsPrefix}build.log`, buildLog, CONTENT_TYPES.log)
      .catch((error: unknown) => uploadErrors.push(`build.log: ${errorMessage(error)}`));
  }
  if (writes) {
    await store
      .putObject(
        run.resultsBucket,
        `${run.resultsPrefix}run.json`,
        await runRecord(db, run, outcome, { uploadErrors }),
        CONTENT_TYPES.json,
      )
      .catch((error: unknown) => log.warn({ err: error }, 'could not upload run.json'));
  }
  const ended = await recordEnd(deps, run, outcome);
  log.info({ state, reason: failure.reason, message: failure.message }, 'run ended early');
  await cleanUp(deps, run, run.containerId);
  return ended;
}
