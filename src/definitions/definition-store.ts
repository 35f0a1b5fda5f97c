import type { Database, SqlExecutor } from '../../services/db/database.js';
import { storeNewVersion, type FollowChange, type NewVersion } from '../versions/new-version.js';
import type { QueueRoom } from '../runs/queue-room.js';
import type { BucketCheck } from './bucket-check.js';
import { bucketProblemOf, checkDefinition, type Authorise, type Definition } from './definition-rules.js';

/**
 * Storing a definition, a job or a workflow alike: a new one (its key, userId + uniqueId, names one
 * definition for good: a repeat answers the stored one) and a new version of a stored one. The
 * checks are definition-rules.ts's, made in the same order for both kinds.
 */

export interface NewDefinition<T, R> {
  definition: Definition;
  authorise: Authorise;
  buckets: BucketCheck;
  /** Whether its user may queue one more run (one that runs now starts one). */
  queue: Pick<QueueRoom, 'problem'>;
  /** The definition stored under the same key, if any. */
  findStored: () => Promise<T | undefined>;
  /** The answer to a repeat: the stored one, or a 409 when it differs or was deleted. */
  answerStored: (stored: T) => Promise<R>;
  /** Stores it (with its first run, or its schedule); `stored` when the key was taken meanwhile. */
  store: () => Promise<{ answer: R } | { stored: T }>;
}

/**
 * Stores a new definition after its checks. A repeated post is answered from what is stored,
 * whatever has become of the bucket or the queue since: the stored one is looked up when the
 * bucket will not do or the user's queue is full, or when the insert finds it.
 */
export async function submitDefinition<T, R>(options: NewDefinition<T, R>): Promise<R> {
  const { definition } = options;
  await options.authorise(definition);
  const runsNow = definition.cron === null;
  const problem =
    (await bucketProblemOf(options.buckets, definition, runsNow)) ??
    (runsNow ? await options.queue.problem(definition.userId) : undefined);
  if (problem) {
    const known = await options.findStored();
    if (known) return options.answerStored(known);
    throw problem;
  }
  const outcome = await options.store();
  return 'answer' in outcome ? outcome.answer : options.answerStored(outcome.stored);
}

/** Validates a definition as a submit would (its shape is already checked), storing nothing. */
export async function dryRunDefinition(
  buckets: BucketCheck,
  definition: Definition,
  authorise: Authorise,
): Promise<void> {
  await checkDefinition(buckets, definition, authorise);
}

export interface DefinitionUpdate<T extends { version: number }, D, F> {
  db: Database;
  buckets: BucketCheck;
  authorise: Authorise;
  /** The stored one, and its definition as stored. */
  current: T;
  before: D;
  /** The new definition as stored, and as the rules see it. */
  after: D;
  definition: Definition;
  /** Stores the new version with its schedule, in `tx`. */
  save: (tx: SqlExecutor) => Promise<T>;
  follow?: FollowChange<D, F>;
  stored: () => void;
}

/**
 * A new version of a stored definition (PUT): who may store it first; unchanged, nothing more; a
 * changed one's bucket checked, then stored with what follows from it (versions/new-version.ts).
 */
export async function replaceDefinition<T extends { version: number }, D, F>(
  update: DefinitionUpdate<T, D, F>,
): Promise<NewVersion<T, F>> {
  await update.authorise(update.definition);
  return storeNewVersion({
    db: update.db,
    current: update.current,
    before: update.before,
    after: update.after,
    check: async () => {
      const problem = await bucketProblemOf(update.buckets, update.definition, false);
      if (problem) throw problem;
    },
    save: update.save,
    follow: update.follow,
    stored: update.stored,
  });
}
