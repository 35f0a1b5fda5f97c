import { describe, expect, it } from 'vitest';
import { readMigrations } from '../../services/db/migrate.js';
import { migrationProblems, REVIEWED_MIGRATIONS } from '../../services/db/migration-rules.js';

const problemsOf = (sql: string) => migrationProblems({ name: '999_example.sql', sql }).map((p) => p.problem);

describe('the expand/contract rule for migrations', () => {
  it('holds for every migration, but the reviewed ones', async () => {
    const migrations = await readMigrations();
    expect(migrations.flatMap((m) => migrationProblems(m))).toEqual([]);
    // Each reviewed migration exists and still breaks the rule: the list carries nothing stale.
    for (const name of REVIEWED_MIGRATIONS.keys()) {
      const migration = migrations.find((m) => m.name === name);
      expect(migration, name).toBeDefined();
      expect(migrationProblems(migration!, new Map()), name).not.toEqual([]);
    }
  });

  it('refuses a NOT NULL column added without a default', () => {
    expect(problemsOf('ALTER TABLE runs ADD COLUMN size bigint NOT NULL')).toEqual([
      expect.stringMatching(/NOT NULL column without a DEFAULT/),
    ]);
    expect(problemsOf('alter table runs add size bigint not null references x (id)')).toHaveLength(1);
    // One clause's default does not excuse another's NOT NULL.
    expect(
      problemsOf('ALTER TABLE runs ADD COLUMN a int NOT NULL DEFAULT 0, ADD COLUMN b int NOT NULL'),
    ).toHaveLength(1);
  });

  it('lets additive changes through: nullable columns, defaults, new tables, indexes, relaxed constraints', () => {
    expect(
      problemsOf(`
        -- a comment saying DROP TABLE runs or RENAME is not code
        ALTER TABLE runs ADD COLUMN a int;
        ALTER TABLE runs ADD COLUMN b int NOT NULL DEFAULT 0;
        ALTER TABLE runs ADD COLUMN c uuid GENERATED ALWAYS AS (coalesce(job_id, workflow_id)) STORED NOT NULL;
        ALTER TABLE runs ADD CONSTRAINT x CHECK (a IS NOT NULL) NOT VALID;
        ALTER TABLE runs ALTER COLUMN job_id DROP NOT NULL;
        ALTER TABLE runs DROP CONSTRAINT runs_trigger_check;
        CREATE TABLE t (id uuid PRIMARY KEY, name text NOT NULL);
        CREATE INDEX t_by_name ON t (name);
        DROP INDEX runs_queued;
        INSERT INTO t (id, name) VALUES (gen_random_uuid(), 'DROP TABLE t; RENAME')`),
    ).toEqual([]);
  });

  it('refuses drops, renames, type changes and tightened columns', () => {
    for (const sql of [
      'DROP TABLE runs',
      'DROP TABLE IF EXISTS runs',
      'ALTER TABLE runs DROP COLUMN size',
      'ALTER TABLE runs DROP size',
      'ALTER TABLE runs RENAME COLUMN size TO bytes',
      'ALTER TABLE runs RENAME TO jobs_runs',
      'ALTER TABLE runs ALTER COLUMN size TYPE text',
      'ALTER TABLE runs ALTER COLUMN size SET DATA TYPE text',
      'ALTER TABLE runs ALTER COLUMN size SET NOT NULL',
      'ALTER TABLE runs ALTER COLUMN size DROP DEFAULT',
    ]) {
      expect(problemsOf(sql), sql).toHaveLength(1);
    }
  });

  it('lets a reviewed migration through, and only that one', () => {
    const reviewed = new Map([['999_example.sql', 'a contract step: nothing reads runs.size since 0.9']]);
    const drop = { name: '999_example.sql', sql: 'ALTER TABLE runs DROP COLUMN size' };
    expect(migrationProblems(drop, reviewed)).toEqual([]);
    expect(migrationProblems({ ...drop, name: '998_other.sql' }, reviewed)).toHaveLength(1);
  });
});
