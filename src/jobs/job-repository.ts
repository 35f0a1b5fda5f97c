import { v7 as uuidv7 } from 'uuid';
import type { SqlExecutor } from '../../services/db/database.js';
import { auditRowCte, type NewAuditRow } from '../audit/audit-repository.js';
import { claimingOffersSql, toClaimingOffers, type ClaimingOffer } from '../fleet/worker-registry.js';
import { queueRunsSql } from '../runs/queue-runs.js';
import { toRun, type Run } from '../runs/run-repository.js';
import { readStoredSpec, type JobSpec } from './job-spec.js';
import { pageKeySql, pageOf, type PageCursor } from './page-cursor.js';
import type { VersionPageRequest } from '../versions/version-page.js';

export interface Job {
  id: string;
  userId: string;
  uniqueId: string;
  spec: JobSpec;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
  /** How many definitions it has had: 1, then one more for each change (PUT, PATCH). */
  version: number;
}

type Row = Record<string, unknown>;

function toJob(row: Row): Job {
  return {
    id: row.id as string,
    userId: row.user_id as string,
    uniqueId: row.unique_id as string,
    spec: readStoredSpec(row.spec),
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
    deletedAt: (row.deleted_at as Date | null) ?? null,
    version: Number(row.version ?? 1),
  };
}

/** Inserts the job unless (userId, uniqueId) exists; `created` says which happened. */
export async function insertJobIfAbsent(
  db: SqlExecutor,
  spec: JobSpec,
): Promise<{ job: Job; created: boolean }> {
  const inserted = await db.query(
    `INSERT INTO jobs (id, user_id, unique_id, spec, cron, timezone)
     VALUES ($1::uuid, $2, $3, $4::jsonb, $5, $6)
     ON CONFLICT (user_id, unique_id) DO NOTHING
     RETURNING *`,
    [
      newJobId(),
      spec.userId,
      spec.uniqueId,
      JSON.stringify(spec),
      spec.cron,
      spec.cron ? spec.timezone : null,
    ],
  );
  if (inserted[0]) return { job: toJob(inserted[0]), created: true };
  const existing = await db.query('SELECT * FROM jobs WHERE user_id = $1 AND unique_id = $2', [
    spec.userId,
    spec.uniqueId,
  ]);
  return { job: toJob(existing[0]!), created: false };
}

/** A new job's id: time-ordered, as runs' are. */
export function newJobId(): string {
  return uuidv7();
}

/**
 * Stores a job that runs once, with its first run queued, that run's first event and the job's
 * audit row, in one statement (atomic on its own, one round trip, kept prepared), and reads the
 * offers of the workers claiming now (what the answer says of why the run would wait). Undefined
 * when (userId, uniqueId) exists: nothing is written then.
 */
export async function insertJobWithRun(
  db: SqlExecutor,
  spec: JobSpec,
  ids: { jobId: string; runId: string },
  audit: NewAuditRow,
  leaseMs: number,
): Promise<{ job: Job; run: Run; claimingOffers: ClaimingOffer[] } | undefined> {
  const params = [ids.jobId, spec.userId, spec.uniqueId, JSON.stringify(spec), ids.runId, leaseMs];
  const audited = auditRowCte('audited', 'job', audit, params.length + 1);
  const rows = await db.query(
    `WITH job AS (
       INSERT INTO jobs (id, user_id, unique_id, spec, cron, timezone)
       VALUES ($1::uuid, $2, $3, $4::jsonb, NULL, NULL)
       ON CONFLICT (user_id, unique_id) DO NOTHING
       RETURNING id, created_at, updated_at),
     ${audited.sql},
     ${queueRunsSql(
       'run',
       { from: 'FROM job', id: '$5::uuid', jobId: 'job.id', trigger: "'submit'", spec: '$4::jsonb' },
       { returnRuns: true },
     )}
     SELECT run.*, job.created_at AS job_created_at, job.updated_at AS job_updated_at,
       ${claimingOffersSql('$6')} AS claiming_offers
     FROM job JOIN run ON run.job_id = job.id`,
    [...params, ...audited.params],
    { prepared: true },
  );
  const row = rows[0];
  if (!row) return undefined;
  const run = toRun(row);
  const job: Job = {
    id: run.jobId!,
    userId: spec.userId,
    uniqueId: spec.uniqueId,
    spec: run.spec,
    createdAt: row.job_created_at as Date,
    updatedAt: row.job_updated_at as Date,
    deletedAt: null,
    version: 1,
  };
  return { job, run, claimingOffers: toClaimingOffers(row.claiming_offers) };
}

