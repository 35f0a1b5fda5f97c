import type { SqlExecutor } from '../../services/db/database.js';
import { CronSchedule } from '../cron/cron-schedule.js';
import {
  iso,
  lastRunOf,
  summaryFieldsOf,
  uniqueIdPattern,
  type LastRunFields,
  type SummaryFields,
} from './summaries.js';
import {
  ACTIVE_STATES,
  FAILED_STATES,
  RUN_STATES,
  sqlStates,
  TERMINAL_STATES,
  type RunState,
} from './run-states.js';

/**
 * What a person opening the dashboard wants first, for one user (or every user, for an operator):
 * how the last day's runs went, what runs now, what fires next, and what failed lately. Read in a
 * few statements over indexed columns; `now()` is the database's clock.
 */

/** A run as the overview names it: its job's or workflow's uniqueId, whose it is, its state. */
export interface OverviewRun {
  runId: string;
  jobId: string | null;
  /** The job's uniqueId, or the workflow's for a workflow step's run. */
  uniqueId: string | null;
  workflowRunId: string | null;
  stepName: string | null;
  userId: string;
  state: RunState;
}

export interface Overview {
  since: string;
  runsByState: Record<RunState, number>;
  /** Succeeded out of those that ended, since `since`; null when none ended. */
  successRate: number | null;
  running: (OverviewRun & { startedAt: string | null; elapsedSeconds: number })[];
  /** A job's or a workflow's fire times (one of jobId and workflowId is set). */
  nextFires: {
    jobId: string | null;
    workflowId: string | null;
    uniqueId: string;
    userId: string;
    fireAt: string;
  }[];
  recentFailures: (OverviewRun & { reason: string | null; message: string | null; endedAt: string | null })[];
}

export interface JobSummary extends SummaryFields {
  command: string | null;
  lastRun: (LastRunFields<RunState> & { exitCode: number | null }) | null;
}
/** Whose rows: `$1` is a user id, or null for every user's. */
const whose = (column: string) => `($1::text IS NULL OR ${column} = $1::text)`;

/** The job of a run, or the workflow of a workflow step's run (`j` and `w`). */
const WORKS_OF = `LEFT JOIN jobs j ON j.id = r.job_id
  LEFT JOIN workflow_runs wr ON wr.id = r.workflow_run_id LEFT JOIN workflows w ON w.id = wr.workflow_id`;

/** The columns of an OverviewRun, read from `runs r` joined as WORKS_OF joins it. */
const RUN_COLUMNS = `r.id, r.job_id, COALESCE(j.unique_id, w.unique_id) AS unique_id, r.workflow_run_id, r.step_name,
            r.user_id, r.state`;

function overviewRunOf(row: Record<string, unknown>): OverviewRun {
  return {
    runId: row.id as string,
    jobId: (row.job_id as string | null) ?? null,
    uniqueId: (row.unique_id as string | null) ?? null,
    workflowRunId: (row.workflow_run_id as string | null) ?? null,
    stepName: (row.step_name as string | null) ?? null,
    userId: row.user_id as string,
    state: row.state as RunState,
  };
}

