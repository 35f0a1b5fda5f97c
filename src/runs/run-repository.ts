import { v7 as uuidv7 } from 'uuid';
import type { SqlExecutor } from '../../services/db/database.js';
import type { FailureReason } from '../errors.js';
import { isUuid } from '../ids.js';
import { readStoredSpec, type JobSpec } from '../jobs/job-spec.js';
import { ACTIVE_STATES, UNFINISHED_STATES, sqlStates, type RunState } from './run-states.js';

export interface Run {
  id: string;
  /** The job the run belongs to; null for a workflow's step. */
  jobId: string | null;
  /** The workflow run a step's run belongs to; null for a job's run. */
  workflowRunId: string | null;
  stepName: string | null;
  /** A fan-out step's item; null otherwise. */
  itemIndex: number | null;
  state: RunState;
  trigger: 'submit' | 'schedule' | 'catch_up' | 'manual' | 'retry' | 'workflow' | 'backfill';
  /** The fire time of a scheduled run. */
  scheduledFor: Date | null;
  /** What its trigger changed of its job (env, input prefix); its spec is already the changed one. */
  overrides: { env?: Record<string, string>; source_s3_prefix?: string } | null;
  /** Starts only once no other run of its job is staging, building, running or uploading. */
  waitsForPrevious: boolean;
  attempt: number;
  /** The run this one retries. */
  retryOf: string | null;
  /** A retry waits until then (its backoff). */
  notBefore: Date | null;
  heartbeatAt: Date | null;
  spec: JobSpec;
  resultsBucket: string;
  resultsPrefix: string;
  /** When the housekeeper deleted the run's results folder, its results period over; null while it is there. */
  resultsExpiredAt: Date | null;
  workerId: string | null;
  containerId: string | null;
  image: string | null;
  exitCode: number | null;
  /** With capture_result: the last non-empty line of stdout, once the run has ended. */
  result: string | null;
  failureReason: FailureReason | null;
  failureMessage: string | null;
  /** Why this service stopped the run's container: a cancel, its timeout, or its disk use. */
  killReason: 'cancel' | 'timeout' | 'disk' | null;
  cancelRequestedAt: Date | null;
  deadlineAt: Date | null;
  queuedAt: Date;
  claimedAt: Date | null;
  startedAt: Date | null;
  endedAt: Date | null;
  finishedAt: Date | null;
}

export interface RunEvent {
  state: string;
  at: Date;
  detail: Record<string, unknown> | null;
}

type Row = Record<string, unknown>;

/** The columns toRun reads: named, so that statements kept prepared return the same columns always. */
export const RUN_COLUMNS =
  `id job_id state trigger scheduled_for waits_for_previous attempt retry_of not_before
  heartbeat_at spec results_bucket results_prefix worker_id container_id image exit_code result failure_reason
  failure_message kill_reason cancel_requested_at deadline_at queued_at claimed_at started_at ended_at
  finished_at workflow_run_id step_name item_index results_expired_at overrides`.split(/\s+/);
export const runColumns = (alias: string) => RUN_COLUMNS.map((c) => `${alias}.${c}`).join(', ');

function readOverrides(stored: unknown): Run['overrides'] {
  if (stored === null || stored === undefined) return null;
  return (typeof stored === 'string' ? JSON.parse(stored) : stored) as Run['overrides'];
}

export function toRun(row: Row): Run {
  return {
    id: row.id as string,
    jobId: (row.job_id as string | null) ?? null,
    workflowRunId: (row.workflow_run_id as string | null) ?? null,
    stepName: (row.step_name as string | null) ?? null,
    itemIndex: (row.item_index as number | null) ?? null,
    state: row.state as RunState,
    trigger: row.trigger as Run['trigger'],
    scheduledFor: (row.scheduled_for as Date | null) ?? null,
    overrides: readOverrides(row.overrides),
    waitsForPrevious: Boolean(row.waits_for_previous),
    attempt: (row.attempt as number | undefined) ?? 1,
    retryOf: (row.retry_of as string | null) ?? null,
    notBefore: (row.not_before as Date | null) ?? null,
    heartbeatAt: (row.heartbeat_at as Date | null) ?? null,
    spec: readStoredSpec(row.spec),
    resultsBucket: row.results_bucket as string,
    resultsPrefix: row.results_prefix as string,
    resultsExpiredAt: (row.results_expired_at as Date | null | undefined) ?? null,
    workerId: (row.worker_id as string | null) ?? null,
    containerId: (row.container_id as string | null) ?? null,
    image: (row.image as string | null) ?? null,
    exitCode: (row.exit_code as number | null) ?? null,
    result: (row.result as string | null) ?? null,
    failureReason: (row.failure_reason as FailureReason | null) ?? null,
    failureMessage: (row.failure_message as string | null) ?? null,
    killReason: (row.kill_reason as Run['killReason']) ?? null,
    cancelRequestedAt: (row.cancel_requested_at as Date | null) ?? null,
    deadlineAt: (row.deadline_at as Date | null) ?? null,
    queuedAt: row.queued_at as Date,
    claimedAt: (row.claimed_at as Date | null) ?? null,
    startedAt: (row.started_at as Date | null) ?? null,
    endedAt: (row.ended_at as Date | null) ?? null,
    finishedAt: (row.finished_at as Date | null) ?? null,
  };
}

