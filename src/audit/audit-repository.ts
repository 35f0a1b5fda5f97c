import type { SqlExecutor } from '../../services/db/database.js';

/** The audit log's one home: every statement on `audit_log` is here (migration 053_audit.sql). */

export type ActorKind = 'operator' | 'user' | 'local' | 'cli' | 'service';

/** Who acted: a key by its id (never the key), its user, and where the request came from. */
export interface AuditActor {
  kind: ActorKind;
  /** The API key's id; null without one (authentication off, the keys CLI, the service itself). */
  keyId: string | null;
  /** The user of a user key; the account on the machine for the keys CLI. */
  userId: string | null;
  /** The client address as the API sees it (TDS_TRUST_PROXY); the host name for the keys CLI. */
  address: string | null;
}

export interface AuditRow {
  id: string;
  at: Date;
  actor: AuditActor;
  action: string;
  target: { kind: string; id: string };
  ownerId: string | null;
  summary: Record<string, unknown>;
}

export interface NewAuditRow {
  actor: AuditActor;
  action: string;
  target: { kind: string; id: string };
  ownerId: string | null;
  summary: Record<string, unknown>;
}

/** The columns of an audit row, each with its placeholder's cast and its value. */
const AUDIT_FIELDS: [column: string, cast: string, value: (row: NewAuditRow) => unknown][] = [
  ['actor_kind', '', (row) => row.actor.kind],
  ['actor_key_id', '::uuid', (row) => row.actor.keyId],
  ['actor_user_id', '', (row) => row.actor.userId],
  ['address', '', (row) => row.actor.address],
  ['action', '', (row) => row.action],
  ['target_kind', '', (row) => row.target.kind],
  ['target_id', '', (row) => row.target.id],
  ['owner_id', '', (row) => row.ownerId],
  ['summary', '::jsonb', (row) => JSON.stringify(row.summary)],
];
const AUDIT_COLUMNS = AUDIT_FIELDS.map(([column]) => column).join(', ');

/** A row's values, in AUDIT_COLUMNS' order. */
function auditValues(row: NewAuditRow): unknown[] {
  return AUDIT_FIELDS.map(([, , value]) => value(row));
}

/** `$n::cast` placeholders for a row's values, the first being `$first`. */
function auditPlaceholders(first: number): string {
  return AUDIT_FIELDS.map(([, cast], i) => `$${first + i}${cast}`).join(', ');
}

export async function insertAuditRow(tx: SqlExecutor, row: NewAuditRow): Promise<void> {
  await tx.query(
    `INSERT INTO audit_log (${AUDIT_COLUMNS}) VALUES (${auditPlaceholders(1)})`,
    auditValues(row),
  );
}

/**
 * The audit row of a change made in one statement, as a CTE of it: `name AS (INSERT ...)`,
 * written once per row of `from` (a CTE of the change: none when it changed nothing). Its values
 * are `params`, placed from `$first` on.
 */
export function auditRowCte(
  name: string,
  from: string,
  row: NewAuditRow,
  first: number,
): { sql: string; params: unknown[] } {
  return {
    sql: `${name} AS (INSERT INTO audit_log (${AUDIT_COLUMNS}) SELECT ${auditPlaceholders(first)} FROM ${from})`,
    params: auditValues(row),
  };
}

/** What a listing asks for; every field narrows it. */
export interface AuditFilter {
  /** Only rows about this user's things (a user key's listing). */
  ownerId?: string;
  from?: Date;
  to?: Date;
  /** A key id, or a user (the rows of that user's keys). */
  actor?: string;
  /** An action (`job.paused`), or every action on a kind of thing (`job.*`). */
  action?: string;
  /** The id of the thing acted on. */
  target?: string;
  /** Rows older than this id (the cursor of the previous page). */
  beforeId?: string;
}

interface Row {
  id: string;
  at: Date;
  actor_kind: ActorKind;
  actor_key_id: string | null;
  actor_user_id: string | null;
  address: string | null;
  action: string;
  target_kind: string;
  target_id: string;
  owner_id: string | null;
  summary: Record<string, unknown>;
}

/** Newest first, up to `limit` rows (read `limit + 1` to learn whether a next page exists). */
export async function listAuditRows(
  db: SqlExecutor,
  filter: AuditFilter,
  limit: number,
): Promise<AuditRow[]> {
  const actionPrefix = filter.action?.endsWith('.*') ? filter.action.slice(0, -1) : undefined;
  const rows = await db.query<Row>(
    `SELECT id::text AS id, at, actor_kind, actor_key_id::text AS actor_key_id, actor_user_id, address,
            action, target_kind, target_id, owner_id, summary
       FROM audit_log
      WHERE ($1::text IS NULL OR owner_id = $1)
        AND ($2::timestamptz IS NULL OR at >= $2::timestamptz)
        AND ($3::timestamptz IS NULL OR at < $3::timestamptz)
        AND ($4::text IS NULL OR actor_key_id::text = $4 OR actor_user_id = $4)
        AND ($5::text IS NULL OR action = $5)
        AND ($6::text IS NULL OR left(action, length($6)) = $6)
        AND ($7::text IS NULL OR target_id = $7)
        AND ($8::bigint IS NULL OR id < $8::bigint)
      ORDER BY audit_log.id DESC
      LIMIT $9::integer`,
    [
      filter.ownerId ?? null,
      filter.from?.toISOString() ?? null,
      filter.to?.toISOString() ?? null,
      filter.actor ?? null,
      actionPrefix === undefined ? (filter.action ?? null) : null,
      actionPrefix ?? null,
      filter.target ?? null,
      filter.beforeId ?? null,
      limit,
    ],
  );
  return rows.map((row) => ({
    id: row.id,
    at: row.at,
    actor: {
      kind: row.actor_kind,
      keyId: row.actor_key_id,
      userId: row.actor_user_id,
      address: row.address,
    },
    action: row.action,
    target: { kind: row.target_kind, id: row.target_id },
    ownerId: row.owner_id,
    summary: row.summary,
  }));
}

/**
 * Removes up to 5,000 audit rows recorded more than `retentionDays` ago (TDS_AUDIT_RETENTION_DAYS),
 * by the database's clock: one batch of a retention pass (the housekeeper's, src/worker/housekeeper.ts),
 * so that no statement holds many locks; the next pass takes the next batch. Found by `audit_log_at`.
 */
export async function pruneAudit(db: SqlExecutor, retentionDays: number): Promise<number> {
  const rows = await db.query<{ n: number }>(
    `WITH gone AS (
       DELETE FROM audit_log WHERE id IN (
         SELECT id FROM audit_log WHERE at < now() - make_interval(days => $1::int) ORDER BY at LIMIT 5000)
       RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [retentionDays],
  );
  return rows[0]?.n ?? 0;
}
