import type { SqlExecutor } from '../../services/db/database.js';
import { formatBucketGrant, parseBucketGrant, type BucketGrant, type Ceilings } from './policy.js';

/** What an operator has set for a user; null ceilings fall back to the operator's defaults. */
export interface UserSettings {
  userId: string;
  allowedBuckets: BucketGrant[];
  maxCpus: number | null;
  maxMemoryMb: number | null;
  maxTimeoutSeconds: number | null;
  maxConcurrentRuns: number | null;
}

export type UserSettingsChange = Partial<Omit<UserSettings, 'userId'>>;

function toSettings(row: Record<string, unknown>): UserSettings {
  const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    userId: row.user_id as string,
    allowedBuckets: (row.allowed_buckets as string[]).map(parseBucketGrant),
    maxCpus: num(row.max_cpus),
    maxMemoryMb: num(row.max_memory_mb),
    maxTimeoutSeconds: num(row.max_timeout_seconds),
    maxConcurrentRuns: num(row.max_concurrent_runs),
  };
}

/** The columns toSettings reads. */
const USER_COLUMNS =
  'user_id, allowed_buckets, max_cpus, max_memory_mb, max_timeout_seconds, max_concurrent_runs';

/** A user's settings (read at every submit: kept prepared). */
export async function getUserSettings(db: SqlExecutor, userId: string): Promise<UserSettings | undefined> {
  const [row] = await db.query(`SELECT ${USER_COLUMNS} FROM users WHERE user_id = $1`, [userId], {
    prepared: true,
  });
  return row ? toSettings(row) : undefined;
}

export async function listUserSettings(db: SqlExecutor): Promise<UserSettings[]> {
  return (await db.query(`SELECT ${USER_COLUMNS} FROM users ORDER BY user_id`)).map(toSettings);
}

/** Creates or updates a user's settings; fields left out keep their value (null clears a ceiling). */
export async function putUserSettings(
  db: SqlExecutor,
  userId: string,
  change: UserSettingsChange,
): Promise<UserSettings> {
  const buckets = change.allowedBuckets?.map(formatBucketGrant) ?? null;
  const keep = (field: keyof UserSettingsChange) => change[field] === undefined;
  const [row] = await db.query(
    `INSERT INTO users (user_id, allowed_buckets, max_cpus, max_memory_mb, max_timeout_seconds, max_concurrent_runs)
     VALUES ($1, coalesce($2::text[], '{}'), $3, $4, $5, $6)
     ON CONFLICT (user_id) DO UPDATE SET
       allowed_buckets = coalesce($2::text[], users.allowed_buckets),
       max_cpus = CASE WHEN $7 THEN users.max_cpus ELSE $3 END,
       max_memory_mb = CASE WHEN $8 THEN users.max_memory_mb ELSE $4 END,
       max_timeout_seconds = CASE WHEN $9 THEN users.max_timeout_seconds ELSE $5 END,
       max_concurrent_runs = CASE WHEN $10 THEN users.max_concurrent_runs ELSE $6 END,
       updated_at = now()
     RETURNING ${USER_COLUMNS}`,
    [
      userId,
      buckets,
      change.maxCpus ?? null,
      change.maxMemoryMb ?? null,
      change.maxTimeoutSeconds ?? null,
      change.maxConcurrentRuns ?? null,
      keep('maxCpus'),
      keep('maxMemoryMb'),
      keep('maxTimeoutSeconds'),
      keep('maxConcurrentRuns'),
    ],
  );
  return toSettings(row!);
}

/** The ceilings that apply to a user: theirs where set, the operator's defaults elsewhere. */
export function effectiveCeilings(defaults: Ceilings, settings: UserSettings | undefined): Ceilings {
  return {
    maxCpus: settings?.maxCpus ?? defaults.maxCpus,
    maxMemoryMb: settings?.maxMemoryMb ?? defaults.maxMemoryMb,
    maxDiskMb: defaults.maxDiskMb,
    maxGpus: defaults.maxGpus,
    maxTimeoutSeconds: settings?.maxTimeoutSeconds ?? defaults.maxTimeoutSeconds,
    maxConcurrentRuns: settings?.maxConcurrentRuns ?? defaults.maxConcurrentRuns,
  };
}
