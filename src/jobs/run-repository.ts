import { v7 as uuidv7 } from 'uuid';
import type { SqlExecutor } from '../../services/db/database.js';
import { quoteLiteral } from '../../services/db/sql-text.js';
import type { FailureReason } from '../errors.js';
import type { JobSpec } from './job-spec.js';
import { ACTIVE_STATES, type RunState } from './run-states.js';

export interface Run {
  id: string;
  jobId: string;
  state: RunState;
  trigger: 'submit' | 'schedule' | 'catch_up' | 'manual' | 'retry';
  /** The fire time of a scheduled run. */
  scheduledFor: Date | null;
  /** Starts only once no other run of its job is staging, building, running or uploading. */
  waitsForPrevious: boolean;
  attempt: number;
  /** The run this one retries. */
  retryOf: string | null;
  /** A retry waits until then (its backoff). */
  notBefore: Date | null;
  heartbeatAt: Date | null;
  spec: JobSpec;
  resultsBucket: string;
  resultsPrefix: string;
  workerId: string | null;
  containerId: string | null;
  image: string | null;
  exitCode: number | null;
  failureReason: FailureReason | null;
  failureMessage: string | null;
  killReason: 'cancel' | 'timeout' | null;
  cancelRequestedAt: Date | null;
  deadlineAt: Date | null;
  queuedAt: Date;
  claimedAt: Date | null;
  startedAt: Date | null;
  endedAt: Date | null;
  finishedAt: Date | null;
}

export interface RunEvent {
  state: string;
  at: Date;
  detail: Record<string, unknown> | null;
}

/** Fields a state transition may set alongside the state. */
export interface RunPatch {
  workerId?: string;
  containerId?: string;
  image?: string;
  exitCode?: number | null;
  failureReason?: FailureReason;
  failureMessage?: string;
  killReason?: 'cancel' | 'timeout';
  endedAt?: Date;
}

const PATCH_COLUMNS: Record<keyof RunPatch, string> = {
  workerId: 'worker_id',
  containerId: 'container_id',
  image: 'image',
  exitCode: 'exit_code',
  failureReason: 'failure_reason',
  failureMessage: 'failure_message',
  killReason: 'kill_reason',
  endedAt: 'ended_at',
};

type Row = Record<string, unknown>;

/** The columns toRun reads: named, so that statements kept prepared return the same columns always. */
const RUN_COLUMNS = `id job_id state trigger scheduled_for waits_for_previous attempt retry_of not_before
  heartbeat_at spec results_bucket results_prefix worker_id container_id image exit_code failure_reason
  failure_message kill_reason cancel_requested_at deadline_at queued_at claimed_at started_at ended_at
  finished_at`.split(/\s+/);
const runColumns = (alias: string) => RUN_COLUMNS.map((c) => `${alias}.${c}`).join(', ');

export function toRun(row: Row): Run {
  return {
    id: row.id as string,
    jobId: row.job_id as string,
    state: row.state as RunState,
    trigger: row.trigger as Run['trigger'],
    scheduledFor: (row.scheduled_for as Date | null) ?? null,
    waitsForPrevious: Boolean(row.waits_for_previous),
    attempt: (row.attempt as number | undefined) ?? 1,
    retryOf: (row.retry_of as string | null) ?? null,
    notBefore: (row.not_before as Date | null) ?? null,
    heartbeatAt: (row.heartbeat_at as Date | null) ?? null,
    spec: row.spec as JobSpec,
    resultsBucket: row.results_bucket as string,
    resultsPrefix: row.results_prefix as string,
    workerId: (row.worker_id as string | null) ?? null,
    containerId: (row.container_id as string | null) ?? null,
    image: (row.image as string | null) ?? null,
    exitCode: (row.exit_code as number | null) ?? null,
    failureReason: (row.failure_reason as FailureReason | null) ?? null,
    failureMessage: (row.failure_message as string | null) ?? null,
    killReason: (row.kill_reason as Run['killReason']) ?? null,
    cancelRequestedAt: (row.cancel_requested_at as Date | null) ?? null,
    deadlineAt: (row.deadline_at as Date | null) ?? null,
    queuedAt: row.queued_at as Date,
    claimedAt: (row.claimed_at as Date | null) ?? null,
    startedAt: (row.started_at as Date | null) ?? null,
    endedAt: (row.ended_at as Date | null) ?? null,
    finishedAt: (row.finished_at as Date | null) ?? null,
  };
}

