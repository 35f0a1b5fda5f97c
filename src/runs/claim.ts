import type { Database, SqlExecutor } from '../../services/db/database.js';
import { quoteLiteral } from '../../services/db/sql-text.js';
import { runColumns, toRun, type Run } from './run-repository.js';
import { ACTIVE_STATES, RUN_TRANSITIONS, sqlState, sqlStates } from './run-states.js';

/** The claim's change of state (queued → staging), and the runs under way it counts, as SQL. */
const QUEUED = sqlState(RUN_TRANSITIONS.claim.from[0]);
const STAGING = sqlState(RUN_TRANSITIONS.claim.to[0]);
const ACTIVE = sqlStates(ACTIVE_STATES);

/**
 * How many runs of a user, beyond the `limit` asked for, a claim considers (ceilings allowing):
 * workers claiming at the same moment lock their runs with SKIP LOCKED, so each one needs runs
 * past those the others are taking, or it comes back empty while runs are queued.
 */
const CLAIM_SPARE_CANDIDATES = 32;

/**
 * In how many milliseconds the soonest queued run held back by a retry's backoff becomes
 * claimable; undefined when none waits. Nothing notifies a worker when a backoff runs out, so a
 * worker woken by notifications sleeps no longer than this.
 */
export async function nextBackoffEndsInMs(db: SqlExecutor): Promise<number | undefined> {
  const [row] = await db.query<{ ms: number | null }>(
    `SELECT (EXTRACT(EPOCH FROM (min(not_before) - now())) * 1000)::float8 AS ms
       FROM runs WHERE state = ${QUEUED} AND not_before > now()`,
  );
  return row?.ms ?? undefined;
}

/**
 * Claims up to `limit` queued runs for `workerId`, fairly: each user's runs under way stay within
 * their ceiling (`users.max_concurrent_runs`, else `defaultUserLimit`), and the runs that would
 * bring their user's load lowest go first (then the oldest), so users take turns. Retries wait
 * for their backoff; a run that waits for its predecessor is claimable only when no other run of
 * its job is under way and no earlier waiting run of its job is queued. `SKIP LOCKED` keeps a run
 * from being claimed twice; the users with queued runs are found by walking an index. A ceiling
 * holds whatever workers claim at once (see holdCeilings). When other workers took the runs a
 * claim considered before it could lock them, or a claim would have passed a ceiling, it claims
 * again, with a fresh snapshot.
 * A worker claims only runs whose `requires` are all among its tags, and nothing while an operator
 * has asked it to drain (a claim already under way when the drain is asked for may still land).
 */
