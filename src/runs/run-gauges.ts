import type { SqlExecutor } from '../../services/db/database.js';
import { RUN_STATES, type RunState } from './run-states.js';

/** Every run in the database by state (ended runs until housekeeping prunes them), each state present. */
export async function countRunsByState(db: SqlExecutor): Promise<Record<RunState, number>> {
  const rows = await db.query<{ state: RunState; n: string | number }>(
    'SELECT state, count(*) AS n FROM runs GROUP BY state',
  );
  const counts = Object.fromEntries(RUN_STATES.map((state) => [state, 0])) as Record<RunState, number>;
  for (const row of rows) counts[row.state] = Number(row.n);
  return counts;
}

/** How long the oldest queued run that is due now has waited, in seconds; 0 when none waits. */
export async function oldestQueuedRunAgeSeconds(db: SqlExecutor): Promise<number> {
  const [row] = await db.query<{ age: string | number | null }>(
    `SELECT extract(epoch FROM now() - min(queued_at)) AS age FROM runs
     WHERE state = 'queued' AND (not_before IS NULL OR not_before <= now())`,
  );
  return Math.max(0, Number(row?.age ?? 0));
}
