import type { SqlExecutor } from '../../services/db/database.js';
import type { Run } from '../runs/run-repository.js';
import type { RunUsage } from './run-usage.js';

/**
 * The usage_daily table's one home (migrations/050_usage.sql): a run's usage added to its user's,
 * definition's and day's sums, and the sums read back over a range of days, grouped.
 */

/**
 * Adds an ended run's usage to the day it ended, in the transaction that records its end (so a run
 * is counted once, or not at all when that transaction rolls back). The day is the transaction's
 * (now() is its start, as the run's finished_at), in UTC. A workflow step's run counts for its
 * workflow.
 */
export async function addRunUsage(
  tx: SqlExecutor,
  run: Pick<Run, 'jobId' | 'workflowRunId' | 'spec'>,
  usage: RunUsage,
): Promise<void> {
  const kind = run.jobId !== null ? 'job' : 'workflow';
  await tx.query(
    `INSERT INTO usage_daily AS u
       (user_id, day, kind, definition_id, runs, run_seconds, cpu_seconds, memory_byte_seconds)
     SELECT $1, (now() AT TIME ZONE 'UTC')::date, $2, d.id, 1, $5::float8, $6::float8, $7::float8
       FROM (SELECT COALESCE($3::uuid, (SELECT workflow_id FROM workflow_runs WHERE id = $4::uuid)) AS id) d
      WHERE d.id IS NOT NULL
     ON CONFLICT (user_id, day, kind, definition_id) DO UPDATE SET
       runs = u.runs + 1,
       run_seconds = u.run_seconds + EXCLUDED.run_seconds,
       cpu_seconds = u.cpu_seconds + EXCLUDED.cpu_seconds,
       memory_byte_seconds = u.memory_byte_seconds + EXCLUDED.memory_byte_seconds`,
    [
      run.spec.userId,
      kind,
      run.jobId,
      run.workflowRunId,
      usage.runSeconds,
      usage.cpuSeconds,
      usage.memoryByteSeconds,
    ],
    { prepared: true },
  );
}

export const USAGE_GROUPINGS = ['job', 'workflow', 'user', 'day'] as const;
export type UsageGrouping = (typeof USAGE_GROUPINGS)[number];

export interface UsageSelection {
  /** Whose usage; undefined: every user's. */
  userId: string | undefined;
  /** The first day counted and the day after the last (YYYY-MM-DD, UTC). */
  from: string;
  to: string;
  groupBy: UsageGrouping;
  /** Only this job's runs, or only this workflow's. */
  jobId?: string;
  workflowId?: string;
  /** The most groups answered; past it the read says it was cut. */
  maxGroups: number;
}

export interface UsageSums {
  runs: number;
  runSeconds: number;
  cpuSeconds: number;
  memoryByteSeconds: number;
}

export interface UsageGroupRow extends UsageSums {
  /** The job's or workflow's id, the user's id, or the day (YYYY-MM-DD). */
  key: string;
  /** The job's or workflow's uniqueId (null once its row is gone); the user of a definition. */
  uniqueId: string | null;
  userId: string | null;
}

const SUMS = `sum(u.runs)::float8 AS runs, sum(u.run_seconds) AS run_seconds,
       sum(u.cpu_seconds) AS cpu_seconds, sum(u.memory_byte_seconds) AS memory_byte_seconds`;

/** The WHERE of a selection: a range of the primary key with a user, of usage_daily_by_day without. */
function selectionWhere(selection: UsageSelection): { where: string; params: unknown[] } {
  const params: unknown[] = [selection.from, selection.to];
  const conditions = ['u.day >= $1::date', 'u.day < $2::date'];
  if (selection.userId !== undefined) {
    params.push(selection.userId);
    conditions.push(`u.user_id = $${params.length}`);
  }
  const kinds = { job: selection.jobId, workflow: selection.workflowId };
  for (const [kind, id] of Object.entries(kinds)) {
    if (id === undefined) continue;
    params.push(id);
    conditions.push(`u.kind = '${kind}' AND u.definition_id = $${params.length}::uuid`);
  }
  if (selection.groupBy === 'job' || selection.groupBy === 'workflow') {
    conditions.push(`u.kind = '${selection.groupBy}'`);
  }
  return { where: conditions.join(' AND '), params };
}

function sums(row: Record<string, unknown>): UsageSums {
  return {
    runs: Number(row.runs ?? 0),
    runSeconds: Number(row.run_seconds ?? 0),
    cpuSeconds: Number(row.cpu_seconds ?? 0),
    memoryByteSeconds: Number(row.memory_byte_seconds ?? 0),
  };
}

/**
 * The selection's sums per group (at most maxGroups: the days in order, other groups the most CPU
 * first) and in all. Each is one read of a range of usage_daily; the groups of jobs and workflows
 * name each definition from its own table.
 */
export async function readUsage(
  db: SqlExecutor,
  selection: UsageSelection,
): Promise<{ groups: UsageGroupRow[]; truncated: boolean; total: UsageSums }> {
  const { where, params } = selectionWhere(selection);
  const { groupBy } = selection;
  const definitions = groupBy === 'job' ? 'jobs' : groupBy === 'workflow' ? 'workflows' : undefined;
  const key = definitions
    ? 'u.definition_id::text'
    : groupBy === 'user'
      ? 'u.user_id'
      : "to_char(u.day, 'YYYY-MM-DD')";
  const order = groupBy === 'day' ? 's.key' : 's.cpu_seconds DESC, s.key';
  const named = definitions
    ? `d.unique_id, d.user_id FROM sums s LEFT JOIN ${definitions} d ON d.id = s.key::uuid`
    : 'NULL::text AS unique_id, NULL::text AS user_id FROM sums s';
  const limit = params.length + 1;
  const rows = await db.query(
    `WITH sums AS (SELECT ${key} AS key, ${SUMS} FROM usage_daily u WHERE ${where} GROUP BY 1)
     SELECT s.key, s.runs, s.run_seconds, s.cpu_seconds, s.memory_byte_seconds, ${named}
      ORDER BY ${order} LIMIT $${limit}::int`,
    [...params, selection.maxGroups + 1],
  );
  const [total] = await db.query(`SELECT ${SUMS} FROM usage_daily u WHERE ${where}`, params);
  const groups = rows.slice(0, selection.maxGroups).map((row) => ({
    key: row.key as string,
    uniqueId: (row.unique_id as string | null) ?? null,
    userId: groupBy === 'user' ? (row.key as string) : ((row.user_id as string | null) ?? null),
    ...sums(row),
  }));
  return { groups, truncated: rows.length > selection.maxGroups, total: sums(total ?? {}) };
}

/** Today in UTC by the database's clock (YYYY-MM-DD): the default range ends with it. */
export async function todayUtc(db: SqlExecutor): Promise<string> {
  const [row] = await db.query<{ today: string }>(
    `SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS today`,
  );
  return row!.today;
}
