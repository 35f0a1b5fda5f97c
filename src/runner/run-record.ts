import type { SqlExecutor } from '../../services/db/database.js';
import { listRunEvents, type Run } from '../runs/run-repository.js';
import { type RunOutcome } from '../runs/transitions.js';
import type { SpooledRecord } from './result-spool.js';

export function seconds(from: Date | null, to: Date | null): number | null {
  return from && to ? (to.getTime() - from.getTime()) / 1000 : null;
}

/** What run.json reports besides the run itself. */
export type RunRecordDetails = Partial<SpooledRecord> & { uploadErrors?: string[] };

/** run.json: the run as it ended, with what its results came to. */
export async function runRecord(
  db: SqlExecutor,
  run: Run,
  outcome: RunOutcome,
  extra: RunRecordDetails,
): Promise<string> {
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
