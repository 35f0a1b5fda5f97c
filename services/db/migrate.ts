import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.js';
import { splitStatements } from './sql-text.js';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

/** Any constant works; it only has to be the same for every instance of the service. */
const MIGRATION_LOCK_KEY = 7_215_310_042;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The database holds migrations this code does not know: newer code migrated it. Running on it
 * could misread or damage what the newer code wrote, so the service refuses to start.
 */
export class UnknownMigrationsError extends Error {
  constructor(readonly unknown: { version: number; name: string }[]) {
    super(
      `the database was migrated by a newer version of the service: it has ${unknown.length === 1 ? 'migration' : 'migrations'} ` +
        `${unknown.map((m) => `${m.version} (${m.name})`).join(', ')}, which this version does not know. ` +
        'Run the newer version of the service, or restore the database from a backup taken before it was migrated.',
    );
    this.name = 'UnknownMigrationsError';
  }

  get versions(): number[] {
    return this.unknown.map((m) => m.version);
  }
}

/** The database lacks migrations this code needs, and the service was not told to apply them. */
export class DatabaseBehindError extends Error {
  constructor(readonly pending: { version: number; name: string }[]) {
    super(
      `the database is behind this version of the service: ${pending.length === 1 ? 'migration' : `${pending.length} migrations`} ` +
        `${listed(pending)} ${pending.length === 1 ? 'is' : 'are'} not applied. Apply ${pending.length === 1 ? 'it' : 'them'} as a deploy step with ` +
        '`npm run migrate` (the service image: `docker run … task-deploy-service migrate`), then start the service again; ' +
        'or set TDS_MIGRATE=auto to let the service apply them as it starts.',
    );
    this.name = 'DatabaseBehindError';
  }
}

/**
 * A migration's statement waited past the migration lock timeout for a table's lock (traffic held
 * it): nothing of the migrations was kept, and the traffic never queued behind it for long.
 */
export class MigrationLockTimeoutError extends Error {
  constructor(
    readonly migration: string,
    readonly lockTimeoutMs: number,
    cause: unknown,
  ) {
    super(
      `migration ${migration} could not take a lock it needs within ${lockTimeoutMs} ms (TDS_MIGRATION_LOCK_TIMEOUT_MS): ` +
        'other transactions held it. Nothing was applied; run the migration again at a quieter moment, or raise TDS_MIGRATION_LOCK_TIMEOUT_MS.',
      { cause },
    );
    this.name = 'MigrationLockTimeoutError';
  }
}

function listed(migrations: { version: number; name: string }[]): string {
  const shown = migrations.slice(0, 5).map((m) => `${m.version} (${m.name})`);
  if (migrations.length > shown.length) shown.push(`and ${migrations.length - shown.length} more`);
  return shown.join(', ');
}

export interface MigrateOptions {
  /** How long a statement of a migration waits for a lock; a wait past it fails the migration. */
  lockTimeoutMs?: number;
}

export const DEFAULT_MIGRATION_LOCK_TIMEOUT_MS = 5_000;

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d+_[\w-]+\.sql$/.test(f)).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const version = Number(file.split('_')[0]);
    if (migrations.some((m) => m.version === version)) {
      throw new Error(`two migrations share version ${version} (${file})`);
    }
    migrations.push({ version, name: file, sql: await readFile(path.join(dir, file), 'utf8') });
  }
  return migrations;
}

/**
 * Applies the migrations not applied yet, in one transaction under a transaction-scoped advisory
 * lock (it needs no session of its own, so it holds under the RDS Data API too), so that
 * instances starting together migrate once: the second waits, then finds nothing to do.
 * Each migration's version row is inserted before its SQL runs, inside the same transaction.
 * A database that holds a migration not among `migrations` is refused (UnknownMigrationsError),
 * before anything is applied.
 */
export async function migrate(
  db: Database,
  migrations?: Migration[],
  options: MigrateOptions = {},
): Promise<number[]> {
  const pending = migrations ?? (await readMigrations());
  const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_MIGRATION_LOCK_TIMEOUT_MS;
  return db.transaction(async (tx) => {
    // Waiting for another instance that is migrating is right, however long its migrations take;
    // so is a migration that runs long (an index on a big table). A wait for a table's lock is not:
    // every statement of the application's traffic would queue behind the migration's.
    await tx.query('SET LOCAL lock_timeout = 0');
    await tx.query('SET LOCAL statement_timeout = 0');
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(lockTimeoutMs))}`);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version integer PRIMARY KEY,
         name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const rows = await tx.query<{ version: number; name: string }>(
      'SELECT version, name FROM schema_migrations ORDER BY version',
    );
    const known = new Set(pending.map((m) => m.version));
    const unknown = rows.filter((r) => !known.has(r.version));
    if (unknown.length > 0) throw new UnknownMigrationsError(unknown);
    const applied = new Set(rows.map((r) => r.version));
    const done: number[] = [];
    for (const migration of pending) {
      if (applied.has(migration.version)) continue;
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      // One statement per call: the RDS Data API runs no more.
      for (const statement of splitStatements(migration.sql)) {
        await tx.query(statement).catch((error: unknown) => {
          // SQLSTATE 55P03 lock_not_available: lock_timeout ran out.
          if ((error as { code?: string }).code === '55P03') {
            throw new MigrationLockTimeoutError(migration.name, lockTimeoutMs, error);
          }
          throw error;
        });
      }
      done.push(migration.version);
    }
    return done;
  });
}

/**
 * The migrations `migrations` holds that the database has not applied, without applying any; a
 * database that holds a migration not among them is refused (UnknownMigrationsError).
 */
export async function pendingMigrations(db: Database, migrations?: Migration[]): Promise<Migration[]> {
  const known = migrations ?? (await readMigrations());
  const [table] = await db.query<{ exists: boolean }>(
    "SELECT to_regclass('schema_migrations') IS NOT NULL AS exists",
  );
  if (!table?.exists) return known;
  const rows = await db.query<{ version: number; name: string }>(
    'SELECT version, name FROM schema_migrations ORDER BY version',
  );
  const versions = new Set(known.map((m) => m.version));
  const unknown = rows.filter((r) => !versions.has(r.version));
  if (unknown.length > 0) throw new UnknownMigrationsError(unknown);
  const applied = new Set(rows.map((r) => r.version));
  return known.filter((m) => !applied.has(m.version));
}
