import type { SqlExecutor } from '../../services/db/database.js';

/**
 * When this installation last used each image it pulled or built, per Docker engine (table
 * image_uses): the housekeeper evicts the least recently used first (src/worker/housekeeper.ts).
 */

export async function recordImageUse(db: SqlExecutor, engineId: string, ref: string): Promise<void> {
  await db.query(
    `INSERT INTO image_uses (engine_id, ref) VALUES ($1, $2)
     ON CONFLICT (engine_id, ref) DO UPDATE SET last_used_at = now()`,
    [engineId, ref],
  );
}

/** The images used on an engine, the most recently used first, with whether they were used lately. */
export async function listImageUses(
  db: SqlExecutor,
  engineId: string,
  recentSeconds: number,
): Promise<{ ref: string; recent: boolean }[]> {
  return db.query<{ ref: string; recent: boolean }>(
    `SELECT ref, last_used_at > now() - make_interval(secs => $2::int) AS recent
     FROM image_uses WHERE engine_id = $1 ORDER BY last_used_at DESC, ref`,
    [engineId, recentSeconds],
  );
}

export async function forgetImageUse(db: SqlExecutor, engineId: string, ref: string): Promise<void> {
  await db.query('DELETE FROM image_uses WHERE engine_id = $1 AND ref = $2', [engineId, ref]);
}