export function newRunId(): string {
  return uuidv7();
}

/** Unfinished runs (queued or under way) of each of `jobIds`, oldest first. */
export async function listUnfinishedRunsOfJobs(
  db: SqlExecutor,
  jobIds: string[],
): Promise<Map<string, Run[]>> {
  const byJob = new Map<string, Run[]>();
  if (jobIds.length === 0) return byJob;
  const rows = await db.query(
    `SELECT * FROM runs WHERE job_id = ANY($1::uuid[])
       AND state IN ${sqlStates(UNFINISHED_STATES)}
     ORDER BY queued_at, id`,
    [jobIds],
  );
  for (const row of rows.map(toRun)) {
    const list = byJob.get(row.jobId!) ?? [];
    list.push(row);
    byJob.set(row.jobId!, list);
  }
  return byJob;
}

/**
 * A condition that holds while the job `jobIdSql` has a run queued or under way: what an overlap
 * policy weighs before a fire time queues another.
 */
export function unfinishedRunOfJobExistsSql(jobIdSql: string): string {
  return `EXISTS (
             SELECT FROM runs r WHERE r.job_id = ${jobIdSql}
               AND r.state IN ${sqlStates(UNFINISHED_STATES)})`;
}

/** The owner of run `$1` (`runs.user_id` is generated from the run's spec, a copy of its job's). */
export const SELECT_RUN_OWNER = 'SELECT user_id FROM runs WHERE id = $1::uuid';

/** Of `runIds` (any text: a label, a folder's name), which this database knows as ended, and which it does not know at all. */
export async function classifyRuns(
  db: SqlExecutor,
  runIds: string[],
): Promise<{ ended: Set<string>; unknown: Set<string> }> {
  const ids = [...new Set(runIds.filter((id) => isUuid(id)))];
  const rows = await db.query<{ id: string; live: boolean }>(
    `SELECT id, state IN ${sqlStates(UNFINISHED_STATES)} AS live
     FROM runs WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  const known = new Map(rows.map((r) => [r.id, r.live]));
  return {
    ended: new Set(runIds.filter((id) => known.get(id) === false)),
    unknown: new Set(runIds.filter((id) => !known.has(id))),
  };
}

/** A run by its id (read by every GET /runs/:id: kept prepared). */
export async function getRun(db: SqlExecutor, id: string): Promise<Run | undefined> {
  const rows = await db.query(`SELECT ${RUN_COLUMNS.join(', ')} FROM runs WHERE id = $1::uuid`, [id], {
    prepared: true,
  });
  return rows[0] ? toRun(rows[0]) : undefined;
}

export async function listRunEvents(db: SqlExecutor, runId: string): Promise<RunEvent[]> {
  const rows = await db.query<{ state: string; at: Date; detail: Record<string, unknown> | null }>(
    'SELECT state, at, detail FROM run_events WHERE run_id = $1::uuid ORDER BY id',
    [runId],
    { prepared: true },
  );
  return rows;
}

export async function listRunsOfJob(db: SqlExecutor, jobId: string, limit: number): Promise<Run[]> {
  const rows = await db.query(
    'SELECT * FROM runs WHERE job_id = $1::uuid ORDER BY queued_at DESC, id DESC LIMIT $2',
    [jobId, limit],
  );
  return rows.map(toRun);
}

/** Marks a cancel request on a run under way; returns the run as it now stands. */
export async function requestCancel(db: SqlExecutor, runId: string): Promise<Run | undefined> {
  const rows = await db.query(
    `UPDATE runs SET cancel_requested_at = COALESCE(cancel_requested_at, now()), updated_at = now()
     WHERE id = $1::uuid AND state IN ${sqlStates(ACTIVE_STATES)} RETURNING *`,
    [runId],
  );
  return rows[0] ? toRun(rows[0]) : undefined;
}

export async function setKillReason(
  db: SqlExecutor,
  runId: string,
  reason: NonNullable<Run['killReason']>,
): Promise<void> {
  await db.query(
    'UPDATE runs SET kill_reason = COALESCE(kill_reason, $2), updated_at = now() WHERE id = $1::uuid',
    [runId, reason],
  );
}

/** Runs of a job that are queued or under way, oldest first. */
export async function listUnfinishedRunsOfJob(db: SqlExecutor, jobId: string): Promise<Run[]> {
  return (await listUnfinishedRunsOfJobs(db, [jobId])).get(jobId) ?? [];
}
