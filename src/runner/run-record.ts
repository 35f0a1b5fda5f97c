import type { SqlExecutor } from '../../services/db/database.js';
import { listRunEvents, type Run, type RunEvent } from '../runs/run-repository.js';
import { type RunOutcome } from '../runs/transitions.js';
import type { SpooledRecord } from './result-spool.js';

export function seconds(from: Date | null, to: Date | null): number | null {
  return from && to ? (to.getTime() - from.getTime()) / 1000 : null;
}

/** What run.json reports besides the run itself. */
export type RunRecordDetails = Partial<SpooledRecord> & { uploadErrors?: string[] };

/** A worker that held a run: the one that claimed it, then any that took it over. */
export interface RunHolder {
  workerId: string;
  /** The worker's host, as it registered itself (null when its row is gone). */
  host: string | null;
  how: 'claimed' | 'took over';
  at: Date;
}

/** Who held the run, in order, from its history (claims and takeovers), with their hosts. */
export async function runHolders(db: SqlExecutor, history: RunEvent[]): Promise<RunHolder[]> {
  const held = history.flatMap((event): Omit<RunHolder, 'host'>[] => {
    const claimedBy = event.state === 'staging' ? event.detail?.workerId : undefined;
    const takenBy = event.detail?.takenOverBy;
    if (typeof takenBy === 'string') return [{ workerId: takenBy, how: 'took over', at: event.at }];
    if (typeof claimedBy === 'string') return [{ workerId: claimedBy, how: 'claimed', at: event.at }];
    return [];
  });
  if (held.length === 0) return [];
  const rows = await db.query<{ id: string; host: string }>(
    'SELECT id, host FROM workers WHERE id = ANY($1::text[])',
    [[...new Set(held.map((h) => h.workerId))]],
  );
  const hosts = new Map(rows.map((row) => [row.id, row.host]));
  return held.map((h) => ({ ...h, host: hosts.get(h.workerId) ?? null }));
}

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
    // Every worker that held this attempt and its host: a run taken over shows two or more.
    workers: await runHolders(db, history),
  };
  return `${JSON.stringify(record, null, 2)}\n`;
}