export async function findJobByKey(
  db: SqlExecutor,
  userId: string,
  uniqueId: string,
): Promise<Job | undefined> {
  const rows = await db.query('SELECT * FROM jobs WHERE user_id = $1 AND unique_id = $2', [userId, uniqueId]);
  return rows[0] ? toJob(rows[0]) : undefined;
}

/**
 * Replaces a job's definition, keeping the one it replaces in job_versions, in one statement. A
 * definition equal to the stored one changes nothing (no new version). The row is locked as its
 * update locks it (FOR NO KEY UPDATE): a fire holding the job's schedule can still queue a run of
 * it (whose foreign key takes a KEY SHARE lock) while this waits for the schedule, where FOR UPDATE
 * made the two wait on each other until Postgres broke the deadlock by failing one.
 */
export async function updateJobSpec(db: SqlExecutor, id: string, spec: JobSpec): Promise<Job> {
  const rows = await db.query(
    `WITH previous AS (
       SELECT id, version, spec FROM jobs WHERE id = $1::uuid AND spec IS DISTINCT FROM $2::jsonb FOR NO KEY UPDATE
     ), kept AS (
       INSERT INTO job_versions (job_id, version, spec) SELECT id, version, spec FROM previous
     )
     UPDATE jobs SET spec = $2::jsonb, cron = $3, timezone = $4, version = jobs.version + 1, updated_at = now()
     FROM previous WHERE jobs.id = previous.id
     RETURNING jobs.*`,
    [id, JSON.stringify(spec), spec.cron, spec.cron ? spec.timezone : null],
  );
  return rows[0] ? toJob(rows[0]) : (await getJob(db, id))!;
}

export interface JobVersion {
  version: number;
  spec: JobSpec;
  current: boolean;
  /** When a later definition replaced it; null for the current one. */
  replacedAt: Date | null;
}

/**
 * A page of the definitions a job has had, newest first: the current one, then those it replaced;
 * one more than `limit` when there are more (see versionPageOf).
 */
export async function listJobVersions(
  db: SqlExecutor,
  id: string,
  page: VersionPageRequest,
): Promise<JobVersion[]> {
  const rows = await db.query(
    `SELECT * FROM (
       SELECT version, spec, true AS current, NULL::timestamptz AS replaced_at FROM jobs WHERE id = $1::uuid
       UNION ALL
       SELECT version, spec, false, replaced_at FROM job_versions WHERE job_id = $1::uuid
     ) v
     WHERE $2::int IS NULL OR version < $2::int
     ORDER BY version DESC
     LIMIT $3::int`,
    [id, page.before ?? null, page.limit + 1],
  );
  return rows.map((row) => ({
    version: Number(row.version),
    spec: row.spec as JobSpec,
    current: row.current === true,
    replacedAt: (row.replaced_at as Date | null) ?? null,
  }));
}

export async function markJobDeleted(db: SqlExecutor, id: string): Promise<Job> {
  const rows = await db.query(
    'UPDATE jobs SET deleted_at = COALESCE(deleted_at, now()), updated_at = now() WHERE id = $1::uuid RETURNING *',
    [id],
  );
  return toJob(rows[0]!);
}

export async function getJob(db: SqlExecutor, id: string): Promise<Job | undefined> {
  const rows = await db.query('SELECT * FROM jobs WHERE id = $1::uuid', [id]);
  return rows[0] ? toJob(rows[0]) : undefined;
}

export { decodePageCursor as decodeCursor } from './page-cursor.js';

/** A user's jobs, newest first, a page at a time (keyset pagination: stable while jobs are added). */
export async function listJobsOfUser(
  db: SqlExecutor,
  userId: string,
  limit: number,
  after?: PageCursor,
): Promise<{ jobs: Job[]; nextCursor: string | null }> {
  const params: unknown[] = [userId, limit + 1];
  let where = 'user_id = $1 AND deleted_at IS NULL';
  if (after) {
    params.push(after.at, after.id);
    where += ' AND (created_at, id) < ($3::timestamptz, $4::uuid)';
  }
  const rows = await db.query(
    `SELECT *, ${pageKeySql('created_at')} AS page_key FROM jobs WHERE ${where}
     ORDER BY created_at DESC, id DESC LIMIT $2`,
    params,
  );
  const { items, nextCursor } = pageOf(rows, limit, toJob);
  return { jobs: items, nextCursor };
}
