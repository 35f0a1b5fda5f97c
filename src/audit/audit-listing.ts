import type { SqlExecutor } from '../../services/db/database.js';
import type { Principal } from '../auth/principal.js';
import { ValidationError } from '../errors.js';
import { listAuditRows, type AuditRow } from './audit-repository.js';

/** What GET /audit asks for. */
export interface AuditQuery {
  from?: string;
  to?: string;
  actor?: string;
  action?: string;
  target?: string;
  cursor?: string;
  limit?: number;
}

export interface AuditPage {
  entries: AuditRow[];
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}

/** Rows in a page without `limit`, unless the most allowed (TDS_AUDIT_PAGE_MAX) is fewer. */
export const AUDIT_PAGE_SIZE = 50;

function time(name: 'from' | 'to', value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const parsed = new Date(value);
  const year = parsed.getUTCFullYear();
  if (Number.isNaN(parsed.getTime()) || year < 1 || year > 9999) {
    throw new ValidationError(
      `${name} ${JSON.stringify(value.slice(0, 40))} is not a time: use an ISO 8601 date-time such as 2025-01-31T09:00:00Z`,
    );
  }
  return parsed;
}

export function encodeAuditCursor(id: string): string {
  return Buffer.from(JSON.stringify({ before: id })).toString('base64url');
}

/** The row id a cursor of this listing names; 400 for anything this service did not give. */
export function decodeAuditCursor(cursor: string): string {
  let before: unknown;
  try {
    before = (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { before?: unknown }).before;
  } catch {
    before = undefined;
  }
  if (typeof before !== 'string' || !/^[1-9][0-9]{0,17}$/.test(before)) {
    throw new ValidationError(
      'cursor is not one this listing gave: pass the nextCursor of the previous page, or leave it out for the newest',
    );
  }
  return before;
}

/**
 * A page of the audit log, newest first: an operator (and local development) reads every row, a
 * user's key the rows about that user's own things.
 */
export async function readAuditPage(
  db: SqlExecutor,
  principal: Principal,
  query: AuditQuery,
  maxSize: number,
): Promise<AuditPage> {
  const limit = query.limit ?? Math.min(AUDIT_PAGE_SIZE, maxSize);
  if (limit > maxSize) {
    throw new ValidationError(
      `limit ${limit} is over the most one page holds, ${maxSize} (TDS_AUDIT_PAGE_MAX): ask for fewer and follow nextCursor`,
    );
  }
  const from = time('from', query.from);
  const to = time('to', query.to);
  if (from && to && from >= to) {
    throw new ValidationError(`from (${from.toISOString()}) must be before to (${to.toISOString()})`);
  }
  const rows = await listAuditRows(
    db,
    {
      ...(principal.kind === 'user' ? { ownerId: principal.userId } : {}),
      from,
      to,
      actor: query.actor,
      action: query.action,
      target: query.target,
      beforeId: query.cursor === undefined ? undefined : decodeAuditCursor(query.cursor),
    },
    limit + 1,
  );
  const entries = rows.slice(0, limit);
  const last = entries.at(-1);
  return { entries, nextCursor: rows.length > limit && last ? encodeAuditCursor(last.id) : null };
}