export async function claimRuns(
  db: Database,
  workerId: string,
  limit: number,
  defaultUserLimit: number,
  /** The worker's tags (with its platform): only runs whose `requires` are all among them are claimed. */
  tags: readonly string[] = [],
  /** The CPUs and memory its runs may ask for together; none: only the slot count holds. */
  capacity?: ClaimCapacity,
): Promise<Run[]> {
  if (!Number.isSafeInteger(limit) || !Number.isSafeInteger(defaultUserLimit)) {
    throw new Error(`claim limits must be whole numbers (got ${limit} and ${defaultUserLimit})`);
  }
  if (capacity && !Object.values(capacity).every((value) => Number.isFinite(value) && value >= 0)) {
    throw new Error(`claim capacity must be numbers from 0 (got ${JSON.stringify(capacity)})`);
  }
  const runs: Run[] = [];
  let retries = 0;
  while (runs.length < limit) {
    // Asked for in powers of two, so that a worker's claims come to a few statement texts, each
    // kept planned on each connection (see claimOnce): 7 runs are 4, then 2, then 1.
    const ask = 2 ** Math.floor(Math.log2(limit - runs.length));
    const outcome = await db
      .transaction(async (tx) => {
        const once = await claimOnce(tx, workerId, ask, defaultUserLimit, tags, capacity);
        await holdCeilings(tx, once.claimed, defaultUserLimit);
        return once;
      })
      .catch((error: unknown) => {
        if (error instanceof CeilingRace) return undefined;
        throw error;
      });
    if (outcome === undefined) {
      // Rolled back: another worker's claim for the same user landed first. Claim again.
      if (++retries > CLAIM_RETRIES) break;
      continue;
    }
    const { claimed, considered, unfit } = outcome;
    runs.push(...claimed);
    // Every run considered was claimed: there is no more to take, not even behind other workers.
    if (considered <= claimed.length) break;
    // The worker's CPUs or memory are taken: what else was locked waits for another claim.
    if (unfit > 0) break;
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

/** A claim that would have taken a user past their ceiling; its transaction is rolled back. */
class CeilingRace extends Error {
  constructor(readonly userIds: string[]) {
    super(`a claim would have passed the ceiling of ${userIds.join(', ')}`);
    this.name = 'CeilingRace';
  }
}

/** The advisory lock namespace (`pg_advisory_xact_lock(int, int)`'s first key) of users' ceilings. */
const CEILING_LOCK_SPACE = 7_215_311;

/**
 * Holds each user's ceiling under claims made at once. The claim statement counts a user's runs
 * under way as of its snapshot, and workers with different tags take different runs of one user,
 * so two claims at once could each see room for the same runs. So, in the claim's transaction,
 * after the claim: lock each user it claimed for (a transaction-scoped advisory lock, in user
 * order so that two claims never wait on each other in a circle), then count again in a statement
 * of its own, whose snapshot is taken after the lock is held and so sees every claim for that user
 * committed before. Over the ceiling, the claim is rolled back (`CeilingRace`) and made again. Only
 * claims for the same user wait on each other, and only for the count.
 */
async function holdCeilings(
  tx: SqlExecutor,
  claimed: readonly Run[],
  defaultUserLimit: number,
): Promise<void> {
  const users = [...new Set(claimed.map((run) => run.spec.userId))].sort();
  if (users.length === 0) return;
  // OFFSET 0 keeps the ordered list a subquery of its own, so the locks are taken in its order.
  await tx.query(
    `SELECT count(pg_advisory_xact_lock(${CEILING_LOCK_SPACE}, hashtext(u)))::int AS locked
       FROM (SELECT u FROM unnest($1::text[]) AS u ORDER BY u OFFSET 0) ordered`,
    [users],
  );
  const over = await tx.query<{ user_id: string }>(
    `SELECT q.u AS user_id FROM unnest($1::text[]) AS q(u)
       LEFT JOIN users s ON s.user_id = q.u
      WHERE (SELECT count(*) FROM runs x WHERE x.user_id = q.u AND x.state IN ${ACTIVE})
            > coalesce(s.max_concurrent_runs, $2::int)`,
    [users, defaultUserLimit],
  );
  if (over.length > 0) throw new CeilingRace(over.map((row) => row.user_id));
}

/**
 * What a worker's runs under way may ask for together (TDS_WORKER_CPUS, TDS_WORKER_MEMORY_MB), and
 * what a run asks for when its spec does not say (TDS_DEFAULT_CPUS, TDS_DEFAULT_MEMORY_MB: a run of
 * an earlier release).
 */
export interface ClaimCapacity {
  cpus: number;
  memoryMb: number;
  defaultCpus: number;
  defaultMemoryMb: number;
}

/** A number written into a statement's text: checked finite, so only digits, a point and a sign. */
const numeric = (value: number) => `${Number(value)}::numeric`;

/**
 * The claim's placement by CPUs and memory, as SQL: `room` is what the worker has left once its
 * runs under way have what they ask for; a run fits when what it asks for is within it. Without
 * a capacity, room is unbounded (the slot count alone holds).
 */
function placementSql(worker: string, capacity: ClaimCapacity | undefined) {
  if (!capacity) {
    return { room: 'SELECT 1e18::numeric AS cpus, 1e18::numeric AS memory_mb', cpus: '0', memory: '0' };
  }
  const cpus = (alias: string) =>
    `coalesce((${alias}.spec ->> 'cpus')::numeric, ${numeric(capacity.defaultCpus)})`;
  const memory = (alias: string) =>
    `coalesce((${alias}.spec ->> 'memory_mb')::numeric, ${numeric(capacity.defaultMemoryMb)})`;
  return {
    room: `SELECT ${numeric(capacity.cpus)} - coalesce(sum(${cpus('x')}), 0) AS cpus,
              ${numeric(capacity.memoryMb)} - coalesce(sum(${memory('x')}), 0) AS memory_mb
           FROM runs x WHERE x.worker_id = ${worker} AND x.state IN ${ACTIVE}`,
    cpus: cpus('r'),
    memory: memory('r'),
  };
}

/**
 * One claim statement: the runs it claimed, how many runs it considered for claiming, and how many
 * it locked but left, as they did not fit beside the others in the worker's CPUs and memory.
 */
async function claimOnce(
  db: SqlExecutor,
  workerId: string,
  limit: number,
  defaultUserLimit: number,
  tags: readonly string[],
  capacity: ClaimCapacity | undefined,
): Promise<{ claimed: Run[]; considered: number; unfit: number }> {
  // One statement, so that a worker that dies mid-claim (or a Data API transaction left open)
  // never holds anything that other workers wait on. The walk over users also yields each user's
  // first queued run, where the reading of their queued runs starts: the index entries of runs
  // claimed since the last vacuum lie before it, and are then passed over once per claim, not twice.
  // The worker, the limit and the default ceiling are written into the text, not passed as
  // parameters: a statement without parameters is planned once per connection. With them, Postgres
  // weighs a plan for the values of each call against its plan for any values, and on a busy queue
  // came to plan every claim afresh, which took three times as long as running it. A worker's tags
  // are fixed for its life, so they too are written in, and its claims keep their few texts.
  // A worker's capacity is fixed for its life, like its tags: written in too. A run is considered
  // only if it fits the worker's room on its own; the runs locked are then walked in order, each
  // taken if it fits beside those taken before it (walk), so a run too large for what is left is
  // passed over for now and never holds back smaller ones behind it.
  const worker = quoteLiteral(workerId);
  const offered = quoteLiteral(JSON.stringify([...tags].sort()));
  const placement = placementSql(worker, capacity);
  const rows = await db.query(
    `WITH RECURSIVE queued_users AS (
         (SELECT user_id, queued_at, id FROM runs WHERE state = ${QUEUED}
          ORDER BY user_id, queued_at, id LIMIT 1)
         UNION ALL
         SELECT n.* FROM queued_users q CROSS JOIN LATERAL (
           SELECT n.user_id, n.queued_at, n.id FROM runs n WHERE n.state = ${QUEUED} AND n.user_id > q.user_id
           ORDER BY n.user_id, n.queued_at, n.id LIMIT 1) n),
       worker_room AS MATERIALIZED (${placement.room}),
       room AS (
         SELECT q.user_id, q.queued_at AS first_queued_at, q.id AS first_id, a.active,
           coalesce(u.max_concurrent_runs, ${defaultUserLimit}) - a.active AS free
         FROM queued_users q
         LEFT JOIN users u ON u.user_id = q.user_id
         CROSS JOIN LATERAL (SELECT count(*)::int AS active FROM runs x WHERE x.user_id = q.user_id
                               AND x.state IN ${ACTIVE}) a
         WHERE q.user_id IS NOT NULL),
       ranked AS (
         SELECT e.id, e.queued_at, room.active + row_number() OVER (PARTITION BY room.user_id
                                                 ORDER BY e.queued_at, e.id) AS load
         FROM room CROSS JOIN LATERAL (
           SELECT r.id, r.queued_at FROM runs r
           WHERE r.user_id = room.user_id AND r.state = ${QUEUED}
             AND (r.queued_at, r.id) >= (room.first_queued_at, room.first_id)
             AND (r.not_before IS NULL OR r.not_before <= now())
             AND coalesce(r.spec -> 'requires', '[]'::jsonb) <@ ${offered}::jsonb
             AND ${placement.cpus} <= (SELECT cpus FROM worker_room)
             AND ${placement.memory} <= (SELECT memory_mb FROM worker_room)
             AND (NOT r.waits_for_previous OR (
               NOT EXISTS (SELECT 1 FROM runs p WHERE p.job_id = r.job_id
                             AND p.state IN ${ACTIVE})
               AND NOT EXISTS (SELECT 1 FROM runs o WHERE o.job_id = r.job_id AND o.state = ${QUEUED}
                             AND o.waits_for_previous AND (o.queued_at, o.id) < (r.queued_at, r.id))))
           ORDER BY r.queued_at, r.id
           LIMIT least(greatest(room.free, 0), ${limit + CLAIM_SPARE_CANDIDATES})) e),
       considered AS (SELECT ARRAY(SELECT id FROM ranked ORDER BY load, queued_at, id) AS ids),
       candidates AS (
         SELECT r.id, array_position(k.ids, r.id) AS position, ${placement.cpus} AS cpus,
           ${placement.memory} AS memory_mb
         FROM considered k JOIN runs r ON r.id = ANY (k.ids)
         WHERE r.state = ${QUEUED}
           AND NOT EXISTS (SELECT 1 FROM workers w WHERE w.id = ${worker}
                             AND w.drain_requested_at IS NOT NULL)
         ORDER BY array_position(k.ids, r.id)
         LIMIT ${limit}
         FOR UPDATE OF r SKIP LOCKED),
       ordered AS (
         SELECT c.id, c.cpus, c.memory_mb, row_number() OVER (ORDER BY c.position) AS n FROM candidates c),
       walk AS (
         SELECT 0::bigint AS n, NULL::uuid AS id, 0::numeric AS cpus, 0::numeric AS memory_mb, false AS taken
         UNION ALL
         SELECT o.n, o.id, w.cpus + CASE WHEN f.fits THEN o.cpus ELSE 0 END,
           w.memory_mb + CASE WHEN f.fits THEN o.memory_mb ELSE 0 END, f.fits
         FROM walk w JOIN ordered o ON o.n = w.n + 1 CROSS JOIN worker_room room
         CROSS JOIN LATERAL (SELECT w.cpus + o.cpus <= room.cpus
                               AND w.memory_mb + o.memory_mb <= room.memory_mb AS fits) f),
       fitting AS (SELECT id FROM walk WHERE taken),
       claimed AS (
         UPDATE runs r SET state = ${STAGING}, worker_id = ${worker}, claimed_at = now(), heartbeat_at = now(),
           updated_at = now()
         WHERE r.id = ANY (ARRAY(SELECT id FROM fitting))
         RETURNING ${runColumns('r')}),
       event AS (INSERT INTO run_events (run_id, state, detail)
         SELECT id, ${STAGING}, jsonb_build_object('workerId', ${worker}::text) FROM claimed)
       SELECT c.*, cardinality(k.ids) AS considered,
         (SELECT count(*) FROM candidates)::int - (SELECT count(*) FROM fitting)::int AS unfit
       FROM considered k LEFT JOIN claimed c ON true
       ORDER BY c.queued_at, c.id`,
    [],
    { prepared: true },
  );
  return {
    claimed: rows.filter((row) => row.id !== null).map(toRun),
    considered: (rows[0]?.considered as number | undefined) ?? 0,
    unfit: (rows[0]?.unfit as number | undefined) ?? 0,
  };
}
