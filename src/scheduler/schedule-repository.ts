import type { SqlExecutor } from '../../services/db/database.js';
import type { CatchUpPolicy, JobSpec, OverlapPolicy } from '../jobs/job-spec.js';

export interface Schedule {
  jobId: string;
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
  detail: string | null;
}

type Row = Record<string, unknown>;

function toSchedule(row: Row): Schedule {
  return {
    jobId: row.job_id as string,
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

/** The database's clock: every instance of the service reads time from it, so skewed hosts agree. */
export async function databaseNow(db: SqlExecutor): Promise<Date> {
  const [row] = await db.query<{ now: Date }>('SELECT clock_timestamp() AS now');
  return row!.now;
}

/** Inserts or replaces a job's schedule from its spec. */
export async function upsertSchedule(db: SqlExecutor, jobId: string, spec: JobSpec, nextFireAt: Date | null) {
  const rows = await db.query(
    `INSERT INTO schedules (job_id, cron, timezone, overlap_policy, catch_up_policy, catch_up_window_seconds,
                            catch_up_limit, next_fire_at)
     VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8::timestamptz)
     ON CONFLICT (job_id) DO UPDATE SET cron = $2, timezone = $3, overlap_policy = $4, catch_up_policy = $5,
       catch_up_window_seconds = $6, catch_up_limit = $7, next_fire_at = $8::timestamptz, updated_at = now()
     RETURNING *`,
    [
      jobId,
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

export async function getSchedule(db: SqlExecutor, jobId: string): Promise<Schedule | undefined> {
  const rows = await db.query('SELECT * FROM schedules WHERE job_id = $1::uuid', [jobId]);
  return rows[0] ? toSchedule(rows[0]) : undefined;
}

export async function setPaused(db: SqlExecutor, jobId: string, paused: boolean, nextFireAt: Date | null) {
  await db.query(
    'UPDATE schedules SET paused = $2, next_fire_at = $3::timestamptz, updated_at = now() WHERE job_id = $1::uuid',
    [jobId, paused, nextFireAt],
  );
}

export async function deleteSchedule(db: SqlExecutor, jobId: string): Promise<void> {
  await db.query('DELETE FROM schedules WHERE job_id = $1::uuid', [jobId]);
}

/**
 * Locks up to `limit` schedules due at `now`, earliest first. `SKIP LOCKED` lets several
 * schedulers share the work: each due schedule is handled by exactly one of them at a time.
 */
export async function lockDueSchedules(
  tx: SqlExecutor,
  now: Date,
  limit: number,
): Promise<(Schedule & { spec: JobSpec })[]> {
  const rows = await tx.query(
    `SELECT s.*, j.spec FROM schedules s JOIN jobs j ON j.id = s.job_id
     WHERE NOT s.paused AND s.next_fire_at IS NOT NULL AND s.next_fire_at <= $1::timestamptz
     ORDER BY s.next_fire_at
     LIMIT $2
     FOR UPDATE OF s SKIP LOCKED`,
    [now, limit],
  );
  return rows.map((row) => ({ ...toSchedule(row), spec: row.spec as JobSpec }));
}

/** Milliseconds until the earliest due schedule by the database's clock, or undefined when none is set. */
export async function msUntilNextDue(db: SqlExecutor): Promise<number | undefined> {
  const [row] = await db.query<{ ms: number | null }>(
    `SELECT (EXTRACT(EPOCH FROM (min(next_fire_at) - clock_timestamp())) * 1000)::float8 AS ms
     FROM schedules WHERE NOT paused AND next_fire_at IS NOT NULL`,
  );
  return row?.ms ?? undefined;
}

/** Records many missed fire times in one statement. */
export async function recordMissed(
  tx: SqlExecutor,
  jobId: string,
  times: Date[],
  detail: string,
): Promise<void> {
  if (times.length === 0) return;
  await tx.query(
    `INSERT INTO schedule_fires (job_id, fire_at, outcome, detail)
     SELECT $1::uuid, t, 'missed', $3 FROM unnest($2::timestamptz[]) AS t
     ON CONFLICT (job_id, fire_at) DO NOTHING`,
    [jobId, times, detail],
  );
}

export async function listRecentFires(
  db: SqlExecutor,
  jobId: string,
  limit: number,
): Promise<ScheduleFire[]> {
  const rows = await db.query(
    'SELECT fire_at, outcome, run_id, detail FROM schedule_fires WHERE job_id = $1::uuid ORDER BY fire_at DESC LIMIT $2',
    [jobId, limit],
  );
  return rows.map((row) => ({
    fireAt: row.fire_at as Date,
    outcome: row.outcome as FireOutcome,
    runId: (row.run_id as string | null) ?? null,
    detail: (row.detail as string | null) ?? null,
  }));
}

export interface FireRow {
  jobId: string;
  fireAt: Date;
  outcome: FireOutcome;
  runId: string | null;
  detail: string | null;
}

/**
 * Records many fire times in one statement; returns the keys (`jobId|epochMs`) that were new.
 * A fire time already recorded (by another scheduler, or before a crash) is left alone.
 */
export async function insertFires(tx: SqlExecutor, rows: FireRow[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const inserted = await tx.query<{ job_id: string; fire_at: Date }>(
    `INSERT INTO schedule_fires (job_id, fire_at, outcome, run_id, detail)
     SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::uuid[], $5::text[])
     ON CONFLICT (job_id, fire_at) DO NOTHING
     RETURNING job_id, fire_at`,
    [
      rows.map((r) => r.jobId),
      rows.map((r) => r.fireAt),
      rows.map((r) => r.outcome),
      rows.map((r) => r.runId),
      rows.map((r) => r.detail),
    ],
  );
  return new Set(inserted.map((r) => `${r.job_id}|${r.fire_at.getTime()}`));
}

export interface ScheduleAdvance {
  jobId: string;
  nextFireAt: Date | null;
  lastFireAt: Date | null;
}

export async function advanceSchedules(tx: SqlExecutor, rows: ScheduleAdvance[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `UPDATE schedules s SET next_fire_at = u.next_fire_at, last_fire_at = COALESCE(u.last_fire_at, s.last_fire_at),
       updated_at = now()
     FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[]) AS u(job_id, next_fire_at, last_fire_at)
     WHERE s.job_id = u.job_id`,
    [rows.map((r) => r.jobId), rows.map((r) => r.nextFireAt), rows.map((r) => r.lastFireAt)],
  );
}
