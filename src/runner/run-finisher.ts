import type { Logger } from 'pino';
import { RunFailure, errorMessage } from '../errors.js';
import { isRunHeldBy } from '../runs/leases.js';
import { getRun, type Run } from '../runs/run-repository.js';
import type { TerminalState } from '../runs/run-states.js';
import { requeueFenced, type RunOutcome } from '../runs/transitions.js';
import { deliverSpool, undeliveredMessage } from './deliver-results.js';
import type { SpoolManifest } from './result-spool.js';
import { runRecord } from './run-record.js';
import { cleanUp, LeaseLost, recordEnd } from './run-end.js';
import { failWith } from './run-outcome.js';
import { spoolEarly, spoolResults } from './spool-results.js';
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
  /**
   * The run ended before its container could run (or it vanished): spool and deliver what exists,
   * record why. `signal` stops the delivery (the worker is stopping): the run is then left as it is.
   */
  finishEarly(
    runId: string,
    failure: RunFailure,
    options?: { buildLog?: string; signal?: AbortSignal },
  ): Promise<Run | undefined>;
  /**
   * The run's container was stopped by a worker cut off from the database (fencing) before its
   * command ended: the run, held by this worker, goes back to the queue to run again (its next
   * start removes what this attempt left). Nothing is delivered or recorded as
   * an end: the command did not end.
   */
  rerunFenced(run: Run, containerId: string): Promise<Run | undefined>;
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

    async finishEarly(runId, failure, options = {}) {
      return finishEarly(deps, runId, failure, options.buildLog, options.signal);
    },

    async rerunFenced(run, containerId) {
      await deps.engineSampler.stop(run.id);
      // Recorded first: should the database fail here, the stopped container is still there to
      // say it was fenced, and the next settle tries again. What it left (container, volumes,
      // network, working files) is removed by the run's next start on this engine, or by
      // housekeeping once the run has ended elsewhere; removed here it could race that start.
      const queued = await requeueFenced(deps.db, run.id, deps.workerId, { containerId });
      if (queued) {
        deps.secrets.forget(run.id);
        logger.warn(
          { runId: run.id, jobId: run.jobId, containerId },
          'requeued a run whose container its cut-off worker stopped (fenced): it runs again',
        );
        // Its place on this worker is free, and the run is there to be claimed again.
        deps.signals.runEnded.notify();
        deps.signals.runQueued.notify();
      }
      return queued;
    },
  };
}

async function collectAndRecord(
  deps: RunFinisherDeps,
  run: Run,
  stoppedFromOutside: string | undefined,
  signal: AbortSignal | undefined,
): Promise<Run | undefined> {
  const { engine, logger, spool } = deps;
  const log = logger.child({ runId: run.id, jobId: run.jobId, containerId: run.containerId });
  const uploadStarted = performance.now();
  let manifest = await spool.read(run.id);
  let cleaned: Promise<void> | undefined;
  if (manifest) {
    // Spooled before a restart (or an earlier pass): delivered from the disk, never run again.
    log.info({ spooledAt: manifest.spooledAt }, 'delivering results spooled earlier');
  } else {
    const container = run.containerId ? await engine.inspectContainer(run.containerId) : undefined;
    if (!container || !run.containerId) {
      return finishEarly(
        deps,
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
    manifest = await spoolResults(deps, run, container, stoppedFromOutside, log);
    log.info(
      { files: manifest.files, bytes: manifest.bytes, ms: Math.round(performance.now() - spoolStarted) },
      'results spooled',
    );
    // Everything is on this host now: the container and its volumes go while the results are
    // delivered (cleanUp logs what it could not remove and never throws).
    cleaned = cleanUp(deps, run, container.id);
  }

  // The end is recorded once both are done: a run seen ended has nothing left on the engine (what
  // a pass before a restart left is removed now), and the runs it lets start (its dependants, the
  // next in the queue) do not wait on the engine behind its removal.
  const [{ outcome, delivered }] = await Promise.all([
    deliver(deps, run, manifest, log, signal),
    cleaned ?? cleanUp(deps, run, run.containerId),
  ]);
  const { exitCode, result, metrics } = manifest.record;
  const ended = await recordEnd(deps, run, outcome, { exitCode, result, metrics });
  deps.observeUpload?.((performance.now() - uploadStarted) / 1000, ended ?? run);
  log.info({ state: outcome.state, exitCode }, 'run finished');
  if (delivered) await spool.remove(run.id);
  return ended;
}

/**
 * Delivers a complete spool, waiting for the store up to the patience; when it cannot, the run's
 * outcome says which files are kept where (and its spooled run.json says so too, for when the
 * housekeeping delivers it). Returns the outcome and whether everything was delivered.
 */
async function deliver(
  deps: RunFinisherDeps,
  run: Run,
  manifest: SpoolManifest,
  log: Logger,
  signal: AbortSignal | undefined,
): Promise<{ outcome: RunOutcome; delivered: boolean }> {
  const { db, store, workerId, spool } = deps;
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
    await runRecord(db, run, outcome, { ...manifest.record, uploadErrors: [message] }),
  );
  await spool.markGaveUp(run.id, message);
  return { outcome, delivered: false };
}

async function finishEarly(
  deps: RunFinisherDeps,
  runId: string,
  failure: RunFailure,
  buildLog?: string,
  signal?: AbortSignal,
): Promise<Run | undefined> {
  const { db, logger, spool } = deps;
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
    const manifest = await spoolEarly(deps, run, outcome, buildLog);
    try {
      ({ outcome, delivered } = await deliver(deps, run, manifest, log, signal));
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
  const ended = await recordEnd(deps, run, outcome);
  log.info({ state, reason: failure.reason, message: failure.message }, 'run ended early');
  if (writes && delivered) await spool.remove(run.id);
  await cleanUp(deps, run, run.containerId);
  return ended;
}
