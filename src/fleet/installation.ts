import { randomUUID } from 'node:crypto';
import type { SqlExecutor } from '../../services/db/database.js';

/**
 * This installation's identity: a random id made by the first service to start on the database and
 * kept there (migration 037), the same for every process and host that shares the database and
 * different for any other installation, whatever their worker ids. It labels every container,
 * image and network the service makes (tds.installation), so that installations sharing a Docker
 * engine never remove or adopt each other's.
 */
export async function loadInstallationId(db: SqlExecutor): Promise<string> {
  await db.query('INSERT INTO installation (id) VALUES ($1::uuid) ON CONFLICT (only_row) DO NOTHING', [
    randomUUID(),
  ]);
  const [row] = await db.query<{ id: string }>('SELECT id FROM installation');
  return row!.id;
}
