import type { SqlExecutor } from '../../services/db/database.js';

/**
 * Removes up to 5,000 earlier definitions of jobs and of workflows replaced more than
 * `retentionDays` ago. A workflow's definition that a kept workflow run started with stays: the
 * run is read against it. The current definition is the job's or workflow's own row, never
 * pruned. Returns how many went.
 */
export async function pruneReplacedVersions(db: SqlExecutor, retentionDays: number): Promise<number> {
  const [jobs] = await db.query<{ n: number }>(
    `WITH old AS (
       SELECT job_id, version FROM job_versions
       WHERE replaced_at < now() - make_interval(days => $1::int)
       LIMIT 5000),
     gone AS (DELETE FROM job_versions v USING old
              WHERE v.job_id = old.job_id AND v.version = old.version RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [retentionDays],
  );
  const [workflows] = await db.query<{ n: number }>(
    `WITH old AS (
       SELECT v.workflow_id, v.version FROM workflow_versions v
       WHERE v.replaced_at < now() - make_interval(days => $1::int)
         AND NOT EXISTS (SELECT FROM workflow_runs wr
                         WHERE wr.workflow_id = v.workflow_id AND wr.workflow_version = v.version)
       LIMIT 5000),
     gone AS (DELETE FROM workflow_versions v USING old
              WHERE v.workflow_id = old.workflow_id AND v.version = old.version RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [retentionDays],
  );
  return (jobs?.n ?? 0) + (workflows?.n ?? 0);
}