export function newRunId(): string {
  return uuidv7();
}

export interface NewRun {
  id: string;
  jobId: string;
  trigger: Run['trigger'];
  spec: JobSpec;
  resultsPrefix: string;
  scheduledFor?: Date;
  waitsForPrevious?: boolean;
  attempt?: number;
  retryOf?: string;
  /** Held back this long (a retry's backoff), by the database's clock. */
  delaySeconds?: number;
}

export async function insertRun(db: SqlExecutor, run: NewRun): Promise<Run> {
  const rows = await db.query(
    `WITH inserted AS (
       INSERT INTO runs (id, job_id, state, trigger, spec, results_bucket, results_prefix, scheduled_for,
                         waits_for_previous, queued_at, attempt, retry_of, not_before)
       VALUES ($1::uuid, $2::uuid, 'queued', $3, $4::jsonb, $5, $6, $7::timestamptz, $8, clock_timestamp(), $9, $10::uuid,
               CASE WHEN $11::float8 IS NULL THEN NULL ELSE clock_timestamp() + make_interval(secs => $11::float8) END)
       RETURNING *),
     event AS (INSERT INTO run_events (run_id, state, detail)
       SELECT id, state, jsonb_strip_nulls(jsonb_build_object('trigger', trigger, 'scheduledFor', scheduled_for,
         'retryOf', retry_of, 'attempt', CASE WHEN attempt > 1 THEN attempt END, 'notBefore', not_before))
       FROM inserted)
     SELECT * FROM inserted`,
    [
      run.id,
      run.jobId,
      run.trigger,
      JSON.stringify(run.spec),
      run.spec.s3_bucket,
      run.resultsPrefix,
      run.scheduledFor ?? null,
      run.waitsForPrevious ?? false,
      run.attempt ?? 1,
      run.retryOf ?? null,
      run.delaySeconds ?? null,
    ],
  );
  return toRun(rows[0]!);
}

/** Queues many runs in one statement (the scheduler's fire times), each with its first event. */
export async function insertRuns(db: SqlExecutor, runs: NewRun[]): Promise<void> {
  if (runs.length === 0) return;
  await db.query(
    `WITH inserted AS (
       INSERT INTO runs (id, job_id, state, trigger, spec, results_bucket, results_prefix, scheduled_for,
                         waits_for_previous, queued_at)
       SELECT id, job_id, 'queued', trigger, spec, bucket, prefix, scheduled_for, waits, clock_timestamp()
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[], $5::text[], $6::text[], $7::timestamptz[],
                   $8::boolean[]) AS u(id, job_id, trigger, spec, bucket, prefix, scheduled_for, waits)
       RETURNING id, state, trigger, scheduled_for)
     INSERT INTO run_events (run_id, state, detail)
     SELECT id, state, jsonb_strip_nulls(jsonb_build_object('trigger', trigger, 'scheduledFor', scheduled_for))
     FROM inserted`,
    [
      runs.map((r) => r.id),
      runs.map((r) => r.jobId),
      runs.map((r) => r.trigger),
      runs.map((r) => JSON.stringify(r.spec)),
      runs.map((r) => r.spec.s3_bucket),
      runs.map((r) => r.resultsPrefix),
      runs.map((r) => r.scheduledFor ?? null),
      runs.map((r) => r.waitsForPrevious ?? false),
    ],
  );
}

