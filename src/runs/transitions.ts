import type { SqlExecutor } from '../../services/db/database.js';
import type { FailureReason } from '../errors.js';
import { runEndedEventsSql } from '../events/outbox.js';
import { runColumns, toRun, type Run } from './run-repository.js';
import {
  RUN_TRANSITIONS,
  sqlStates,
  type RunState,
  type TerminalState,
  type TransitionName,
} from './run-states.js';

/**
 * The named changes of a run's state (the claim is in claim.ts). Each moves the run only from the
 * states its entry in RUN_TRANSITIONS allows, and records the change in run_events in the same
 * statement. Each returns the run as moved, or undefined when it was not in one of those states
 * (someone else moved it first), which callers treat as "not mine to change". When an `owner` is
 * given, the run must still belong to that worker: one whose lease lapsed changes nothing.
 */

/** The columns a change of state may set besides the state, with their types. */
const COLUMN_TYPES = {
  container_id: 'text',
  image: 'text',
  exit_code: 'int',
  result: 'text',
  ended_at: 'timestamptz',
  failure_reason: 'text',
  failure_message: 'text',
} as const;

interface Change {
  transition: TransitionName;
  to: RunState;
  owner?: string;
  /** Columns set to values, besides the state; those left undefined are not changed. */
  columns?: Partial<Record<keyof typeof COLUMN_TYPES, unknown>>;
  /** Columns set to SQL expressions. */
  expressions?: string[];
  /** What the event records besides the state (undefined values are left out). */
  detail?: Record<string, unknown>;
  /**
   * Set on the transitions that end a run: the statement also writes the run's end to the events
   * outbox (with these fields added to its data) and queues its webhook deliveries.
   */
  ended?: Record<string, unknown>;
}

async function change(db: SqlExecutor, runId: string, c: Change): Promise<Run | undefined> {
  const { from, to } = RUN_TRANSITIONS[c.transition];
  if (!(to as readonly RunState[]).includes(c.to)) {
    throw new Error(`${c.transition} cannot move a run to ${c.to}`);
  }
  const params: unknown[] = [runId, c.to];
  const sets = ['state = $2', 'updated_at = now()', 'heartbeat_at = now()'];
  for (const [column, value] of Object.entries(c.columns ?? {})) {
    if (value === undefined) continue;
    params.push(value);
    sets.push(`${column} = $${params.length}::${COLUMN_TYPES[column as keyof typeof COLUMN_TYPES]}`);
  }
  sets.push(...(c.expressions ?? []));
  let guard = '';
  if (c.owner !== undefined) {
    params.push(c.owner);
    guard = ` AND worker_id = $${params.length}`;
  }
  const detail = Object.fromEntries(
    Object.entries(c.detail ?? {}).filter(([, value]) => value !== undefined),
  );
  params.push(Object.keys(detail).length > 0 ? JSON.stringify(detail) : null);
  const detailParam = params.length;
  let ended = '';
  if (c.ended !== undefined) {
    params.push(JSON.stringify(c.ended));
    ended = `,\n     ${runEndedEventsSql('moved', `$${params.length}::jsonb`)}`;
  }
  const rows = await db.query(
    `WITH moved AS (
       UPDATE runs SET ${sets.join(', ')}
       WHERE id = $1::uuid AND state IN ${sqlStates(from)}${guard}
       RETURNING ${runColumns('runs')}),
     event AS (INSERT INTO run_events (run_id, state, detail)
       SELECT id, state, $${detailParam}::jsonb FROM moved)${ended}
     SELECT * FROM moved`,
    params,
    { prepared: true },
  );
  return rows[0] ? toRun(rows[0]) : undefined;
}

/** An ended run's state, and why it failed when it did. */
export interface RunOutcome {
  state: TerminalState;
  failureReason?: FailureReason;
  failureMessage?: string;
}

/** A run's peak CPU (percent of one core) and memory, from its sampler, told in its end event. */
export interface RunPeaks {
  cpuPercent: number | null;
  memoryBytes: number | null;
}

