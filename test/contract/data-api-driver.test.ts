import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { DataApiQueryError, DataApiUnavailableError } from '../../services/aws/data-api-errors.js';
import { createRdsDataClient, createRdsDataDatabase } from '../../services/aws/rds-data-database.js';
import type { Database } from '../../services/db/database.js';
import { createPgDatabase } from '../../services/db/pg-database.js';
import { startDataApiServer, type DataApiServer } from '../support/data-api-server.js';
import { TEST_CLUSTER_ARN, TEST_SECRET_ARN } from '../support/database-driver.js';
import { createTestDatabase } from '../support/harness.js';

/**
 * The Data API driver through the real @aws-sdk/client-rds-data client, over HTTP, to the local
 * Data API endpoint running every statement on the suite's Postgres; compared with `pg` on the
 * same database.
 */
const logger = pino({ level: 'silent' });
const fastRetry = { maxElapsedMs: 3_000, firstDelayMs: 20, maxDelayMs: 200 };
let server: DataApiServer;
let url: string;
let pgDb: Database;
let dataApi: Database;

function connect(options: { secretArn?: string } = {}): Database {
  const client = createRdsDataClient({ region: 'us-east-1', endpoint: server.endpoint });
  const database = new URL(url).pathname.slice(1);
  return createRdsDataDatabase(
    client,
    { resourceArn: TEST_CLUSTER_ARN, secretArn: options.secretArn ?? TEST_SECRET_ARN, database },
    logger,
    fastRetry,
  );
}

beforeAll(async () => {
  url = await createTestDatabase();
  const base = new URL(url);
  base.pathname = '/postgres';
  server = await startDataApiServer({
    postgresUrl: base.toString(),
    resourceArn: TEST_CLUSTER_ARN,
    secretArn: TEST_SECRET_ARN,
    statementTimeoutMs: 500,
  });
  pgDb = createPgDatabase(url, logger);
  dataApi = connect();
  await pgDb.query(`CREATE TABLE samples (
    id int PRIMARY KEY, label text, big bigint, flag boolean, at timestamptz, doc jsonb, tags text[],
    ids uuid[], times timestamptz[], counts bigint[], amount numeric, bytes bytea, ratio float8, day date, uid uuid)`);
});

afterAll(async () => {
  await dataApi?.close();
  await pgDb?.close();
  await server?.stop();
});

const callsOf = (operation: string) => server.calls[operation] ?? 0;

