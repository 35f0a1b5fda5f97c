import type { SqlExecutor } from '../../services/db/database.js';
import type { CatchUpPolicy, OverlapPolicy, ScheduleSettings } from '../jobs/job-spec.js';
import { fireSkippedEventsSql } from '../events/outbox.js';
import { queueRunsSql } from '../runs/queue-runs.js';
import { unfinishedRunOfJobExistsSql } from '../runs/run-repository.js';

export interface Schedule {
  /** The schedule's id: its job's or its workflow's. */
  id: string;
  /** The job it fires runs of, or null for a workflow's schedule. */
  jobId: string | null;
  /** The workflow it fires workflow runs of, or null for a job's schedule. */
  workflowId: string | null;
  cron: string;
  timezone: string;
  overlapPolicy: OverlapPolicy;
  catchUpPolicy: CatchUpPolicy;
  catchUpWindowSeconds: number;
  catchUpLimit: number;
  paused: boolean;
  nextFireAt: Date | null;
  lastFireAt: Date | null;
}

export type FireOutcome = 'queued' | 'caught_up' | 'skipped_overlap' | 'skipped_buffer_full' | 'missed';

export interface ScheduleFire {
  fireAt: Date;
  outcome: FireOutcome;
  runId: string | null;
  /** The workflow run a workflow's fire time started, if any. */
  workflowRunId: string | null;
  detail: string | null;
}

/** What a schedule fires: a job's runs, or a workflow's workflow runs. */
export type ScheduleOwner = { jobId: string } | { workflowId: string };

/** The column that names a schedule's owner, and the owner's id: the one place a job and a workflow differ here. */
function ownerColumn(owner: ScheduleOwner): { column: 'job_id' | 'workflow_id'; id: string } {
  return 'jobId' in owner
    ? { column: 'job_id', id: owner.jobId }
    : { column: 'workflow_id', id: owner.workflowId };
}

type Row = Record<string, unknown>;

function toSchedule(row: Row): Schedule {
  return {
    id: row.id as string,
    jobId: (row.job_id as string | null) ?? null,
    workflowId: (row.workflow_id as string | null) ?? null,
    cron: row.cron as string,
    timezone: row.timezone as string,
    overlapPolicy: row.overlap_policy as OverlapPolicy,
    catchUpPolicy: row.catch_up_policy as CatchUpPolicy,
    catchUpWindowSeconds: row.catch_up_window_seconds as number,
    catchUpLimit: row.catch_up_limit as number,
    paused: row.paused as boolean,
    nextFireAt: (row.next_fire_at as Date | null) ?? null,
    lastFireAt: (row.last_fire_at as Date | null) ?? null,
  };
}

/** Inserts or replaces the schedule of a job (from its spec) or of a workflow (from its shared fields). */
export async function upsertSchedule(
  db: SqlExecutor,
  owner: ScheduleOwner,
  spec: ScheduleSettings,
  nextFireAt: Date | null,
) {
  const { column, id } = ownerColumn(owner);
  const rows = await db.query(
    `INSERT INTO schedules (${column}, cron, timezone, overlap_policy, catch_up_policy, catch_up_window_seconds,
                            catch_up_limit, next_fire_at)
     VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8::timestamptz)
     ON CONFLICT (${column}) DO UPDATE SET cron = $2, timezone = $3, overlap_policy = $4, catch_up_policy = $5,
       catch_up_window_seconds = $6, catch_up_limit = $7, next_fire_at = $8::timestamptz, updated_at = now()
     RETURNING *`,
    [
      id,
      spec.cron,
      spec.timezone,
      spec.overlap_policy,
      spec.catch_up_policy,
      spec.catch_up_window_seconds,
      spec.catch_up_limit,
      nextFireAt,
    ],
  );
  return toSchedule(rows[0]!);
}

/** The schedule of a job or a workflow, by its id. */
export async function getSchedule(db: SqlExecutor, id: string): Promise<Schedule | undefined> {
  const rows = await db.query('SELECT * FROM schedules WHERE id = $1::uuid', [id]);
  return rows[0] ? toSchedule(rows[0]) : undefined;
}

/**
 * Waits for a fire of the schedule of a job or workflow (`id`) being decided, if one is, and keeps
 * the schedule from being fired until `tx` ends. Nothing happens for one without a schedule.
 */
export async function lockSchedule(tx: SqlExecutor, id: string): Promise<void> {
  await tx.query('SELECT 1 FROM schedules WHERE id = $1::uuid FOR SHARE', [id]);
}

