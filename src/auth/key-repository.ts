import { v7 as uuidv7 } from 'uuid';
import type { SqlExecutor } from '../../services/db/database.js';
import { generateApiKey, hashApiKey } from './api-keys.js';
import type { Principal } from './principal.js';

export interface ApiKeyRecord {
  id: string;
  userId: string | null;
  operator: boolean;
  name: string;
  hint: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

function toRecord(row: Record<string, unknown>): ApiKeyRecord {
  return {
    id: row.id as string,
    userId: (row.user_id as string | null) ?? null,
    operator: row.operator as boolean,
    name: row.name as string,
    hint: row.hint as string,
    createdAt: row.created_at as Date,
    lastUsedAt: (row.last_used_at as Date | null) ?? null,
    revokedAt: (row.revoked_at as Date | null) ?? null,
  };
}

const COLUMNS = 'id, user_id, operator, name, hint, created_at, last_used_at, revoked_at';

/** Makes a key for a user (or an operator key when `userId` is null); the key is returned once. */
export async function createApiKey(
  db: SqlExecutor,
  owner: { userId: string } | { operator: true },
  name: string,
): Promise<{ record: ApiKeyRecord; key: string }> {
  const { key, hash, hint } = generateApiKey();
  const userId = 'userId' in owner ? owner.userId : null;
  const [row] = await db.query(
    `INSERT INTO api_keys (id, user_id, operator, name, hint, key_hash) VALUES ($1::uuid, $2, $3, $4, $5, $6)
     RETURNING ${COLUMNS}`,
    [uuidv7(), userId, userId === null, name, hint, hash],
  );
  return { record: toRecord(row!), key };
}

export async function listApiKeys(db: SqlExecutor, userId?: string): Promise<ApiKeyRecord[]> {
  const rows =
    userId === undefined
      ? await db.query(`SELECT ${COLUMNS} FROM api_keys ORDER BY created_at, id`)
      : await db.query(`SELECT ${COLUMNS} FROM api_keys WHERE user_id = $1 ORDER BY created_at, id`, [
          userId,
        ]);
  return rows.map(toRecord);
}

/** Revokes a key at once; undefined when there is no such key. Revoking twice keeps the first time. */
export async function revokeApiKey(db: SqlExecutor, id: string): Promise<ApiKeyRecord | undefined> {
  const [row] = await db.query(
    `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1::uuid RETURNING ${COLUMNS}`,
    [id],
  );
  return row ? toRecord(row) : undefined;
}

/**
 * The principal a presented key stands for, or undefined when it is unknown or revoked (read by
 * every request with a key: kept prepared).
 */
export async function principalForKey(db: SqlExecutor, key: string): Promise<Principal | undefined> {
  const [row] = await db.query(
    `SELECT id, user_id, operator FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
    [hashApiKey(key)],
    { prepared: true },
  );
  if (!row) return undefined;
  const keyId = row.id as string;
  return row.operator ? { kind: 'operator', keyId } : { kind: 'user', userId: row.user_id as string, keyId };
}

/** Notes when a key was last used (at most about once a minute per key). */
export async function touchApiKey(db: SqlExecutor, id: string): Promise<void> {
  await db.query(
    `UPDATE api_keys SET last_used_at = now()
     WHERE id = $1::uuid AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
    [id],
  );
}

/** How many keys a user was given and how many of them still work (not revoked). */
export async function countUserKeys(
  db: SqlExecutor,
  userId: string,
): Promise<{ issued: number; active: number }> {
  const [row] = await db.query<{ issued: number; active: number }>(
    `SELECT count(*)::int AS issued, (count(*) FILTER (WHERE revoked_at IS NULL))::int AS active
       FROM api_keys WHERE user_id = $1`,
    [userId],
  );
  return { issued: row?.issued ?? 0, active: row?.active ?? 0 };
}