describe('types, both ways, as pg maps them', () => {
  const at = new Date('2026-03-29T01:30:00.123Z');
  const sample = [
    2,
    `it's "quoted" $1 :p1 ::text ; -- ünïcödé`,
    '9007199254740993',
    true,
    at,
    JSON.stringify({ nested: { list: [1, 'two', null], big: 1234567890123 }, empty: {} }),
    ['a', 'b"c', 'd\\e', null, 'NULL', ''],
    ['0190b3a1-7c1e-7000-8000-000000000001', '0190b3a1-7c1e-7000-8000-000000000002'],
    [at, null, new Date('1999-12-31T23:59:59.999Z')],
    ['1', '-9007199254740991'],
    '12345678901234567890.0001',
    Buffer.from([0, 1, 254, 255]),
    0.1,
    '2026-02-28',
    '0190b3a1-7c1e-7000-8000-00000000000f',
  ];
  const insert = `INSERT INTO samples VALUES ($1, $2, $3::bigint, $4, $5::timestamptz, $6::jsonb, $7::text[], $8::uuid[],
    $9::timestamptz[], $10::bigint[], $11::numeric, $12, $13, $14::date, $15::uuid) RETURNING *`;

  it('writes and reads every column type exactly as pg does', async () => {
    const viaDataApi = await dataApi.query(insert, sample);
    const viaPg = await pgDb.query(insert.replace('VALUES ($1', 'VALUES ($1 + 1'), sample);
    expect(viaDataApi).toHaveLength(1);
    expect({ ...viaDataApi[0], id: 3 }).toEqual(viaPg[0]);
    expect(viaDataApi[0]).toMatchObject({
      label: sample[1],
      big: '9007199254740993',
      flag: true,
      at,
      doc: { nested: { list: [1, 'two', null] }, empty: {} },
      tags: ['a', 'b"c', 'd\\e', null, 'NULL', ''],
      times: [at, null, new Date('1999-12-31T23:59:59.999Z')],
      counts: ['1', '-9007199254740991'],
      amount: '12345678901234567890.0001',
      bytes: Buffer.from([0, 1, 254, 255]),
      ratio: 0.1,
    });
    const [back] = await dataApi.query('SELECT * FROM samples WHERE id = $1', [2]);
    expect(back).toEqual((await pgDb.query('SELECT * FROM samples WHERE id = $1', [2]))[0]);
  });

  it('reads NULL in every column as null', async () => {
    await pgDb.query('INSERT INTO samples (id) VALUES (10)');
    const [row] = await dataApi.query('SELECT * FROM samples WHERE id = 10');
    expect(row).toEqual((await pgDb.query('SELECT * FROM samples WHERE id = 10'))[0]);
    expect(Object.entries(row!).filter(([key, value]) => key !== 'id' && value !== null)).toEqual([]);
  });

  it('sends integers beyond 2^53 exactly, as a bigint or as text', async () => {
    const [row] = await dataApi.query<{ a: string; b: string; c: boolean }>(
      'SELECT $1::bigint AS a, ($2::bigint + 1)::text AS b, $1::bigint = 9223372036854775807 AS c',
      [9223372036854775807n, '9007199254740992'],
    );
    expect(row).toEqual({ a: '9223372036854775807', b: '9007199254740993', c: true });
  });

  it('keeps timestamps in UTC whatever the session time zone, and reads computed ones', async () => {
    const [row] = await dataApi.query<{ same: boolean; shifted: Date; epoch: number }>(
      `SELECT $1::timestamptz = '2026-03-29 03:30:00.123+02'::timestamptz AS same,
              $1::timestamptz + interval '1 hour' AS shifted,
              extract(epoch FROM $1::timestamptz)::float8 AS epoch`,
      [at],
    );
    expect(row).toEqual({
      same: true,
      shifted: new Date(at.getTime() + 3_600_000),
      epoch: at.getTime() / 1000,
    });
  });

  it('reads booleans, integers and JSON computed by the query, and an empty result', async () => {
    const [row] = await dataApi.query(
      `SELECT 1 = 1 AS yes, count(*)::int AS n, jsonb_build_object('k', $1::text) AS j, ARRAY[1, 2]::int[] AS ints`,
      ['v'],
    );
    expect(row).toEqual({ yes: true, n: 1, j: { k: 'v' }, ints: [1, 2] });
    expect(await dataApi.query('SELECT * FROM samples WHERE false')).toEqual([]);
    expect(await dataApi.query('UPDATE samples SET label = label WHERE false')).toEqual([]);
  });

  it('states types the Data API does not infer: an untyped text parameter is varchar, as on Aurora', async () => {
    await expect(
      dataApi.query('SELECT * FROM samples WHERE uid = $1', ['0190b3a1-7c1e-7000-8000-00000000000f']),
    ).rejects.toThrow(/operator does not exist: uuid = character varying/);
  });
});

