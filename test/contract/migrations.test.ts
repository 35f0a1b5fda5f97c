import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { pino } from 'pino';
import {
  DatabaseBehindError,
  MigrationLockTimeoutError,
  migrate,
  pendingMigrations,
  readMigrations,
  UnknownMigrationsError,
} from '../../services/db/migrate.js';
import { loadConfig } from '../../src/config.js';
import { migrateDatabase } from '../../src/service.js';
import { ACTIVE_STATES, FAILED_STATES, UNFINISHED_STATES } from '../../src/runs/run-states.js';
import { StartupError } from '../../src/startup-error.js';
import { connectTestDatabase, databaseEnv } from '../support/database-driver.js';
import { startTestService, uniqueName } from '../support/harness.js';

async function emptyDatabase(): Promise<string> {
  const name = uniqueName('tds_migrate').replace(/-/g, '_');
  const admin = new pg.Client({ connectionString: inject('postgresUrl') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(inject('postgresUrl'));
  url.pathname = `/${name}`;
  return url.toString();
}

describe('migrations', () => {
  it('are applied once when several instances start together', async () => {
    const url = await emptyDatabase();
    const instances = [1, 2, 3, 4].map(() => connectTestDatabase(url));
    const results = await Promise.all(instances.map((db) => migrate(db)));
    const versions = (await readMigrations()).map((m) => m.version);
    expect(results.flat().sort((a, b) => a - b)).toEqual(versions);
    expect(results.filter((applied) => applied.length > 0)).toHaveLength(1);
    const rows = await instances[0]!.query<{ version: number }>(
      'SELECT version FROM schema_migrations ORDER BY 1',
    );
    expect(rows.map((r) => r.version)).toEqual(versions);
    expect(await migrate(instances[1]!)).toEqual([]);
    await Promise.all(instances.map((db) => db.close()));
  });

  it('index runs by the state groups of the code, so that a query using a group can use its index', async () => {
    const db = connectTestDatabase(await emptyDatabase());
    await migrate(db);
    const rows = await db.query<{ indexname: string; indexdef: string }>(
      "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'runs' AND indexdef LIKE '%state%= ANY%'",
    );
    const statesOf = (name: string) => {
      const def = rows.find((r) => r.indexname === name)?.indexdef ?? '';
      return [...def.matchAll(/'([a-z_]+)'::text/g)].map((m) => m[1]).sort();
    };
    expect(statesOf('runs_unfinished_by_workflow_run')).toEqual([...UNFINISHED_STATES].sort());
    expect(statesOf('runs_active_by_user')).toEqual([...ACTIVE_STATES].sort());
    expect(statesOf('runs_failed_by_end')).toEqual([...FAILED_STATES].sort());
    await db.close();
  });

  it('roll back entirely when one fails, leaving no version recorded', async () => {
    const url = await emptyDatabase();
    const db = connectTestDatabase(url);
    const broken = [
      { version: 1, name: '001_ok.sql', sql: 'CREATE TABLE a (x int)' },
      { version: 2, name: '002_broken.sql', sql: 'CREATE TABLE b (x nosuchtype)' },
    ];
    await expect(migrate(db, broken)).rejects.toThrow(/nosuchtype/);
    const tables = await db.query(
      "SELECT 1 FROM information_schema.tables WHERE table_name IN ('a', 'schema_migrations')",
    );
    expect(tables).toEqual([]);
    await db.close();
  });

  it('refuse a database migrated by newer code, naming what they do not know, and apply nothing', async () => {
    const url = await emptyDatabase();
    const db = connectTestDatabase(url);
    const known = await readMigrations();
    const last = known[known.length - 1]!;
    await migrate(db, known.slice(0, -1));
    await db.query("INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_from_newer_code.sql')");

    const refusal = await migrate(db).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(UnknownMigrationsError);
    expect((refusal as UnknownMigrationsError).versions).toEqual([9999]);
    expect((refusal as Error).message).toContain('9999 (9999_from_newer_code.sql)');
    expect((refusal as Error).message).toMatch(/newer version of the service.*restore the database/s);
    const versions = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY 1');
    expect(versions.map((r) => r.version)).not.toContain(last.version);

    const start = await startTestService({ databaseUrl: url, roles: ['api'] }).catch(
      (error: unknown) => error,
    );
    expect(start).toBeInstanceOf(StartupError);
    expect((start as Error).message).toContain('9999 (9999_from_newer_code.sql)');
    expect((start as Error).cause).toBeInstanceOf(UnknownMigrationsError);
    await db.close();
  });

  it('fail a migration that cannot take its lock in time, clearly and keeping nothing of it, instead of queueing traffic behind it', async () => {
    const url = await emptyDatabase();
    const db = connectTestDatabase(url);
    const first = { version: 1, name: '001_table.sql', sql: 'CREATE TABLE a (x int)' };
    const second = { version: 2, name: '002_column.sql', sql: 'ALTER TABLE a ADD COLUMN y int' };
    await migrate(db, [first]);

    // Traffic: a transaction reading the table holds a lock that ALTER TABLE must wait for.
    const traffic = new pg.Client({ connectionString: url });
    await traffic.connect();
    await traffic.query('BEGIN');
    await traffic.query('SELECT * FROM a');
    const started = Date.now();
    const refusal = await migrate(db, [first, second], { lockTimeoutMs: 300 }).catch(
      (error: unknown) => error,
    );
    const waited = Date.now() - started;
    expect(refusal).toBeInstanceOf(MigrationLockTimeoutError);
    expect((refusal as Error).message).toContain('migration 002_column.sql could not take a lock');
    expect((refusal as Error).message).toContain('TDS_MIGRATION_LOCK_TIMEOUT_MS');
    expect(((refusal as Error).cause as { code?: string }).code).toBe('55P03');
    expect(waited).toBeLessThan(10_000);
    expect(await pendingMigrations(db, [first, second])).toEqual([second]);
    // Traffic goes on while the migration is refused: the table was never locked for long.
    await traffic.query('SELECT * FROM a');
    await traffic.query('COMMIT');

    expect(await migrate(db, [first, second], { lockTimeoutMs: 300 })).toEqual([2]);
    await traffic.end();
    await db.close();
  });

  it('say which migrations a database lacks without applying them, and refuse one migrated by newer code', async () => {
    const url = await emptyDatabase();
    const db = connectTestDatabase(url);
    const known = await readMigrations();
    expect(await pendingMigrations(db)).toEqual(known);
    await migrate(db, known.slice(0, 3));
    expect((await pendingMigrations(db)).map((m) => m.version)).toEqual(known.slice(3).map((m) => m.version));
    const tables = await db.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'workflows'");
    expect(tables).toEqual([]);
    await db.query("INSERT INTO schema_migrations (version, name) VALUES (9998, '9998_newer.sql')");
    await expect(pendingMigrations(db)).rejects.toBeInstanceOf(UnknownMigrationsError);
    await db.close();
  });

  it('keep the service from starting on a database behind it unless told to migrate, naming the command that does', async () => {
    const url = await emptyDatabase();
    const db = connectTestDatabase(url);
    const known = await readMigrations();
    await migrate(db, known.slice(0, -1));
    const last = known[known.length - 1]!;

    const start = await startTestService({ databaseUrl: url, roles: ['api'] }).catch(
      (error: unknown) => error,
    );
    expect(start).toBeInstanceOf(StartupError);
    expect((start as Error).cause).toBeInstanceOf(DatabaseBehindError);
    expect((start as Error).message).toContain(`${last.version} (${last.name})`);
    expect((start as Error).message).toContain('npm run migrate');
    expect((start as Error).message).toContain('TDS_MIGRATE=auto');
    expect(await pendingMigrations(db)).toEqual([last]);

    // The deploy step: the same configuration, migrated by the command.
    const database = await databaseEnv(url);
    const config = loadConfig({ ...database.env, TDS_DATA_DIR: '/nonexistent-not-used' });
    expect(config.database.migrate).toBe('never');
    expect(await migrateDatabase(config, pino({ level: 'silent' }))).toEqual([last.version]);
    expect(await migrateDatabase(config, pino({ level: 'silent' }))).toEqual([]);
    expect(await pendingMigrations(db)).toEqual([]);
    await database.close();
    await db.close();
  });
});