/** Unfinished runs (queued or under way) of each of `jobIds`, oldest first. */
export async function listUnfinishedRunsOfJobs(
  db: SqlExecutor,
  jobIds: string[],
): Promise<Map<string, Run[]>> {
  const byJob = new Map<string, Run[]>();
  if (jobIds.length === 0) return byJob;
  const rows = await db.query(
    `SELECT * FROM runs WHERE job_id = ANY($1::uuid[])
       AND state IN ('queued', 'staging', 'building', 'running', 'uploading')
     ORDER BY queued_at, id`,
    [jobIds],
  );
  for (const row of rows.map(toRun)) {
    const list = byJob.get(row.jobId) ?? [];
    list.push(row);
    byJob.set(row.jobId, list);
  }
  return byJob;
}

export async function getRun(db: SqlExecutor, id: string): Promise<Run | undefined> {
  const rows = await db.query('SELECT * FROM runs WHERE id = $1::uuid', [id]);
  return rows[0] ? toRun(rows[0]) : undefined;
}

export async function listRunEvents(db: SqlExecutor, runId: string): Promise<RunEvent[]> {
  const rows = await db.query<{ state: string; at: Date; detail: Record<string, unknown> | null }>(
    'SELECT state, at, detail FROM run_events WHERE run_id = $1::uuid ORDER BY id',
    [runId],
  );
  return rows;
}

export async function listRunsOfJob(db: SqlExecutor, jobId: string, limit: number): Promise<Run[]> {
  const rows = await db.query(
    'SELECT * FROM runs WHERE job_id = $1::uuid ORDER BY queued_at DESC, id DESC LIMIT $2',
    [jobId, limit],
  );
  return rows.map(toRun);
}

/**
 * How many runs of a user, beyond the `limit` asked for, a claim considers (ceilings allowing):
 * workers claiming at the same moment lock their runs with SKIP LOCKED, so each one needs runs
 * past those the others are taking, or it comes back empty while runs are queued.
 */
const CLAIM_SPARE_CANDIDATES = 32;

/**
 * Claims up to `limit` queued runs for `workerId`, fairly: each user's runs under way stay within
 * their ceiling (`users.max_concurrent_runs`, else `defaultUserLimit`), and the runs that would
 * bring their user's load lowest go first (then the oldest), so users take turns. Retries wait
 * for their backoff; a run that waits for its predecessor is claimable only when no other run of
 * its job is under way and no earlier waiting run of its job is queued. `SKIP LOCKED` keeps a run
 * from being claimed twice; the users with queued runs are found by walking an index. Each claim
 * takes only from the first runs its user has room for, as of its snapshot, so workers claiming at
 * once cannot together pass a ceiling; only a run becoming claimable between two claims (a retry
 * whose backoff ends) can, rarely, let a user's runs pass it by one. When other workers took the
 * runs a claim considered before it could lock them, it claims again, with a fresh snapshot.
 */
export async function claimRuns(
  db: SqlExecutor,
  workerId: string,
  limit: number,
  defaultUserLimit: number,
): Promise<Run[]> {
  if (!Number.isSafeInteger(limit) || !Number.isSafeInteger(defaultUserLimit)) {
    throw new Error(`claim limits must be whole numbers (got ${limit} and ${defaultUserLimit})`);
  }
  const runs: Run[] = [];
  let retries = 0;
  while (runs.length < limit) {
    // Asked for in powers of two, so that a worker's claims come to a few statement texts, each
    // kept planned on each connection (see claimOnce): 7 runs are 4, then 2, then 1.
    const ask = 2 ** Math.floor(Math.log2(limit - runs.length));
    const { claimed, considered } = await claimOnce(db, workerId, ask, defaultUserLimit);
    runs.push(...claimed);
    // Every run considered was claimed: there is no more to take, not even behind other workers.
    if (considered <= claimed.length) break;
    // Fewer than asked, as others took runs it considered: it claims again, a few times at most.
    if (claimed.length < ask && ++retries > CLAIM_RETRIES) break;
  }
  return runs;
}

/**
 * How many times a claim tries again when it got fewer runs than it asked for because others
 * took the runs it considered meanwhile (a worker held up while others claimed a run after run).
 */
const CLAIM_RETRIES = 2;