export async function setPaused(db: SqlExecutor, id: string, paused: boolean, nextFireAt: Date | null) {
  await db.query(
    'UPDATE schedules SET paused = $2, next_fire_at = $3::timestamptz, updated_at = now() WHERE id = $1::uuid',
    [id, paused, nextFireAt],
  );
}

export async function deleteSchedule(db: SqlExecutor, id: string): Promise<void> {
  await db.query('DELETE FROM schedules WHERE id = $1::uuid', [id]);
}

/**
 * Locks up to `limit` schedules due at `now`, earliest first. `SKIP LOCKED` lets several
 * schedulers share the work: each due schedule is handled by exactly one of them at a time.
 * Without `workflows`, workflows' schedules are left to a scheduler that can start workflow runs.
 */
export async function lockDueSchedules(
  tx: SqlExecutor,
  now: Date,
  limit: number,
  workflows = true,
): Promise<Schedule[]> {
  const rows = await tx.query(
    `SELECT * FROM schedules
     WHERE NOT paused AND next_fire_at IS NOT NULL AND next_fire_at <= $1::timestamptz
       ${workflows ? '' : 'AND job_id IS NOT NULL'}
     ORDER BY next_fire_at
     LIMIT $2
     FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
  return rows.map(toSchedule);
}

/** The earliest fire time of any schedule and how far off it is by the database's clock; undefined when none is set. */
export async function nextDue(db: SqlExecutor): Promise<{ at: Date; ms: number } | undefined> {
  const [row] = await db.query<{ at: Date | null; ms: number | null }>(
    `SELECT at, (EXTRACT(EPOCH FROM (at - clock_timestamp())) * 1000)::float8 AS ms
     FROM (SELECT min(next_fire_at) AS at FROM schedules WHERE NOT paused AND next_fire_at IS NOT NULL) AS due`,
  );
  return row?.at && row.ms !== null ? { at: row.at, ms: row.ms } : undefined;
}

/**
 * Jobs' schedules (not paused) whose next fire time is `at`, at most `limit` of them, read without
 * locking them. Workflows' schedules are left to `lockDueSchedules`: starting a workflow run
 * takes more than one statement can do.
 */
export async function listSchedulesDueAt(
  db: SqlExecutor,
  at: Date,
  limit: number,
): Promise<{ jobId: string; cron: string; timezone: string }[]> {
  const rows = await db.query<{ job_id: string; cron: string; timezone: string }>(
    `SELECT job_id, cron, timezone FROM schedules
     WHERE NOT paused AND next_fire_at IS NOT NULL AND next_fire_at = $1::timestamptz AND job_id IS NOT NULL
     LIMIT $2`,
    [at, limit],
  );
  return rows.map((row) => ({ jobId: row.job_id, cron: row.cron, timezone: row.timezone }));
}

/** Records many missed fire times of a job's or a workflow's schedule in one statement. */
export async function recordMissed(
  tx: SqlExecutor,
  owner: ScheduleOwner,
  times: Date[],
  detail: string,
): Promise<void> {
  if (times.length === 0) return;
  const { column, id } = ownerColumn(owner);
  await tx.query(
    `WITH fired AS (
       INSERT INTO schedule_fires (${column}, fire_at, outcome, detail)
       SELECT $1::uuid, t, 'missed', $3 FROM unnest($2::timestamptz[]) AS t
       ON CONFLICT (${column}, fire_at) DO NOTHING
       RETURNING job_id, workflow_id, fire_at, outcome, detail),
     ${fireSkippedEventsSql('fired')}
     SELECT count(*) FROM fired`,
    [id, times, detail],
  );
}

/** What became of the latest fire times of the schedule of a job or a workflow (`id`). */
export async function listRecentFires(db: SqlExecutor, id: string, limit: number): Promise<ScheduleFire[]> {
  const rows = await db.query(
    `SELECT fire_at, outcome, run_id, workflow_run_id, detail FROM schedule_fires
     WHERE job_id = $1::uuid OR workflow_id = $1::uuid ORDER BY fire_at DESC LIMIT $2`,
    [id, limit],
  );
  return rows.map((row) => ({
    fireAt: row.fire_at as Date,
    outcome: row.outcome as FireOutcome,
    runId: (row.run_id as string | null) ?? null,
    workflowRunId: (row.workflow_run_id as string | null) ?? null,
    detail: (row.detail as string | null) ?? null,
  }));
}

export interface FireRow {
  jobId: string;
  fireAt: Date;
  outcome: FireOutcome;
  /** The run queued for this fire time, if any: queued only when the fire time is recorded here first. */
  runId: string | null;
  detail: string | null;
  trigger: 'schedule' | 'catch_up';
  waitsForPrevious: boolean;
}

/**
 * The end of a statement that records fire times and queues their runs, after a CTE `planned`
 * (job_id, fire_at, outcome, run_id, detail). A fire time already recorded (by another scheduler,
 * or before a crash) is left alone and queues nothing. The run of a new one is queued as every run
 * is (queue-runs.ts), with its job's spec as stored now; one fired ahead of its fire time (see
 * `fireOnTime`) counts as queued at that time. `runs` names the rows a run is queued for, from the
 * CTE `fired` (f: job_id, fire_at, run_id), with their `trigger` and `waits`. Ends with the CTE
 * `queued` (the runs queued).
 */
function recordAndQueue(runs: string): string {
  return `
  fired AS (
    INSERT INTO schedule_fires (job_id, fire_at, outcome, run_id, detail)
    SELECT job_id, fire_at, outcome, run_id, detail FROM planned
    ON CONFLICT (job_id, fire_at) DO NOTHING
    RETURNING job_id, workflow_id, fire_at, run_id, outcome, detail),
  ${queueRunsSql('queued', {
    from: `FROM ${runs}
    JOIN jobs j ON j.id = f.job_id
    WHERE f.run_id IS NOT NULL`,
    id: 'f.run_id',
    jobId: 'f.job_id',
    trigger: 'f.trigger',
    spec: 'j.spec',
    scheduledFor: 'f.fire_at',
    waitsForPrevious: 'f.waits',
    queuedAt: 'greatest(clock_timestamp(), f.fire_at)',
  })}`;
}

/** Records many fire times and queues the runs of the new ones, in one statement; returns how many runs were queued. */
export async function recordFires(tx: SqlExecutor, rows: FireRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const [row] = await tx.query<{ queued: number }>(
    `WITH planned AS (
       SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::uuid[], $5::text[], $6::text[],
                            $7::boolean[]) AS p(job_id, fire_at, outcome, run_id, detail, trigger, waits)),
     ${recordAndQueue(`(SELECT f.*, p.trigger, p.waits FROM fired f
                        JOIN planned p ON p.job_id = f.job_id AND p.fire_at = f.fire_at) AS f`)},
     ${fireSkippedEventsSql('fired')}
     SELECT count(*)::int AS queued FROM queued`,
    [
      rows.map((r) => r.jobId),
      rows.map((r) => r.fireAt),
      rows.map((r) => r.outcome),
      rows.map((r) => r.runId),
      rows.map((r) => r.detail),
      rows.map((r) => r.trigger),
      rows.map((r) => r.waitsForPrevious),
    ],
  );
  return row?.queued ?? 0;
}

/** A schedule expected to fire at `fireAt`, its next fire time worked out beforehand. */
export interface PreparedFire {
  jobId: string;
  /** The expression and timezone `nextFireAt` was worked out from. */
  cron: string;
  timezone: string;
  fireAt: Date;
  nextFireAt: Date | null;
  runId: string;
}

/**
 * Fires prepared schedules in one statement, each only if at `now` it still is what it was
 * prepared from: not paused, due at its fire time and at no later one (`nextFireAt` is after
 * `now`), with the same expression and timezone, and with no unfinished run of its job for an
 * overlap policy to weigh (policy "allow" weighs none). Each one fired is locked (`SKIP LOCKED`:
 * one scheduler at a time), its fire time recorded and its run queued as in `recordFires`, and its
 * next fire time stored. The others are left as they are, for `lockDueSchedules`. Returns how
 * many runs were queued.
 *
 * `now` may be the fire time itself while it is still ahead, in a transaction committed once it
 * has come: the fires are decided then, and their runs appear at the fire time. Meanwhile the
 * schedules stay locked, so a change to one of them (pause, new expression, deletion) or a run
 * triggered by hand waits for the commit, and comes after the fire.
 */
export async function fireOnTime(db: SqlExecutor, now: Date, fires: PreparedFire[]): Promise<number> {
  if (fires.length === 0) return 0;
  const [row] = await db.query<{ queued: number }>(
    `WITH prepared AS (
       SELECT * FROM unnest($2::uuid[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::uuid[])
         AS p(job_id, cron, timezone, fire_at, next_fire_at, run_id)),
     planned AS (
       SELECT p.job_id, p.fire_at, 'queued'::text AS outcome, p.run_id, NULL::text AS detail, p.next_fire_at
       FROM prepared p
       CROSS JOIN LATERAL (
         SELECT FROM schedules s
         WHERE s.job_id = p.job_id AND NOT s.paused AND s.next_fire_at = p.fire_at
           AND s.cron = p.cron AND s.timezone = p.timezone
           AND (s.overlap_policy = 'allow' OR NOT ${unfinishedRunOfJobExistsSql('s.job_id')})
         FOR UPDATE SKIP LOCKED) AS s
       WHERE p.fire_at <= $1::timestamptz AND (p.next_fire_at IS NULL OR p.next_fire_at > $1::timestamptz)),
     ${recordAndQueue(`(SELECT f.*, 'schedule' AS trigger, false AS waits FROM fired f) AS f`)},
     advanced AS (
       UPDATE schedules s SET next_fire_at = p.next_fire_at, last_fire_at = p.fire_at, updated_at = now()
       FROM planned p WHERE s.job_id = p.job_id)
     SELECT count(*)::int AS queued FROM queued`,
    [
      now,
      fires.map((f) => f.jobId),
      fires.map((f) => f.cron),
      fires.map((f) => f.timezone),
      fires.map((f) => f.fireAt),
      fires.map((f) => f.nextFireAt),
      fires.map((f) => f.runId),
    ],
  );
  return row?.queued ?? 0;
}

/**
 * Has the database end `tx` (rolling it back) once it has waited `ms` for its client: a scheduler
 * that dies while holding fires for their fire time keeps those schedules locked no longer than
 * that, even through the RDS Data API, which keeps a transaction open minutes after its client.
 */
export async function endIfAbandoned(tx: SqlExecutor, ms: number): Promise<void> {
  await tx.query(`SET LOCAL idle_in_transaction_session_timeout = ${Math.ceil(ms)}`);
}

/** Runs the checks of deferred constraints (a fire record's run) written so far in `tx`, and any later ones at once. */
export async function checkConstraintsNow(tx: SqlExecutor): Promise<void> {
  await tx.query('SET CONSTRAINTS ALL IMMEDIATE');
}

export interface ScheduleAdvance {
  /** The schedule's id (its job's or its workflow's). */
  id: string;
  nextFireAt: Date | null;
  lastFireAt: Date | null;
}

export async function advanceSchedules(tx: SqlExecutor, rows: ScheduleAdvance[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `UPDATE schedules s SET next_fire_at = u.next_fire_at, last_fire_at = COALESCE(u.last_fire_at, s.last_fire_at),
       updated_at = now()
     FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[]) AS u(id, next_fire_at, last_fire_at)
     WHERE s.id = u.id`,
    [rows.map((r) => r.id), rows.map((r) => r.nextFireAt), rows.map((r) => r.lastFireAt)],
  );
}

/** A fire time of a workflow's schedule, and the workflow run it starts, if any. */
export interface WorkflowFireRow {
  workflowId: string;
  fireAt: Date;
  outcome: FireOutcome;
  /** The workflow run started for this fire time: started only when the fire time is recorded here first. */
  workflowRunId: string | null;
  detail: string | null;
  trigger: 'schedule' | 'catch_up';
  waitsForPrevious: boolean;
}

/**
 * Records fire times of workflows' schedules in one statement, with a `schedule.fire_skipped`
 * event for each skipped one, and returns those newly recorded that start a workflow run. A fire
 * time already recorded (by another scheduler, or before a crash) is left alone and returned not.
 */
export async function recordWorkflowFires(
  tx: SqlExecutor,
  rows: WorkflowFireRow[],
): Promise<WorkflowFireRow[]> {
  if (rows.length === 0) return [];
  const recorded = await tx.query<{ workflow_id: string; fire_at: Date }>(
    `WITH fired AS (
       INSERT INTO schedule_fires (workflow_id, fire_at, outcome, workflow_run_id, detail)
       SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::uuid[], $5::text[])
       ON CONFLICT (workflow_id, fire_at) DO NOTHING
       RETURNING job_id, workflow_id, fire_at, outcome, detail, workflow_run_id),
     ${fireSkippedEventsSql('fired')}
     SELECT workflow_id, fire_at FROM fired WHERE workflow_run_id IS NOT NULL`,
    [
      rows.map((r) => r.workflowId),
      rows.map((r) => r.fireAt),
      rows.map((r) => r.outcome),
      rows.map((r) => r.workflowRunId),
      rows.map((r) => r.detail),
    ],
  );
  const isNew = new Set(recorded.map((r) => `${r.workflow_id} ${r.fire_at.getTime()}`));
  return rows.filter((r) => isNew.has(`${r.workflowId} ${r.fireAt.getTime()}`));
}
