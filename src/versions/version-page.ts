import Type from 'typebox';
import { ValidationError } from '../errors.js';

/**
 * A page of a job's or workflow's versions, newest first (GET /jobs/:id/versions,
 * GET /workflows/:id/versions). Each version holds a whole definition, up to a request body in
 * size, and a definition updated every minute has a version a minute: a listing without pages
 * would answer with all of them at once.
 */

/** Page sizes, from the configuration. */
export interface VersionPaging {
  /** Versions in a page when `limit` is not given. */
  defaultSize: number;
  /** The most `limit` may ask for. */
  maxSize: number;
}

/** The query of a versions listing. */
export function versionPageQuery(paging: VersionPaging) {
  return Type.Object(
    {
      limit: Type.Optional(
        Type.Integer({
          minimum: 1,
          maximum: paging.maxSize,
          description: `versions in the page (default ${paging.defaultSize}, at most ${paging.maxSize})`,
        }),
      ),
      cursor: Type.Optional(Type.String({ maxLength: 64, description: 'nextCursor of the previous page' })),
    },
    { additionalProperties: false },
  );
}

/** The answer's `nextCursor`: null on the last page. */
export const NextCursorSchema = Type.Union([Type.String(), Type.Null()], {
  description: 'pass as cursor for the next page; null on the last',
});

const MAX_VERSION = 2 ** 31 - 1;

/** Where a page starts: below the version a cursor names, or at the newest without one. */
export interface VersionPageRequest {
  /** Versions below this one; undefined: from the newest. */
  before: number | undefined;
  limit: number;
}

/** The page asked for; a cursor this service did not give is refused with 400. */
export function versionPageRequest(
  query: { limit?: number; cursor?: string },
  paging: VersionPaging,
): VersionPageRequest {
  const limit = query.limit ?? paging.defaultSize;
  if (query.cursor === undefined) return { before: undefined, limit };
  let before: unknown;
  try {
    before = (JSON.parse(Buffer.from(query.cursor, 'base64url').toString('utf8')) as { before?: unknown })
      .before;
  } catch {
    before = undefined;
  }
  if (typeof before !== 'number' || !Number.isInteger(before) || before < 1 || before > MAX_VERSION) {
    throw new ValidationError(
      'cursor is not one this service returned; use nextCursor from the previous page',
    );
  }
  return { before, limit };
}

/** A page from versions read newest first with `LIMIT limit + 1`: the first `limit`, and where the next starts. */
export function versionPageOf<T extends { version: number }>(
  rows: T[],
  limit: number,
): { versions: T[]; nextCursor: string | null } {
  const versions = rows.slice(0, limit);
  const last = versions[versions.length - 1];
  return {
    versions,
    nextCursor:
      rows.length > limit && last
        ? Buffer.from(JSON.stringify({ before: last.version })).toString('base64url')
        : null,
  };
}