/** One claim statement: the runs it claimed, and how many runs it considered for claiming. */
async function claimOnce(
  db: SqlExecutor,
  workerId: string,
  limit: number,
  defaultUserLimit: number,
): Promise<{ claimed: Run[]; considered: number }> {
  // One statement, so that a worker that dies mid-claim (or a Data API transaction left open)
  // never holds anything that other workers wait on. The walk over users also yields each user's
  // first queued run, where the reading of their queued runs starts: the index entries of runs
  // claimed since the last vacuum lie before it, and are then passed over once per claim, not twice.
  // The worker, the limit and the default ceiling are written into the text, not passed as
  // parameters: a statement without parameters is planned once per connection. With them, Postgres
  // weighs a plan for the values of each call against its plan for any values, and on a busy queue
  // came to plan every claim afresh, which took three times as long as running it.
  const worker = quoteLiteral(workerId);
  const rows = await db.query(
    `WITH RECURSIVE queued_users AS (
         (SELECT user_id, queued_at, id FROM runs WHERE state = 'queued'
          ORDER BY user_id, queued_at, id LIMIT 1)
         UNION ALL
         SELECT n.* FROM queued_users q CROSS JOIN LATERAL (
           SELECT n.user_id, n.queued_at, n.id FROM runs n WHERE n.state = 'queued' AND n.user_id > q.user_id
           ORDER BY n.user_id, n.queued_at, n.id LIMIT 1) n),
       room AS (
         SELECT q.user_id, q.queued_at AS first_queued_at, q.id AS first_id, a.active,
           coalesce(u.max_concurrent_runs, ${defaultUserLimit}) - a.active AS free
         FROM queued_users q
         LEFT JOIN users u ON u.user_id = q.user_id
         CROSS JOIN LATERAL (SELECT count(*)::int AS active FROM runs x WHERE x.user_id = q.user_id
                               AND x.state IN ('staging', 'building', 'running', 'uploading')) a
         WHERE q.user_id IS NOT NULL),
       ranked AS (
         SELECT e.id, e.queued_at, room.active + row_number() OVER (PARTITION BY room.user_id
                                                 ORDER BY e.queued_at, e.id) AS load
         FROM room CROSS JOIN LATERAL (
           SELECT r.id, r.queued_at FROM runs r
           WHERE r.user_id = room.user_id AND r.state = 'queued'
             AND (r.queued_at, r.id) >= (room.first_queued_at, room.first_id)
             AND (r.not_before IS NULL OR r.not_before <= now())
             AND (NOT r.waits_for_previous OR (
               NOT EXISTS (SELECT 1 FROM runs p WHERE p.job_id = r.job_id
                             AND p.state IN ('staging', 'building', 'running', 'uploading'))
               AND NOT EXISTS (SELECT 1 FROM runs o WHERE o.job_id = r.job_id AND o.state = 'queued'
                             AND o.waits_for_previous AND (o.queued_at, o.id) < (r.queued_at, r.id))))
           ORDER BY r.queued_at, r.id
           LIMIT least(greatest(room.free, 0), ${limit + CLAIM_SPARE_CANDIDATES})) e),
       considered AS (SELECT ARRAY(SELECT id FROM ranked ORDER BY load, queued_at, id) AS ids),
       candidates AS (
         SELECT r.id FROM considered k JOIN runs r ON r.id = ANY (k.ids)
         WHERE r.state = 'queued'
         ORDER BY array_position(k.ids, r.id)
         LIMIT ${limit}
         FOR UPDATE OF r SKIP LOCKED),
       claimed AS (
         UPDATE runs r SET state = 'staging', worker_id = ${worker}, claimed_at = now(), heartbeat_at = now(),
           updated_at = now()
         WHERE r.id = ANY (ARRAY(SELECT id FROM candidates))
         RETURNING ${runColumns('r')}),
       event AS (INSERT INTO run_events (run_id, state, detail)
         SELECT id, 'staging', jsonb_build_object('workerId', ${worker}::text) FROM claimed)
       SELECT c.*, cardinality(k.ids) AS considered FROM considered k LEFT JOIN claimed c ON true
       ORDER BY c.queued_at, c.id`,
    [],
    { prepared: true },
  );
  return {
    claimed: rows.filter((row) => row.id !== null).map(toRun),
    considered: (rows[0]?.considered as number | undefined) ?? 0,
  };
}

