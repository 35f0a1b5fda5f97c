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
export async function migrate(db: Database, migrations?: Migration[]): Promise<number[]> {
  const pending = migrations ?? (await readMigrations());
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
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
      for (const statement of splitStatements(migration.sql)) await tx.query(statement);
      done.push(migration.version);
    }
    return done;
  });
}
