import type { SqlExecutor } from '../../services/db/database.js';
import { ACTIVE_STATES, RUN_STATES, sqlStates, type RunState } from './run-states.js';

/** Every run in the database by state (ended runs until housekeeping prunes them), each state present. */
export async function countRunsByState(db: SqlExecutor): Promise<Record<RunState, number>> {
  const rows = await db.query<{ state: RunState; n: string | number }>(
    'SELECT state, count(*) AS n FROM runs GROUP BY state',
  );
  const counts = Object.fromEntries(RUN_STATES.map((state) => [state, 0])) as Record<RunState, number>;
  for (const row of rows) counts[row.state] = Number(row.n);
  return counts;
}

/** How long the oldest queued run that is due now has waited, in seconds; 0 when none waits. */
export async function oldestQueuedRunAgeSeconds(db: SqlExecutor): Promise<number> {
  const [row] = await db.query<{ age: string | number | null }>(
    `SELECT extract(epoch FROM now() - min(queued_at)) AS age FROM runs
     WHERE state = 'queued' AND (not_before IS NULL OR not_before <= now())`,
  );
  return Math.max(0, Number(row?.age ?? 0));
}

/** Why a due queued run is not one a live worker could claim now. */
export const HELD_REASONS = ['user_ceiling', 'no_matching_worker', 'previous_run'] as const;
export type HeldReason = (typeof HELD_REASONS)[number];

/** The due queued runs split into those some live worker could claim now and those held back, by reason. */
export interface QueueBreakdown {
  claimable: number;
  /** How long the oldest claimable run has waited, in seconds; 0 when none. */
  claimableOldestAgeSeconds: number;
  held: Record<HeldReason, number>;
}

const ACTIVE = sqlStates(ACTIVE_STATES);

/**
 * The due queued runs as the claim (src/runs/claim.ts) would see them, from the point of view of
 * the whole fleet: held by `no_matching_worker` when no live worker that is not draining has
 * every tag the run requires (none alive included), by `previous_run` while it waits for an
 * earlier run of its job, by `user_ceiling` past the places its user's ceiling leaves (users'
 * runs in queue order), claimable otherwise. A live worker is one heard from within the lease.
 */
export async function readQueueBreakdown(
  db: SqlExecutor,
  { defaultUserLimit, leaseMs }: { defaultUserLimit: number; leaseMs: number },
): Promise<QueueBreakdown> {
  const rows = await db.query<{ reason: string; n: number; oldest: string | number | null }>(
    `WITH live AS (
         SELECT w.tags FROM workers w
          WHERE w.stopped_at IS NULL AND w.drain_requested_at IS NULL
            AND w.heartbeat_at >= now() - make_interval(secs => $2::float8 / 1000)),
       due AS (
         SELECT r.id, r.user_id, r.job_id, r.queued_at, r.waits_for_previous,
                coalesce(r.spec -> 'requires', '[]'::jsonb) AS requires
           FROM runs r WHERE r.state = 'queued' AND (r.not_before IS NULL OR r.not_before <= now())),
       placed AS (
         SELECT d.id, d.user_id, d.queued_at,
                EXISTS (SELECT 1 FROM live w WHERE d.requires <@ w.tags) AS placeable,
                d.waits_for_previous AND (
                  EXISTS (SELECT 1 FROM runs p WHERE p.job_id = d.job_id AND p.state IN ${ACTIVE})
                  OR EXISTS (SELECT 1 FROM runs o WHERE o.job_id = d.job_id AND o.state = 'queued'
                               AND o.waits_for_previous AND (o.queued_at, o.id) < (d.queued_at, d.id))) AS behind
           FROM due d),
       room AS (
         SELECT u.user_id, coalesce(s.max_concurrent_runs, $1::int)
                  - (SELECT count(*) FROM runs x WHERE x.user_id = u.user_id AND x.state IN ${ACTIVE}) AS free
           FROM (SELECT DISTINCT user_id FROM placed) u LEFT JOIN users s ON s.user_id = u.user_id),
       ranked AS (
         SELECT p.queued_at, p.placeable, p.behind, coalesce(room.free, $1::int) AS free,
                row_number() OVER (PARTITION BY p.user_id, p.placeable AND NOT p.behind
                                   ORDER BY p.queued_at, p.id) AS turn
           FROM placed p LEFT JOIN room ON room.user_id IS NOT DISTINCT FROM p.user_id)
     SELECT reason, count(*)::int AS n, extract(epoch FROM now() - min(queued_at)) AS oldest
       FROM (SELECT queued_at, CASE WHEN NOT placeable THEN 'no_matching_worker'
                                    WHEN behind THEN 'previous_run'
                                    WHEN turn > free THEN 'user_ceiling'
                                    ELSE 'claimable' END AS reason
               FROM ranked) classified
      GROUP BY reason`,
    [defaultUserLimit, leaseMs],
  );
  const held = Object.fromEntries(HELD_REASONS.map((reason) => [reason, 0])) as Record<HeldReason, number>;
  let claimable = 0;
  let claimableOldestAgeSeconds = 0;
  for (const row of rows) {
    if (row.reason === 'claimable') {
      claimable = Number(row.n);
      claimableOldestAgeSeconds = Math.max(0, Number(row.oldest ?? 0));
    } else held[row.reason as HeldReason] = Number(row.n);
  }
  return { claimable, claimableOldestAgeSeconds, held };
}