/**
 * Moves a run to `to` if it is in one of `from`, recording the transition in run_events in the
 * same statement. Returns undefined when the run was not in an expected state (someone else
 * moved it first), which callers treat as "not mine to change".
 */
export async function transitionRun(
  db: SqlExecutor,
  runId: string,
  from: readonly RunState[],
  to: RunState,
  patch: RunPatch = {},
  /** When given, the run must still belong to this worker: one whose lease lapsed changes nothing. */
  owner?: string,
): Promise<Run | undefined> {
  const params: unknown[] = [runId, from, to];
  let guard = '';
  if (owner !== undefined) {
    params.push(owner);
    guard = ` AND worker_id = $${params.length}`;
  }
  const sets = ['state = $3', 'updated_at = now()', 'heartbeat_at = now()'];
  const detail: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(PATCH_COLUMNS) as [keyof RunPatch, string][]) {
    if (patch[key] === undefined) continue;
    params.push(patch[key]);
    sets.push(`${column} = $${params.length}${key === 'endedAt' ? '::timestamptz' : ''}`);
    if (key !== 'endedAt') detail[key] = patch[key];
  }
  if (to === 'running') {
    sets.push(
      'started_at = now()',
      "deadline_at = now() + make_interval(secs => (spec->>'timeout_seconds')::int)",
    );
  }
  if (to === 'succeeded' || to === 'failed' || to === 'cancelled' || to === 'timed_out') {
    sets.push('finished_at = now()');
  }
  params.push(Object.keys(detail).length > 0 ? JSON.stringify(detail) : null);
  const rows = await db.query(
    `WITH moved AS (
       UPDATE runs SET ${sets.join(', ')}
       WHERE id = $1::uuid AND state = ANY($2::text[])${guard}
       RETURNING ${runColumns('runs')}),
     event AS (INSERT INTO run_events (run_id, state, detail)
       SELECT id, state, $${params.length}::jsonb FROM moved)
     SELECT * FROM moved`,
    params,
    { prepared: true },
  );
  return rows[0] ? toRun(rows[0]) : undefined;
}

/** Marks a cancel request on a run that has not finished; returns the run as it now stands. */
export async function requestCancel(db: SqlExecutor, runId: string): Promise<Run | undefined> {
  const rows = await db.query(
    `UPDATE runs SET cancel_requested_at = COALESCE(cancel_requested_at, now()), updated_at = now()
     WHERE id = $1::uuid AND state = ANY($2::text[]) RETURNING *`,
    [runId, ACTIVE_STATES],
  );
  return rows[0] ? toRun(rows[0]) : undefined;
}

export async function setKillReason(
  db: SqlExecutor,
  runId: string,
  reason: 'cancel' | 'timeout',
): Promise<void> {
  await db.query(
    'UPDATE runs SET kill_reason = COALESCE(kill_reason, $2), updated_at = now() WHERE id = $1::uuid',
    [runId, reason],
  );
}

/** Runs of a job that are queued or under way, oldest first. */
export async function listUnfinishedRunsOfJob(db: SqlExecutor, jobId: string): Promise<Run[]> {
  return (await listUnfinishedRunsOfJobs(db, [jobId])).get(jobId) ?? [];
}

export async function listActiveRunsOfWorker(db: SqlExecutor, workerId: string): Promise<Run[]> {
  const rows = await db.query('SELECT * FROM runs WHERE worker_id = $1 AND state = ANY($2::text[])', [
    workerId,
    ACTIVE_STATES,
  ]);
  return rows.map(toRun);
}

export async function heartbeatRuns(db: SqlExecutor, workerId: string): Promise<void> {
  await db.query('UPDATE runs SET heartbeat_at = now() WHERE worker_id = $1 AND state = ANY($2::text[])', [
    workerId,
    ACTIVE_STATES,
  ]);
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
     WHERE state IN ('staging', 'building', 'running', 'uploading')
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
