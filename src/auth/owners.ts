import type { SqlExecutor } from '../../services/db/database.js';
import { isUuid } from '../ids.js';
import { SELECT_RUN_OWNER } from '../runs/run-repository.js';

/** How to find who owns one kind of thing a route's path names by id. */
export interface OwnerLookup {
  /** What the thing is called in messages: "no job with id …". */
  noun: string;
  /** The userId owning the thing with this id; undefined when there is no such thing. */
  ownerOf(db: SqlExecutor, id: string): Promise<string | undefined>;
}

/** A lookup for things with UUID ids: `sql` takes the id as `$1::uuid` and returns `user_id`. */
function byUuid(noun: string, sql: string): OwnerLookup {
  return {
    noun,
    async ownerOf(db, id) {
      if (!isUuid(id)) return undefined;
      const [row] = await db.query<{ user_id: string }>(sql, [id]);
      return row?.user_id;
    },
  };
}

/**
 * Every kind of thing a route may name as its owner check (`config: { access: ownerOf('job') }`),
 * with how to find its owner. A new kind (a workflow, a webhook) is one entry here; a route naming
 * a kind with no entry stops the service from starting.
 */
export const OWNER_LOOKUPS = {
  job: byUuid('job', 'SELECT user_id FROM jobs WHERE id = $1::uuid'),
  // runs.user_id is a copy of its job's (whose userId never changes).
  run: byUuid('run', SELECT_RUN_OWNER),
  // A deleted workflow stays readable by its owner, as a deleted job does.
  workflow: byUuid('workflow', 'SELECT user_id FROM workflows WHERE id = $1::uuid'),
  workflow_run: byUuid('workflow run', 'SELECT user_id FROM workflow_runs WHERE id = $1::uuid'),
  webhook: byUuid('webhook', 'SELECT user_id FROM webhook_endpoints WHERE id = $1::uuid'),
  webhook_delivery: byUuid(
    'webhook delivery',
    `SELECT w.user_id FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id
     WHERE d.id = $1::uuid`,
  ),
} satisfies Record<string, OwnerLookup>;

export type OwnedKind = keyof typeof OWNER_LOOKUPS;
