import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../services/db/database.js';
import { createPgDatabase } from '../../services/db/pg-database.js';
import { principalForKey } from '../../src/auth/key-repository.js';
import { freePort } from '../support/free-port.js';
import { databaseEnv } from '../support/database-driver.js';
import { createTestDatabase } from '../support/harness.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');

/** `npm run keys -- <args>`, as an operator would type it. */
async function keys(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/keys-cli.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const keyIn = (text: string) => /(tds_[A-Za-z0-9_-]{43})/.exec(text)?.[1];

describe('npm run keys', () => {
  let url: string;
  let db: Database;
  /** The database's settings for the driver under test: DATABASE_URL, or the RDS Data API's. */
  let database: Awaited<ReturnType<typeof databaseEnv>>;
  beforeAll(async () => {
    url = await createTestDatabase();
    database = await databaseEnv(url);
    db = createPgDatabase(url, pino({ level: 'silent' }), { poolSize: 2 });
  });
  afterAll(async () => {
    await db?.close();
    await database?.close();
  });

  it('creates, lists and revokes keys in the service database (DATABASE_URL, or the RDS Data API)', async () => {
    const created = await keys(['create', '--user', 'akhil-test', '--name', 'frontend'], database.env);
    expect(created.code).toBe(0);
    const key = keyIn(created.stdout)!;
    expect(key).toBeDefined();
    expect(await principalForKey(db, key)).toMatchObject({ kind: 'user', userId: 'akhil-test' });

    const operator = keyIn((await keys(['create', '--operator'], database.env)).stdout)!;
    expect(await principalForKey(db, operator)).toMatchObject({ kind: 'operator' });

    const listed = await keys(['list'], database.env);
    expect(listed.stdout).toContain('user=akhil-test');
    expect(listed.stdout).toContain('operator');
    expect(listed.stdout).not.toContain(key);
    expect(listed.stdout).not.toContain(operator);

    const keyId = /Created key ([0-9a-f-]{36})/.exec(created.stdout)![1]!;
    const revoked = await keys(['revoke', keyId], database.env);
    expect(revoked.code).toBe(0);
    expect(await principalForKey(db, key)).toBeUndefined();
    expect((await keys(['list', '--user', 'akhil-test'], database.env)).stdout).toContain('REVOKED');

    // Each change is in the audit log, as the machine's account on its host; never the key.
    const audited = await db.query<Record<string, unknown>>(
      `SELECT actor_kind, actor_key_id, actor_user_id, address, action, target_id, owner_id, summary::text AS summary
       FROM audit_log ORDER BY id`,
    );
    expect(audited.map((row) => [row.action, row.target_id, row.owner_id])).toEqual([
      ['api_key.created', keyId, 'akhil-test'],
      ['api_key.created', expect.any(String), null],
      ['api_key.revoked', keyId, 'akhil-test'],
    ]);
    for (const row of audited) {
      expect(row).toMatchObject({
        actor_kind: 'cli',
        actor_key_id: null,
        actor_user_id: os.userInfo().username,
      });
      expect(row.address).toBe(os.hostname());
      expect(row.summary).not.toContain(key.slice(4));
      expect(row.summary).not.toContain(operator.slice(4));
    }
  });

  it('explains how to use it when the command is wrong', async () => {
    for (const args of [
      ['create'],
      ['create', '--user', 'a', '--operator'],
      ['revoke', 'nope'],
      ['frobnicate'],
    ]) {
      const answer = await keys(args, database.env);
      expect(answer.code, args.join(' ')).toBe(2);
      expect(answer.stderr).toContain('npm run keys -- create --user <userId>');
    }
  });

  it('works on the embedded database when the service is not running', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tds-keys-'));
    await chmod(dataDir, 0o755);
    try {
      const env = { TDS_DATA_DIR: dataDir, TDS_PG_PORT: String(await freePort()) };
      const created = await keys(['create', '--user', 'local-user'], env);
      expect(created.code, created.stderr).toBe(0);
      expect(keyIn(created.stdout)).toBeDefined();
      expect((await keys(['list'], env)).stdout).toContain('user=local-user');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