/** The overview since `since` (the last 24 h by default); fires over the next `aheadHours`. */
export async function readOverview(
  db: SqlExecutor,
  userId: string | undefined,
  options: { sinceHours: number; aheadHours: number; limit: number },
): Promise<Overview> {
  const user = userId ?? null;
  const [clock] = await db.query<{ now: Date; since: Date }>(
    `SELECT now() AS now, now() - make_interval(hours => $1::integer) AS since`,
    [options.sinceHours],
  );
  const now = new Date(clock!.now);
  const since = new Date(clock!.since);
  const counts = await db.query<{ state: RunState; count: string | number }>(
    `SELECT state, count(*) AS count FROM runs
      WHERE ${whose('user_id')} AND queued_at >= $2::timestamptz GROUP BY state`,
    [user, since.toISOString()],
  );
  const runsByState = Object.fromEntries(RUN_STATES.map((state) => [state, 0])) as Record<RunState, number>;
  for (const row of counts) runsByState[row.state] = Number(row.count);
  const ended = TERMINAL_STATES.reduce((sum, state) => sum + runsByState[state], 0);

  const running = await db.query<Record<string, unknown>>(
    `SELECT ${RUN_COLUMNS}, r.started_at, r.claimed_at
       FROM runs r ${WORKS_OF}
      WHERE ${whose('r.user_id')} AND r.state IN ${sqlStates(ACTIVE_STATES)}
      ORDER BY r.claimed_at, r.id LIMIT $2`,
    [user, options.limit],
  );
  const failures = await db.query<Record<string, unknown>>(
    `SELECT ${RUN_COLUMNS}, r.failure_reason, r.failure_message, r.ended_at
       FROM runs r ${WORKS_OF}
      WHERE ${whose('r.user_id')} AND r.state IN ${sqlStates(FAILED_STATES)}
        AND r.queued_at >= $2::timestamptz - interval '7 days'
      ORDER BY r.ended_at DESC NULLS LAST, r.id DESC LIMIT $3`,
    [user, since.toISOString(), options.limit],
  );
  // Schedules whose next fire falls in the window; each may fire several times in it.
  const ahead = new Date(now.getTime() + options.aheadHours * 3_600_000);
  const schedules = await db.query<Record<string, unknown>>(
    `SELECT s.job_id, s.workflow_id, s.cron, s.timezone, s.next_fire_at,
            coalesce(j.unique_id, w.unique_id) AS unique_id, coalesce(j.user_id, w.user_id) AS user_id
       FROM schedules s LEFT JOIN jobs j ON j.id = s.job_id LEFT JOIN workflows w ON w.id = s.workflow_id
      WHERE ${whose('coalesce(j.user_id, w.user_id)')} AND NOT s.paused
        AND coalesce(j.deleted_at, w.deleted_at) IS NULL
        AND s.next_fire_at IS NOT NULL AND s.next_fire_at < $2::timestamptz
      ORDER BY s.next_fire_at LIMIT $3`,
    [user, ahead.toISOString(), options.limit],
  );
  const nextFires = schedules
    .flatMap((row) => {
      // A fire time that is due and not acted on yet (the scheduler fires it late, or records it
      // missed) is listed first, as the schedule shows it; then those from now on.
      const stored = new Date(row.next_fire_at as string);
      const due = stored.getTime() < now.getTime() ? [stored] : [];
      const cron = CronSchedule.parse(row.cron as string, row.timezone as string);
      return [...due, ...cron.between(now, ahead, options.limit)].map((fireAt) => ({
        jobId: (row.job_id as string | null) ?? null,
        workflowId: (row.workflow_id as string | null) ?? null,
        uniqueId: row.unique_id as string,
        userId: row.user_id as string,
        fireAt,
      }));
    })
    .sort((a, b) => a.fireAt.getTime() - b.fireAt.getTime())
    .slice(0, options.limit)
    .map((fire) => ({ ...fire, fireAt: fire.fireAt.toISOString() }));

  return {
    since: since.toISOString(),
    runsByState,
    successRate: ended === 0 ? null : Math.round((runsByState.succeeded / ended) * 1000) / 1000,
    running: running.map((row) => {
      const started = (row.started_at ?? row.claimed_at) as string | null;
      return {
        ...overviewRunOf(row),
        startedAt: iso(started),
        elapsedSeconds: started
          ? Math.max(0, Math.round((now.getTime() - new Date(started).getTime()) / 1000))
          : 0,
      };
    }),
    nextFires,
    recentFailures: failures.map((row) => ({
      ...overviewRunOf(row),
      reason: (row.failure_reason as string | null) ?? null,
      message: (row.failure_message as string | null) ?? null,
      endedAt: iso(row.ended_at),
    })),
  };
}

/**
 * Jobs with their last run and next fire time, newest first: `name` matches part of the uniqueId
 * (any case), `lastStates` the last run's state.
 */
export async function readJobSummaries(
  db: SqlExecutor,
  userId: string | undefined,
  filter: { name?: string; lastStates?: readonly RunState[]; limit: number },
): Promise<JobSummary[]> {
  const pattern = uniqueIdPattern(filter.name);
  const rows = await db.query<Record<string, unknown>>(
    `SELECT j.id, j.user_id, j.unique_id, j.spec ->> 'command' AS command, j.cron, j.timezone,
            s.paused, s.next_fire_at, last.id AS run_id, last.state AS run_state, last.exit_code,
            last.queued_at AS run_queued_at, last.ended_at AS run_ended_at
       FROM jobs j
       LEFT JOIN schedules s ON s.job_id = j.id
       LEFT JOIN LATERAL (
         SELECT id, state, exit_code, queued_at, ended_at FROM runs
          WHERE job_id = j.id ORDER BY queued_at DESC, id DESC LIMIT 1
       ) last ON true
      WHERE ${whose('j.user_id')} AND j.deleted_at IS NULL
        AND ($2::text IS NULL OR j.unique_id ILIKE $2::text)
        ${filter.lastStates?.length ? `AND last.state IN ${sqlStates(filter.lastStates)}` : ''}
      ORDER BY j.created_at DESC, j.id DESC LIMIT $3`,
    [userId ?? null, pattern, filter.limit],
  );
  return rows.map((row) => {
    const lastRun = lastRunOf<RunState>(row);
    return {
      ...summaryFieldsOf(row),
      command: (row.command as string | null) ?? null,
      lastRun: lastRun && { ...lastRun, exitCode: (row.exit_code as number | null) ?? null },
    };
  });
}
