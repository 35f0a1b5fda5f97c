import type { SqlExecutor } from '../../services/db/database.js';
import { ValidationError } from '../errors.js';

/**
 * Reading the outbox in order, from a cursor, for GET /events. Events are read in the order of
 * their writing transaction, then of their id, and only those whose transaction ended before
 * every transaction still running began (`xact` below the snapshot's xmin): that set never grows
 * below its top, so a reader resuming after a cursor misses nothing and sees nothing twice, even
 * when transactions commit out of order. A long transaction delays events, never loses them.
 */

export interface FeedEvent {
  /** The cursor after this event: its Last-Event-ID. */
  cursor: string;
  id: string;
  type: string;
  userId: string;
  at: Date;
  data: Record<string, unknown>;
}

export interface Cursor {
  xact: string;
  id: string;
}

/** A cursor as given back in Last-Event-ID (`<transaction>-<id>`); ValidationError when it is not one. */
export function parseCursor(raw: string): Cursor {
  const match = /^(\d{1,20})-(\d{1,19})$/.exec(raw.trim());
  if (!match) {
    throw new ValidationError(
      `Last-Event-ID "${raw.slice(0, 60)}" is not an id this stream sent; send the id of the last event received, or none to start from now`,
    );
  }
  return { xact: match[1]!, id: match[2]! };
}

const VISIBLE = 'xact < pg_snapshot_xmin(pg_current_snapshot())';
// ORDER BY names `events.xact` and `events.id`: bare, they would name the text columns selected
// (`xact::text AS xact`), and 10 would sort before 9, skipping events past a page's end.

/** Where a stream starts that has no cursor: after the last event visible now. */
export async function currentCursor(db: SqlExecutor): Promise<Cursor> {
  const [row] = await db.query<{ xact: string | null; id: string | null }>(
    `SELECT xact::text AS xact, id::text AS id FROM events WHERE ${VISIBLE}
     ORDER BY events.xact DESC, events.id DESC LIMIT 1`,
  );
  return { xact: row?.xact ?? '0', id: row?.id ?? '0' };
}

/** Up to `limit` events after `after`, of `userId` (everyone's when undefined), of `types` (all when empty). */
export async function readEvents(
  db: SqlExecutor,
  after: Cursor,
  options: { userId: string | undefined; types: string[]; limit: number },
): Promise<FeedEvent[]> {
  const rows = await db.query(
    `SELECT xact::text AS xact, id::text AS id, type, user_id, at, data FROM events
     WHERE (xact, id) > ($1::text::xid8, $2::bigint) AND ${VISIBLE}
       AND ($3::text IS NULL OR user_id = $3::text)
       AND (cardinality($4::text[]) = 0 OR type = ANY ($4::text[]))
     ORDER BY events.xact, events.id LIMIT $5`,
    [after.xact, after.id, options.userId ?? null, options.types, options.limit],
  );
  return rows.map(toFeedEvent);
}

function toFeedEvent(row: Record<string, unknown>): FeedEvent {
  return {
    cursor: `${row.xact as string}-${row.id as string}`,
    id: row.id as string,
    type: row.type as string,
    userId: row.user_id as string,
    at: row.at as Date,
    data: (typeof row.data === 'string' ? JSON.parse(row.data) : row.data) as Record<string, unknown>,
  };
}

/**
 * Up to `limit` events after `after` of any of `userIds` (everyone's when undefined), whatever
 * their type: the one read per tick that feeds every open stream of a process (event-hub.ts).
 */
export async function readNewEvents(
  db: SqlExecutor,
  after: Cursor,
  userIds: string[] | undefined,
  limit: number,
): Promise<FeedEvent[]> {
  const rows = await db.query(
    `SELECT xact::text AS xact, id::text AS id, type, user_id, at, data FROM events
     WHERE (xact, id) > ($1::text::xid8, $2::bigint) AND ${VISIBLE}
       AND ($3::text[] IS NULL OR user_id = ANY ($3::text[]))
     ORDER BY events.xact, events.id LIMIT $4`,
    [after.xact, after.id, userIds ?? null, limit],
  );
  return rows.map(toFeedEvent);
}

/** Negative, zero or positive as `a` comes before, at or after `b` in the feed's order. */
export function compareCursors(a: Cursor, b: Cursor): number {
  const xact = BigInt(a.xact) - BigInt(b.xact);
  if (xact !== 0n) return xact < 0n ? -1 : 1;
  const id = BigInt(a.id) - BigInt(b.id);
  return id === 0n ? 0 : id < 0n ? -1 : 1;
}
