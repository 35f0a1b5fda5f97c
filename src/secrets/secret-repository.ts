import type { SqlExecutor } from '../../services/db/database.js';

/** Every statement on the secrets table. */

export interface SecretRow {
  name: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface SealedSecret {
  name: string;
  sealed: string;
  keyId: string;
}

const asDate = (value: unknown) => (value instanceof Date ? value : new Date(String(value)));

/**
 * Stores a sealed value under its name: a new name only while the user has fewer than `maxCount`
 * secrets; a name the user has is replaced whatever the count. The user's secrets are locked for
 * the transaction (an advisory lock on the userId), so two requests at once cannot both take the
 * last place: run it in a transaction (`tx`), which also holds its audit record. Undefined when the
 * cap refused a new name.
 */
export async function putSecret(
  tx: SqlExecutor,
  userId: string,
  secret: SealedSecret,
  maxCount: number,
): Promise<{ row: SecretRow; created: boolean } | undefined> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('tds.secrets:' || $1, 0))`, [userId]);
  const [row] = await tx.query<{ name: string; created_at: Date; updated_at: Date; created: boolean }>(
    `INSERT INTO secrets (user_id, name, sealed, key_id)
     SELECT $1, $2, $3, $4
     WHERE EXISTS (SELECT 1 FROM secrets WHERE user_id = $1 AND name = $2)
        OR (SELECT count(*) FROM secrets WHERE user_id = $1) < $5::integer
     ON CONFLICT (user_id, name) DO UPDATE
       SET sealed = EXCLUDED.sealed, key_id = EXCLUDED.key_id, updated_at = now()
     RETURNING name, created_at, updated_at, (xmax = 0) AS created`,
    [userId, secret.name, secret.sealed, secret.keyId, maxCount],
  );
  if (!row) return undefined;
  return {
    row: { name: row.name, createdAt: asDate(row.created_at), updatedAt: asDate(row.updated_at) },
    created: row.created === true,
  };
}

/** The user's secrets, by name: names and dates only, never a value. */
export async function listSecrets(db: SqlExecutor, userId: string): Promise<SecretRow[]> {
  const rows = await db.query<{ name: string; created_at: Date; updated_at: Date }>(
    'SELECT name, created_at, updated_at FROM secrets WHERE user_id = $1 ORDER BY name',
    [userId],
  );
  return rows.map((r) => ({
    name: r.name,
    createdAt: asDate(r.created_at),
    updatedAt: asDate(r.updated_at),
  }));
}

/** Whether it was there to delete. */
export async function deleteSecret(db: SqlExecutor, userId: string, name: string): Promise<boolean> {
  const rows = await db.query('DELETE FROM secrets WHERE user_id = $1 AND name = $2 RETURNING name', [
    userId,
    name,
  ]);
  return rows.length > 0;
}

/** Which of `names` the user has. */
export async function existingSecretNames(
  db: SqlExecutor,
  userId: string,
  names: readonly string[],
): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const rows = await db.query<{ name: string }>(
    'SELECT name FROM secrets WHERE user_id = $1 AND name = ANY($2::text[])',
    [userId, [...names]],
  );
  return new Set(rows.map((r) => r.name));
}

/** The sealed values of those of `names` the user has. */
export async function sealedSecrets(
  db: SqlExecutor,
  userId: string,
  names: readonly string[],
): Promise<SealedSecret[]> {
  if (names.length === 0) return [];
  const rows = await db.query<{ name: string; sealed: string; key_id: string }>(
    'SELECT name, sealed, key_id FROM secrets WHERE user_id = $1 AND name = ANY($2::text[])',
    [userId, [...names]],
  );
  return rows.map((r) => ({ name: r.name, sealed: r.sealed, keyId: r.key_id }));
}
