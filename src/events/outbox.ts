import type { SqlExecutor } from '../../services/db/database.js';
import { quoteLiteral } from '../../services/db/sql-text.js';
import { TERMINAL_STATES, sqlStates } from '../runs/run-states.js';

/**
 * The outbox of events other systems are told about: the one way events are made. Each is written
 * in the same statement or transaction as the change it reports (a run's end, a skipped fire time),
 * so none is lost or invented by a crash; with it, in the same statement, a pending delivery to
 * each of the user's endpoints that wants it. The webhook sender and GET /events read it.
 */

export const RUN_EVENT_TYPES = ['run.succeeded', 'run.failed', 'run.cancelled', 'run.timed_out'] as const;
/** A workflow run started, and its ends (src/workflows/workflow-events.ts records them). */
export const WORKFLOW_RUN_EVENT_TYPES = [
  'workflow_run.started',
  'workflow_run.succeeded',
  'workflow_run.failed',
  'workflow_run.cancelled',
] as const;
export const SCHEDULE_EVENT_TYPES = ['schedule.fire_skipped'] as const;

export const EVENT_TYPES = [
  ...RUN_EVENT_TYPES,
  ...WORKFLOW_RUN_EVENT_TYPES,
  ...SCHEDULE_EVENT_TYPES,
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface NewEvent {
  type: EventType;
  userId: string;
  /** The event's `data`: ids, state and what a receiver needs to act. */
  data: Record<string, unknown>;
  /** The job it concerns, if any: an endpoint made for a job's notify_url receives only its events. */
  jobId?: string;
}

/** What a statement writing events returns of each, for deliveriesSql to match endpoints with. */
const WRITTEN_EVENT = `id, type, user_id, (data ->> 'jobId')::uuid AS job_id,
  (data ->> 'workflowId')::uuid AS workflow_id`;

/**
 * A CTE, for a statement's WITH, that queues a delivery of each event in the CTE `events` (columns
 * of WRITTEN_EVENT) to every enabled endpoint of its user that wants its type; a job's or a
 * workflow's own endpoint (its notify_url) only of the events that name that job or workflow.
 */
function deliveriesSql(name: string, events: string): string {
  return `${name} AS (
    INSERT INTO webhook_deliveries (id, endpoint_id, event_id)
    SELECT gen_random_uuid(), w.id, e.id
    FROM ${events} e
    JOIN webhook_endpoints w ON w.user_id = e.user_id AND w.disabled_at IS NULL
      AND e.type = ANY (w.event_types) AND (w.job_id IS NULL OR w.job_id = e.job_id)
      AND (w.workflow_id IS NULL OR w.workflow_id = e.workflow_id))`;
}

/** Records events, with their deliveries, inside the caller's transaction (or as one statement). */
export async function recordEvents(tx: SqlExecutor, events: NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  await tx.query(
    `WITH written AS (
       INSERT INTO events (type, user_id, data)
       SELECT type, user_id, data FROM unnest($1::text[], $2::text[], $3::jsonb[]) AS u(type, user_id, data)
       RETURNING ${WRITTEN_EVENT}),
     ${deliveriesSql('queued_deliveries', 'written')}
     SELECT count(*) FROM written`,
    [
      events.map((e) => e.type),
      events.map((e) => e.userId),
      events.map((e) => JSON.stringify({ ...e.data, ...(e.jobId ? { jobId: e.jobId } : {}) })),
    ],
  );
}

/**
 * The end of a run as an event's data, from a row of runs (alias `r`) just moved to an end state,
 * with `extra` (a jsonb expression: peak CPU and memory) merged in. A workflow step's run names its
 * workflow run, step and item instead of a job (null fields are left out).
 */
function runEventData(r: string, extra: string): string {
  return `jsonb_strip_nulls(jsonb_build_object(
      'runId', ${r}.id, 'jobId', ${r}.job_id, 'workflowRunId', ${r}.workflow_run_id,
      'stepName', ${r}.step_name, 'itemIndex', ${r}.item_index, 'userId', ${r}.spec ->> 'userId',
      'uniqueId', ${r}.spec ->> 'uniqueId', 'state', ${r}.state, 'trigger', ${r}.trigger,
      'attempt', ${r}.attempt, 'scheduledFor', ${r}.scheduled_for, 'exitCode', ${r}.exit_code,
      'failureReason', ${r}.failure_reason, 'failureMessage', ${r}.failure_message,
      'timings', jsonb_build_object('queuedAt', ${r}.queued_at, 'startedAt', ${r}.started_at,
        'endedAt', ${r}.ended_at, 'finishedAt', ${r}.finished_at,
        'runSeconds', extract(epoch FROM ${r}.ended_at - ${r}.started_at),
        'queueSeconds', extract(epoch FROM coalesce(${r}.started_at, ${r}.finished_at) - ${r}.queued_at)),
      'results', jsonb_build_object('bucket', ${r}.results_bucket, 'prefix', ${r}.results_prefix,
        'uri', 's3://' || ${r}.results_bucket || '/' || ${r}.results_prefix)) || ${extra})`;
}

/**
 * CTEs, for the WITH of a statement that ends runs, recording a `run.<state>` event for each run
 * of the CTE `moved` (all runs' columns) that is now in an end state, with its deliveries. `extra`
 * is a jsonb SQL expression merged into each event's data (`'{}'::jsonb` for nothing).
 */
export function runEndedEventsSql(moved: string, extra: string): string {
  return `run_ended_events AS (
    INSERT INTO events (type, user_id, data)
    SELECT 'run.' || m.state, m.spec ->> 'userId', ${runEventData('m', extra)}
    FROM ${moved} m WHERE m.state IN ${sqlStates(TERMINAL_STATES)}
    RETURNING ${WRITTEN_EVENT}),
  ${deliveriesSql('run_ended_deliveries', 'run_ended_events')}`;
}

/**
 * CTEs recording a `schedule.fire_skipped` event for each row of `fired` (job_id, workflow_id,
 * fire_at, outcome, detail) whose outcome is a skip (overlap, a full buffer, or missed), with
 * deliveries. A workflow's event names its `workflowId` where a job's names its `jobId`.
 */
export function fireSkippedEventsSql(fired: string): string {
  const skipped = ['skipped_overlap', 'skipped_buffer_full', 'missed'].map(quoteLiteral).join(', ');
  return `fire_skipped_events AS (
    INSERT INTO events (type, user_id, data)
    SELECT 'schedule.fire_skipped', coalesce(j.user_id, w.user_id), jsonb_strip_nulls(jsonb_build_object(
      'jobId', j.id, 'workflowId', w.id, 'userId', coalesce(j.user_id, w.user_id),
      'uniqueId', coalesce(j.unique_id, w.unique_id), 'fireAt', f.fire_at,
      'outcome', f.outcome, 'detail', f.detail))
    FROM ${fired} f LEFT JOIN jobs j ON j.id = f.job_id LEFT JOIN workflows w ON w.id = f.workflow_id
    WHERE f.outcome IN (${skipped}) AND (j.id IS NOT NULL OR w.id IS NOT NULL)
    RETURNING ${WRITTEN_EVENT}),
  ${deliveriesSql('fire_skipped_deliveries', 'fire_skipped_events')}`;
}

/**
 * Removes up to 5,000 events older than `retentionDays`, with their webhook deliveries and
 * attempts, unless a delivery is still pending. Ids grow with time: the old ones are those below
 * the first recent one, found from the start of the table without an index on the time.
 */
export async function pruneOldEvents(db: SqlExecutor, retentionDays: number): Promise<number> {
  const rows = await db.query<{ n: number }>(
    `WITH bound AS (
       SELECT coalesce(
         (SELECT id FROM events WHERE at >= now() - make_interval(days => $1::int) ORDER BY id LIMIT 1),
         (SELECT max(id) + 1 FROM events)) AS id),
     old AS (
       SELECT e.id FROM events e, bound WHERE e.id < bound.id
         AND NOT EXISTS (SELECT FROM webhook_deliveries d WHERE d.event_id = e.id AND d.state = 'pending')
       ORDER BY e.id LIMIT 5000),
     deliveries AS (DELETE FROM webhook_deliveries WHERE event_id IN (SELECT id FROM old)),
     gone AS (DELETE FROM events WHERE id IN (SELECT id FROM old) RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [retentionDays],
  );
  return rows[0]?.n ?? 0;
}
