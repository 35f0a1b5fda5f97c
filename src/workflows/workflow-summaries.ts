import type { SqlExecutor } from '../../services/db/database.js';
import { ValidationError } from '../errors.js';
import {
  iso,
  lastRunOf,
  summaryFieldsOf,
  uniqueIdPattern,
  type LastRunFields,
  type SummaryFields,
} from '../runs/summaries.js';
import { WORKFLOW_RUN_STATES, type WorkflowRunState } from './workflow-states.js';

/**
 * A workflow, its step count and latest workflow run; a recurring one's cron, timezone, paused or
 * not, and next fire time (null otherwise).
 */
export interface WorkflowSummary extends SummaryFields {
  steps: number;
  createdAt: string;
  lastRun: LastRunFields<WorkflowRunState> | null;
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

/**
 * Workflows with their latest workflow run, newest first, for one user (or every user's when
 * `userId` is undefined), filtered by part of the uniqueId and by the latest run's state.
 */
export async function readWorkflowSummaries(
  db: SqlExecutor,
  userId: string | undefined,
  filter: { name?: string; lastStates?: readonly WorkflowRunState[]; limit: number },
): Promise<WorkflowSummary[]> {
  const pattern = uniqueIdPattern(filter.name);
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
    ...summaryFieldsOf(row),
    steps: Number(row.steps),
    createdAt: iso(row.created_at)!,
    lastRun: lastRunOf<WorkflowRunState>(row),
  }));
}
