import { ValidationError } from '../errors.js';
import { isUuid } from '../ids.js';

/**
 * Where a page of a newest-first listing ended: the last item's time, to the microsecond as
 * Postgres keeps it (a JavaScript Date holds milliseconds, so items within the same millisecond
 * would be skipped or repeated across pages), and its id, which breaks ties. Opaque to callers.
 */
export interface PageCursor {
  /** `2025-01-31T09:00:00.123456Z` */
  at: string;
  id: string;
}

/** SQL giving `column` (a timestamptz) as a cursor's `at`. */
export function pageKeySql(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

const AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export function encodePageCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify({ at: cursor.at, id: cursor.id })).toString('base64url');
}

/**
 * The cursor a page ended with; undefined for anything else, so that nothing a caller makes up
 * reaches the database (which refuses a 30th of February that JavaScript rolls over, and year 0).
 */
export function decodePageCursor(cursor: string): PageCursor | undefined {
  let value: Partial<PageCursor> | undefined;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<PageCursor>;
  } catch {
    return undefined;
  }
  const { at, id } = value ?? {};
  if (typeof at !== 'string' || !AT.test(at) || typeof id !== 'string' || !isUuid(id)) return undefined;
  const time = new Date(Date.parse(at));
  if (Number.isNaN(time.getTime()) || time.getUTCFullYear() < 1) return undefined;
  if (time.toISOString().slice(0, 19) !== at.slice(0, 19)) return undefined;
  return { at, id };
}

/**
 * A page from rows read with `LIMIT limit + 1` and a `page_key` column (see pageKeySql): the first
 * `limit` rows, and the cursor of the last one when a further row shows there is a next page.
 */
export function pageOf<T>(
  rows: Record<string, unknown>[],
  limit: number,
  map: (row: Record<string, unknown>) => T,
): { items: T[]; nextCursor: string | null } {
  const last = rows[limit - 1];
  return {
    items: rows.slice(0, limit).map(map),
    nextCursor:
      rows.length > limit && last
        ? encodePageCursor({ at: last.page_key as string, id: last.id as string })
        : null,
  };
}

/**
 * Where the page a listing of definitions (jobs, workflows) asks for starts: undefined for the
 * first page; a cursor this service did not give is refused (400) saying what to send.
 */
export function definitionPageAfter(cursor: string | undefined): PageCursor | undefined {
  if (cursor === undefined) return undefined;
  const after = decodePageCursor(cursor);
  if (!after) {
    throw new ValidationError(
      'cursor is not one this service returned; use nextCursor from the previous page',
    );
  }
  return after;
}
