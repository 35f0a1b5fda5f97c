import type { SqlExecutor } from '../../services/db/database.js';
import { RateLimitedError } from '../errors.js';

/**
 * Back-pressure at the door: a run started by a request (a job or workflow submitted to run now, a
 * trigger, a retry) is refused with 429 while its user has `perUser` runs queued, or the service
 * `total`. Runs a workflow queues as it goes, and schedule fires, are not refused: they follow
 * from a definition already accepted, paced by its `max_parallel`, its cron and overlap policy.
 */
export interface QueueLimits {
  /** TDS_MAX_QUEUED_RUNS_PER_USER */
  perUser: number;
  /** TDS_MAX_QUEUED_RUNS */
  total: number;
}

/** What a refused request's Retry-After says: a queue drains as workers claim from it. */
export const QUEUE_FULL_RETRY_SECONDS = 30;

/** How long the count of every queued run is taken to hold (one count a second, not one a request). */
const TOTAL_MEMORY_MS = 1_000;

export type QueueRoom = ReturnType<typeof createQueueRoom>;

export function createQueueRoom(db: SqlExecutor, limits: QueueLimits) {
  let total: { at: number; count: Promise<number> } | undefined;

  /** Queued runs, counted no further than the limit (the partial index of queued runs by user). */
  async function queuedOfUser(userId: string): Promise<number> {
    const rows = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (
         SELECT 1 FROM runs WHERE state = 'queued' AND user_id = $1 LIMIT $2::int
       ) AS queued`,
      [userId, limits.perUser],
      { prepared: true },
    );
    return rows[0]!.n;
  }

  function queuedInAll(): Promise<number> {
    const now = performance.now();
    if (!total || now - total.at > TOTAL_MEMORY_MS) {
      const count = db
        .query<{ n: number }>(
          `SELECT count(*)::int AS n FROM (SELECT 1 FROM runs WHERE state = 'queued' LIMIT $1::int) AS queued`,
          [limits.total],
          { prepared: true },
        )
        .then((rows) => rows[0]!.n);
      total = { at: now, count };
      // A failed count is not remembered.
      count.catch(() => (total = undefined));
    }
    return total.count;
  }

  return {
    /** Why `userId` may not queue `count` more runs now (one by default), or undefined when it may. */
    async problem(userId: string, count = 1): Promise<RateLimitedError | undefined> {
      const [mine, all] = await Promise.all([queuedOfUser(userId), queuedInAll()]);
      const more = count === 1 ? 'one more' : `${count} more`;
      if (mine + count > limits.perUser) {
        return new RateLimitedError(
          mine >= limits.perUser
            ? `user "${userId}" has ${limits.perUser} runs queued, the most one user may have (TDS_MAX_QUEUED_RUNS_PER_USER); try again once some have started`
            : `user "${userId}" has ${mine} runs queued and ${more} would pass ${limits.perUser}, the most one user may have (TDS_MAX_QUEUED_RUNS_PER_USER); try again once some have started, or queue fewer`,
          QUEUE_FULL_RETRY_SECONDS,
        );
      }
      if (all + count > limits.total) {
        return new RateLimitedError(
          all >= limits.total
            ? `the service has ${limits.total} runs queued, the most it takes (TDS_MAX_QUEUED_RUNS); try again once some have started`
            : `the service has ${all} runs queued and ${more} would pass ${limits.total}, the most it takes (TDS_MAX_QUEUED_RUNS); try again once some have started, or queue fewer`,
          QUEUE_FULL_RETRY_SECONDS,
        );
      }
      return undefined;
    },

    /** Throws the 429 when `userId` may not queue `count` more runs now (one by default). */
    async assertRoom(userId: string, count = 1): Promise<void> {
      const problem = await this.problem(userId, count);
      if (problem) throw problem;
    },
  };
}