/** Staging → building: the inputs are in place. */
export function startBuilding(db: SqlExecutor, runId: string, owner: string): Promise<Run | undefined> {
  return change(db, runId, { transition: 'startBuilding', to: 'building', owner });
}

/** Building → running: the container is started; its timeout counts from now. */
export function startRunning(
  db: SqlExecutor,
  runId: string,
  owner: string,
  started: { containerId: string; image: string },
): Promise<Run | undefined> {
  return change(db, runId, {
    transition: 'startRunning',
    to: 'running',
    owner,
    columns: { container_id: started.containerId, image: started.image },
    expressions: [
      'started_at = now()',
      "deadline_at = now() + make_interval(secs => (spec->>'timeout_seconds')::int)",
    ],
    detail: { containerId: started.containerId, image: started.image },
  });
}

/** Running → uploading: the container has exited, with this code, at this time. */
export function beginUpload(
  db: SqlExecutor,
  runId: string,
  owner: string,
  exited: { exitCode: number | null; endedAt: Date },
): Promise<Run | undefined> {
  return change(db, runId, {
    transition: 'beginUpload',
    to: 'uploading',
    owner,
    columns: { exit_code: exited.exitCode, ended_at: exited.endedAt },
    detail: { exitCode: exited.exitCode },
  });
}

/**
 * Any unfinished state → the outcome's end state, with its failure, and the command's exit code
 * and captured result when given (left as they are otherwise).
 */
export function finish(
  db: SqlExecutor,
  runId: string,
  outcome: RunOutcome,
  options: { owner?: string; exitCode?: number | null; result?: string | null; peaks?: RunPeaks } = {},
): Promise<Run | undefined> {
  const { failureReason, failureMessage } = outcome;
  const { exitCode, result } = options;
  return change(db, runId, {
    transition: 'finish',
    to: outcome.state,
    owner: options.owner,
    columns: {
      failure_reason: failureReason,
      failure_message: failureMessage,
      exit_code: exitCode,
      result: result ?? undefined,
    },
    expressions: ['finished_at = now()'],
    detail: { failureReason, failureMessage, exitCode },
    ended: options.peaks ? { peaks: options.peaks } : {},
  });
}

/** Queued → cancelled, before any worker took the run; `message` says why. */
export function cancelQueued(db: SqlExecutor, runId: string, message: string): Promise<Run | undefined> {
  return change(db, runId, {
    transition: 'cancelQueued',
    to: 'cancelled',
    columns: { failure_reason: 'cancelled', failure_message: message },
    expressions: ['finished_at = now()'],
    detail: { failureReason: 'cancelled', failureMessage: message },
    ended: {},
  });
}

/**
 * Staging or building → queued: the run goes back to the queue before its container started
 * (its worker restarted, is shutting down, or lost its lease to `owner`), to be claimed again.
 */
export function requeue(db: SqlExecutor, runId: string, owner: string): Promise<Run | undefined> {
  return change(db, runId, { transition: 'requeue', to: 'queued', owner });
}

/**
 * Running → queued: the run's container was stopped by its worker, cut off from the database
 * before its command ended (fencing); the run goes back to the queue to run again, as the same run,
 * with nothing of the stopped container kept on the run. `owner` holds the run now: the worker
 * that stopped it, back, or the one that took it over.
 */
export function requeueFenced(
  db: SqlExecutor,
  runId: string,
  owner: string,
  fenced: { containerId: string | null },
): Promise<Run | undefined> {
  return change(db, runId, {
    transition: 'requeueFenced',
    to: 'queued',
    owner,
    columns: { container_id: null },
    expressions: [
      'started_at = NULL',
      'deadline_at = NULL',
      'kill_reason = NULL',
      'exit_code = NULL',
      'ended_at = NULL',
    ],
    detail: { fencedContainerId: fenced.containerId ?? undefined, requeuedBy: owner },
  });
}
