import type { SqlExecutor } from '../../services/db/database.js';
import { ValidationError } from '../errors.js';

/** The states a workflow run goes through (workflow_runs.state). */
export const WORKFLOW_RUN_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type WorkflowRunState = (typeof WORKFLOW_RUN_STATES)[number];

export interface WorkflowSummary {
  id: string;
  userId: string;
  uniqueId: string;
  steps: number;
  createdAt: string;
  /** A recurring workflow's cron and timezone (null otherwise), paused or not, its next fire time. */
  cron: string | null;
  timezone: string | null;
  paused: boolean | null;
  nextFireAt: string | null;
  lastRun: {
    id: string;
    state: WorkflowRunState;
    queuedAt: string;
    endedAt: string | null;
  } | null;
}

/** `failed,cancelled` (or repeated parameters) as workflow run states; anything else is refused. */
export function parseWorkflowRunStates(value: string | string[] | undefined): WorkflowRunState[] {
  if (value === undefined) return [];
  const states = (Array.isArray(value) ? value : [value])
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = states.filter((s) => !(WORKFLOW_RUN_STATES as readonly string[]).includes(s));
  if (unknown.length) {
    throw new ValidationError(
      `unknown workflow run state ${unknown.map((s) => `"${s}"`).join(', ')}: use ${WORKFLOW_RUN_STATES.join(', ')}`,
    );
  }
  return states as WorkflowRunState[];
}

const iso = (value: unknown) => (value ? new Date(value as string).toISOString() : null);

/**
 * Workflows with their latest workflow run, newest first, for one user (or every user's when
 * `userId` is undefined), filtered by part of the uniqueId and by the latest run's state.
 */
export async function readWorkflowSummaries(
  db: SqlExecutor,
  userId: string | undefined,
  filter: { name?: string; lastStates?: readonly WorkflowRunState[]; limit: number },
): Promise<WorkflowSummary[]> {
  const pattern = filter.name ? `%${filter.name.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const states = filter.lastStates?.length ? filter.lastStates : null;
  const rows = await db.query<Record<string, unknown>>(
    `SELECT w.id, w.user_id, w.unique_id, w.created_at,
            jsonb_array_length(w.definition -> 'steps')::int AS steps,
            last.id AS run_id, last.state AS run_state, last.queued_at AS run_queued_at,
            last.ended_at AS run_ended_at, s.cron, s.timezone, s.paused, s.next_fire_at
       FROM workflows w
       LEFT JOIN schedules s ON s.workflow_id = w.id
       LEFT JOIN LATERAL (
         SELECT id, state, queued_at, ended_at FROM workflow_runs
          WHERE workflow_id = w.id ORDER BY queued_at DESC, id DESC LIMIT 1
       ) last ON true
      WHERE ($1::text IS NULL OR w.user_id = $1::text) AND w.deleted_at IS NULL
        AND ($2::text IS NULL OR w.unique_id ILIKE $2::text)
        AND ($3::text IS NULL OR last.state = ANY (string_to_array($3::text, ',')))
      ORDER BY w.created_at DESC, w.id DESC LIMIT $4::int`,
    [userId ?? null, pattern, states ? states.join(',') : null, filter.limit],
  );
  return rows.map((row) => ({
    id: row.id as string,
    userId: row.user_id as string,
    uniqueId: row.unique_id as string,
    steps: Number(row.steps),
    createdAt: iso(row.created_at)!,
    cron: (row.cron as string | null) ?? null,
    timezone: (row.timezone as string | null) ?? null,
    paused: (row.paused as boolean | null) ?? null,
    nextFireAt: row.paused ? null : iso(row.next_fire_at),
    lastRun: row.run_id
      ? {
          id: row.run_id as string,
          state: row.run_state as WorkflowRunState,
          queuedAt: iso(row.run_queued_at)!,
          endedAt: iso(row.run_ended_at),
        }
      : null,
  }));
}