describe('transactions', () => {
  it('commits what the function did when it resolves', async () => {
    await dataApi.transaction(async (tx) => {
      await tx.query('INSERT INTO samples (id, label) VALUES ($1, $2)', [20, 'committed']);
      expect(await pgDb.query('SELECT 1 FROM samples WHERE id = 20')).toEqual([]);
    });
    expect(await pgDb.query('SELECT label FROM samples WHERE id = 20')).toEqual([{ label: 'committed' }]);
    expect(server.openTransactions()).toBe(0);
  });

  it('rolls back everything when the function throws, and rethrows', async () => {
    await expect(
      dataApi.transaction(async (tx) => {
        await tx.query('INSERT INTO samples (id, label) VALUES ($1, $2)', [21, 'rolled back']);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await pgDb.query('SELECT 1 FROM samples WHERE id = 21')).toEqual([]);
    expect(server.openTransactions()).toBe(0);
  });

  it('lets two transactions claim different rows with FOR UPDATE SKIP LOCKED', async () => {
    await pgDb.query("INSERT INTO samples (id, label) SELECT g, 'queued' FROM generate_series(30, 33) g");
    const claim = (tx: Parameters<Parameters<Database['transaction']>[0]>[0]) =>
      tx.query<{ id: number }>(
        `UPDATE samples SET label = 'claimed' WHERE id IN (
           SELECT id FROM samples WHERE label = 'queued' ORDER BY id LIMIT 2 FOR UPDATE SKIP LOCKED) RETURNING id`,
      );
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let claimedFirst!: () => void;
    const firstClaimed = new Promise<void>((resolve) => (claimedFirst = resolve));
    const first = dataApi.transaction(async (tx) => {
      const rows = await claim(tx);
      claimedFirst();
      await held;
      return rows.map((r) => r.id).sort();
    });
    // The second claims once the first holds its rows (not after a guessed wait).
    await firstClaimed;
    const second = await dataApi.transaction(async (tx) => (await claim(tx)).map((r) => r.id).sort());
    release();
    expect(await first).toEqual([30, 31]);
    expect(second).toEqual([32, 33]);
  });
});

describe('failures', () => {
  it('tries a statement again while the cluster resumes or throttles, then answers', async () => {
    const before = callsOf('Execute');
    server.failNext('Execute', 'DatabaseResumingException', 2);
    server.failNext('Execute', 'ThrottlingException');
    expect(await dataApi.query('SELECT $1::int AS n', [7])).toEqual([{ n: 7 }]);
    expect(callsOf('Execute') - before).toBe(4);
  });

  it('tries BeginTransaction again while the cluster resumes', async () => {
    server.failNext('BeginTransaction', 'DatabaseResumingException', 2);
    const before = callsOf('BeginTransaction');
    expect(await dataApi.transaction((tx) => tx.query('SELECT 1 AS one'))).toEqual([{ one: 1 }]);
    expect(callsOf('BeginTransaction') - before).toBe(3);
  });

  it('tries a statement that timed out again outside a transaction', async () => {
    server.failNext('Execute', 'StatementTimeoutException');
    expect(await dataApi.query('SELECT 2 AS two')).toEqual([{ two: 2 }]);
  });

  it('gives up on a statement that keeps timing out, naming the failure', async () => {
    const started = Date.now();
    const failure = dataApi.query('SELECT pg_sleep(2)');
    await expect(failure).rejects.toBeInstanceOf(DataApiUnavailableError);
    await expect(failure).rejects.toThrow(/StatementTimeoutException/);
    expect(Date.now() - started).toBeLessThan(fastRetry.maxElapsedMs + 2_000);
  });

  it('surfaces a statement timeout inside a transaction at once and rolls the transaction back', async () => {
    const before = callsOf('Execute');
    await expect(
      dataApi.transaction(async (tx) => {
        await tx.query('INSERT INTO samples (id, label) VALUES (40, $1)', ['lost']);
        await tx.query('SELECT pg_sleep(2)');
      }),
    ).rejects.toMatchObject({ name: 'StatementTimeoutException' });
    expect(callsOf('Execute') - before).toBe(2);
    expect(await pgDb.query('SELECT 1 FROM samples WHERE id = 40')).toEqual([]);
    expect(server.openTransactions()).toBe(0);
  });

  it('surfaces SQL errors at once with the SQLSTATE, as pg does', async () => {
    const before = callsOf('Execute');
    const error = await dataApi.query('SELECT * FROM no_such_table').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataApiQueryError);
    expect(error).toMatchObject({
      code: '42P01',
      message: expect.stringMatching(/relation "no_such_table" does not exist/),
    });
    expect(callsOf('Execute') - before).toBe(1);
    const duplicate = await dataApi.query('INSERT INTO samples (id) VALUES (2)').catch((e: unknown) => e);
    expect(duplicate).toMatchObject({ code: '23505' });
  });

  it('surfaces a server error after which the statement may have run, without trying again', async () => {
    const before = callsOf('Execute');
    server.failNext('Execute', 'InternalServerErrorException');
    await expect(dataApi.query('SELECT 1')).rejects.toMatchObject({ name: 'InternalServerErrorException' });
    expect(callsOf('Execute') - before).toBe(1);
  });

  it('surfaces a secret it cannot use', async () => {
    const wrong = connect({ secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:other-XyZ' });
    await expect(wrong.query('SELECT 1')).rejects.toMatchObject({ name: 'BadRequestException' });
    await wrong.close();
  });

  it('answers nothing once closed, as a pg pool after end()', async () => {
    const db = connect();
    expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await db.close();
    await expect(db.query('SELECT 1')).rejects.toThrow(/closed/);
    await expect(db.transaction(async () => undefined)).rejects.toThrow(/closed/);
  });

  it('runs one statement per call, as the Data API does', async () => {
    await expect(dataApi.query('SELECT 1; SELECT 2')).rejects.toThrow(/multiple commands/);
  });
});
