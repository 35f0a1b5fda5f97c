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

/**
 * How long a count of queued runs (a user's, or all) is taken to hold: one count a second, not one
 * a request, while it leaves room. A refusal is always made on a fresh count.
 */
const MEMORY_MS = 1_000;
/** Users whose count is remembered at once; past it, counts older than MEMORY_MS are forgotten. */
const MAX_REMEMBERED_USERS = 10_000;

/**
 * A count taken at `at`, and the runs this process has let be queued since: an estimate that can
 * only be short by what other processes queued meanwhile, and long by runs that have left the queue.
 */
interface Remembered {
  at: number;
  count: Promise<number>;
  added: number;
}

/**
 * Counts by key, each taken afresh when asked for `fresh` or older than MEMORY_MS; at most
 * `maxKeys` remembered at once (past it, a new key's count is taken and not kept). A count that
 * fails is not remembered.
 */
function rememberedCounts(take: (key: string) => Promise<number>, maxKeys: number) {
  const entries = new Map<string, Remembered>();
  return (key: string, fresh: boolean): Remembered => {
    const now = performance.now();
    const known = entries.get(key);
    if (!fresh && known && now - known.at <= MEMORY_MS) return known;
    if (!known && entries.size >= maxKeys) {
      for (const [other, entry] of entries) if (now - entry.at > MEMORY_MS) entries.delete(other);
    }
    const entry: Remembered = { at: now, count: take(key), added: 0 };
    entry.count.catch(() => {
      if (entries.get(key) === entry) entries.delete(key);
    });
    if (known || entries.size < maxKeys) entries.set(key, entry);
    return entry;
  };
}

export type QueueRoom = ReturnType<typeof createQueueRoom>;

export function createQueueRoom(db: SqlExecutor, limits: QueueLimits) {
  /** Queued runs, counted no further than the limit (the partial index of queued runs by user). */
  async function countOfUser(userId: string): Promise<number> {
    const rows = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (
         SELECT 1 FROM runs WHERE state = 'queued' AND user_id = $1 LIMIT $2::int
       ) AS queued`,
      [userId, limits.perUser],
      { prepared: true },
    );
    return rows[0]!.n;
  }

  async function countOfAll(): Promise<number> {
    const rows = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM runs WHERE state = 'queued' LIMIT $1::int) AS queued`,
      [limits.total],
      { prepared: true },
    );
    return rows[0]!.n;
  }

  const userEntry = rememberedCounts(countOfUser, MAX_REMEMBERED_USERS);
  const totalEntry = rememberedCounts(countOfAll, 1);

  /** The counts to check against: what this process queued since is added where they are checked. */
  async function counts(userId: string, fresh: boolean) {
    const mine = userEntry(userId, fresh);
    const all = totalEntry('', fresh);
    const [mineCount, allCount] = await Promise.all([mine.count, all.count]);
    return { mine, all, mineCount, allCount };
  }

  return {
    /** Why `userId` may not queue `count` more runs now (one by default), or undefined when it may. */
    async problem(userId: string, count = 1): Promise<RateLimitedError | undefined> {
      let counted = await counts(userId, false);
      // What this process has queued since is read here, and added to below, with no wait between.
      let mine = counted.mineCount + counted.mine.added;
      let all = counted.allCount + counted.all.added;
      if (mine + count > limits.perUser || all + count > limits.total) {
        // Refused only on counts taken now: runs may have left the queue since the remembered ones.
        counted = await counts(userId, true);
        mine = counted.mineCount + counted.mine.added;
        all = counted.allCount + counted.all.added;
      }
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
      // Queued as far as the next request of this process is concerned (if storing it fails, the
      // estimate errs long, toward a fresh count, until the counts are taken again).
      counted.mine.added += count;
      counted.all.added += count;
      return undefined;
    },

    /** Throws the 429 when `userId` may not queue `count` more runs now (one by default). */
    async assertRoom(userId: string, count = 1): Promise<void> {
      const problem = await this.problem(userId, count);
      if (problem) throw problem;
    },
  };
}
