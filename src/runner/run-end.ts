import { rm } from 'node:fs/promises';
import type { SqlExecutor } from '../../services/db/database.js';
import { queueRetry } from '../runs/retry.js';
import { recordRunUsage } from '../usage/record-run-usage.js';
import { type Run } from '../runs/run-repository.js';
import { finish, type RunOutcome } from '../runs/transitions.js';
import { INSTALLATION_LABEL, runVolumes } from './image-builder.js';
import { type MetricsSummary } from './metrics-summary.js';
import type { RunFinisherDeps } from './finisher-context.js';
import { runWorkDir } from './finisher-context.js';

/** The run was taken over by another worker while this one was collecting its results. */
export class LeaseLost extends Error {
  constructor(readonly runId: string) {
    super(`run ${runId} was taken over by another worker`);
    this.name = 'LeaseLost';
  }
}

/** Removes the run's container, volumes and working folder; logs what it could not, never throws. */
export async function cleanUp(deps: RunFinisherDeps, run: Run, containerId: string | null): Promise<void> {
  const { engine, logger, dataDir } = deps;
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
  // After the container: a volume is removed only once no container uses it. Its network is kept
  // for the worker's next run (run-networks.ts): with the container gone, no run is on it.
  for (const volume of runVolumes(run.id)) {
    await engine
      .removeVolume(volume.name)
      .catch((error) => log.warn({ err: error, volume: volume.name }, 'could not remove a run volume'));
  }
  await rm(runWorkDir(dataDir, run.id), { recursive: true, force: true }).catch((error: unknown) =>
    log.warn({ err: error }, "could not remove the run's working folder"),
  );
}

export async function recordEnd(
  deps: RunFinisherDeps,
  run: Run,
  outcome: RunOutcome,
  ended: { exitCode?: number | null; result?: string | null; metrics?: MetricsSummary } = {},
) {
  const { db, logger, workerId } = deps;
  const { exitCode, result, metrics } = ended;
  const peaks = metrics
    ? { cpuPercent: metrics.cpu_percent_peak, memoryBytes: metrics.memory_bytes_peak }
    : undefined;
  const end = async (tx: SqlExecutor) => {
    const finished = await finish(tx, run.id, outcome, { owner: workerId, exitCode, result, peaks });
    if (finished && metrics) await recordRunUsage(tx, finished, metrics);
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
    run.workflowRunId !== null && deps.stepEnded
      ? await deps.stepEnded.transaction(end)
      : await db.transaction(end);
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
