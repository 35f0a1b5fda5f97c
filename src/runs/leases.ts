import type { SqlExecutor } from '../../services/db/database.js';
import { toRun, type Run } from './run-repository.js';
import { ACTIVE_STATES, sqlStates } from './run-states.js';

/**
 * A worker's hold on the runs it has under way: it renews it by heartbeating them; once its
 * heartbeat has stopped for a lease, another worker may take them over.
 */

const ACTIVE = sqlStates(ACTIVE_STATES);

/** The runs a worker has under way. */
export async function listActiveRunsOfWorker(db: SqlExecutor, workerId: string): Promise<Run[]> {
  const rows = await db.query(`SELECT * FROM runs WHERE worker_id = $1 AND state IN ${ACTIVE}`, [workerId]);
  return rows.map(toRun);
}

/** How many runs `workerId` has under way. */
export async function countActiveRunsOfWorker(db: SqlExecutor, workerId: string): Promise<number> {
  const [row] = await db.query<{ n: string | number }>(
    `SELECT count(*) AS n FROM runs WHERE worker_id = $1 AND state IN ${ACTIVE}`,
    [workerId],
  );
  return Number(row?.n ?? 0);
}

/** SQL: how many runs the worker whose id is `workerIdSql` has under way (for a listing of workers). */
export const activeRunsOfWorkerSql = (workerIdSql: string) =>
  `(SELECT count(*)::int FROM runs r WHERE r.worker_id = ${workerIdSql} AND r.state IN ${ACTIVE})`;

/** Whether run `runId` is still held by `workerId` (false once another worker took it over). */
export async function isRunHeldBy(db: SqlExecutor, runId: string, workerId: string): Promise<boolean> {
  const [row] = await db.query<{ owned: boolean }>(
    'SELECT worker_id = $2 AS owned FROM runs WHERE id = $1::uuid',
    [runId, workerId],
  );
  return row?.owned === true;
}

/** Renews the lease of every run `workerId` has under way; resolves with their ids. */
export async function heartbeatRuns(db: SqlExecutor, workerId: string): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `UPDATE runs SET heartbeat_at = now() WHERE worker_id = $1 AND state IN ${ACTIVE} RETURNING id`,
    [workerId],
  );
  return rows.map((row) => row.id);
}

/** Runs under way whose worker (another one) has not heartbeat for `leaseMs`, oldest heartbeat first. */
export async function listLapsedRuns(
  db: SqlExecutor,
  workerId: string,
  leaseMs: number,
  limit: number,
): Promise<(Run & { lapsedMs: number })[]> {
  const rows = await db.query(
    `SELECT *, (EXTRACT(EPOCH FROM (now() - heartbeat_at)) * 1000)::float8 AS lapsed_ms FROM runs
     WHERE state IN ${ACTIVE}
       AND worker_id IS DISTINCT FROM $1
       AND heartbeat_at < now() - make_interval(secs => $2::float8 / 1000)
     ORDER BY heartbeat_at
     LIMIT $3`,
    [workerId, leaseMs, limit],
  );
  return rows.map((row) => ({ ...toRun(row), lapsedMs: row.lapsed_ms as number }));
}

/**
 * Makes `workerId` the owner of a run whose lease has lapsed, if it still has (no other worker
 * took it meanwhile, and its owner did not come back), and records the takeover in its history.
 */
export async function takeOverRun(
  db: SqlExecutor,
  run: Run,
  workerId: string,
  leaseMs: number,
): Promise<Run | undefined> {
  const rows = await db.query(
    `WITH taken AS (
       UPDATE runs SET worker_id = $2, heartbeat_at = now(), updated_at = now()
       WHERE id = $1::uuid AND state = $3 AND worker_id IS NOT DISTINCT FROM $4
         AND heartbeat_at < now() - make_interval(secs => $5::float8 / 1000)
       RETURNING *),
     event AS (INSERT INTO run_events (run_id, state, detail)
       SELECT id, state, jsonb_build_object('takenOverBy', $2::text, 'from', $4::text) FROM taken)
     SELECT * FROM taken`,
    [run.id, workerId, run.state, run.workerId, leaseMs],
  );
  return rows[0] ? toRun(rows[0]) : undefined;
}
