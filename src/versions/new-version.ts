import { isDeepStrictEqual } from 'node:util';
import type { Database, SqlExecutor } from '../../services/db/database.js';
import type { Problem } from '../errors.js';

/**
 * The rule of an update (PUT /jobs/:id, PUT /workflows/:id): the whole definition is sent again
 * under the key that names it; the same definition changes nothing, another becomes a new version
 * (the earlier kept), stored with all that follows from it in one transaction.
 */

/**
 * What else follows a changed definition, in the transaction that stores it (the job's or
 * workflow's own webhook endpoint follows its notify_url), given the definition before and after.
 */
export type FollowChange<D, F> = (tx: SqlExecutor, before: D, after: D) => Promise<F>;

/** The key that names a stored job or workflow: an update must keep it; each field that moved is a problem. */
export function keyProblems(
  kind: 'job' | 'workflow',
  stored: { userId: string; uniqueId: string },
  given: { userId?: unknown; uniqueId?: unknown },
): Problem[] {
  return (['userId', 'uniqueId'] as const)
    .filter((key) => given[key] !== stored[key])
    .map((key) => ({ path: `/${key}`, message: `${key} must stay "${stored[key]}": it names the ${kind}` }));
}

export interface NewVersion<T, F> {
  /** The job or workflow as it now is: stored anew, or as it was when nothing changed. */
  item: T;
  /** Whether the stored version moved on: false when the definition was the same. */
  changed: boolean;
  /** What `follow` answered; undefined when nothing changed. */
  followed?: F;
}

/**
 * Stores `after` as the new version of `current` unless it equals `before` (then nothing is done):
 * `check` first (what must hold of a changed definition, read outside the transaction), then `save`
 * (the version with what it carries: a schedule) and `follow` in one transaction, then `stored`.
 */
export async function storeNewVersion<T extends { version: number }, D, F>(options: {
  db: Database;
  current: T;
  before: D;
  after: D;
  check?: () => Promise<void>;
  save: (tx: SqlExecutor) => Promise<T>;
  follow?: FollowChange<D, F>;
  /** Told once a new version is stored (a schedule may have changed). */
  stored: () => void;
}): Promise<NewVersion<T, F>> {
  const { db, current, before, after, follow } = options;
  if (isDeepStrictEqual(before, after)) return { item: current, changed: false };
  await options.check?.();
  const { item, followed } = await db.transaction(async (tx) => {
    const saved = await options.save(tx);
    return { item: saved, followed: await follow?.(tx, before, after) };
  });
  options.stored();
  return { item, changed: item.version !== current.version, followed };
}
