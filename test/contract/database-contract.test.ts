import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, SqlExecutor } from '../../services/db/database.js';
import { currentCursor, readEvents, type Cursor } from '../../src/events/event-feed.js';
import { connectTestDatabase, databaseDriver } from '../support/database-driver.js';
import { createTestDatabase } from '../support/harness.js';

/**
 * The contract of the Database interface (services/db/database.ts), as the service relies on it:
 * the same file runs on each driver (projects contract-pg and contract-rds-data in
 * vitest.config.ts), with the same expected values, so that the two drivers answer alike. The
 * Data API driver runs through the real @aws-sdk/client-rds-data client to the local Data API
 * endpoint (test/support/data-api-server.ts); its failures and retries are data-api-driver.test.ts's.
 */
let db: Database;
let other: Database;

beforeAll(async () => {
  const url = await createTestDatabase();
  db = connectTestDatabase(url);
  // A second client of the same database: what another process (another worker) would see.
  other = connectTestDatabase(url);
  await db.query(`CREATE TABLE contract (
    id int PRIMARY KEY, label text, big bigint, flag boolean, at timestamptz, doc jsonb, tags text[],
    ids uuid[], times timestamptz[], counts bigint[], amount numeric, bytes bytea, ratio float8, day date,
    uid uuid, n int)`);
  await db.query(`CREATE TABLE contract_children (
    id int PRIMARY KEY, parent int REFERENCES contract (id) DEFERRABLE INITIALLY DEFERRED)`);
});

afterAll(async () => {
  await other?.close();
  await db?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const labelOf = async (id: number) =>
  (await other.query<{ label: string }>('SELECT label FROM contract WHERE id = $1', [id]))[0]?.label;

describe(`the database contract, on the ${databaseDriver()} driver`, () => {
  describe('values, both ways', () => {
    const at = new Date('2026-03-29T01:30:00.123Z');
    const uid = '0190b3a1-7c1e-7000-8000-00000000000f';
    const ids = ['0190b3a1-7c1e-7000-8000-000000000001', '0190b3a1-7c1e-7000-8000-000000000002'];

    it('binds every type the service sends and maps every column as pg does', async () => {
      const rows = await db.query(
        `INSERT INTO contract VALUES ($1, $2, $3::bigint, $4, $5::timestamptz, $6::jsonb, $7::text[], $8::uuid[],
           $9::timestamptz[], $10::bigint[], $11::numeric, $12, $13, $14::date, $15::uuid, $16) RETURNING *`,
        [
          1,
          `it's "quoted" $1 :p1 ::text ; -- ünïcödé`,
          '9007199254740993',
          true,
          at,
          { nested: { list: [1, 'two', null], big: 1234567890123 }, empty: {}, text: 'ü "q"' },
          ['a', 'b"c', 'd\\e', null, 'NULL', '', 'x,y', '{z}'],
          ids,
          [at, null, new Date('1999-12-31T23:59:59.999Z')],
          ['1', '-9007199254740991'],
          '12345678901234567890.0001',
          Buffer.from([0, 1, 254, 255]),
          0.1,
          '2026-02-28',
          uid,
          -7,
        ],
      );
      expect(rows).toHaveLength(1);
      const expected = {
        id: 1,
        label: `it's "quoted" $1 :p1 ::text ; -- ünïcödé`,
        big: '9007199254740993',
        flag: true,
        at,
        doc: { nested: { list: [1, 'two', null], big: 1234567890123 }, empty: {}, text: 'ü "q"' },
        tags: ['a', 'b"c', 'd\\e', null, 'NULL', '', 'x,y', '{z}'],
        ids,
        times: [at, null, new Date('1999-12-31T23:59:59.999Z')],
        counts: ['1', '-9007199254740991'],
        amount: '12345678901234567890.0001',
        bytes: Buffer.from([0, 1, 254, 255]),
        ratio: 0.1,
        // A date is read as local midnight, as pg reads it.
        day: new Date(2026, 1, 28),
        uid,
        n: -7,
      };
      expect(rows[0]).toEqual(expected);
      expect(await db.query('SELECT * FROM contract WHERE id = $1', [1])).toEqual([expected]);
      // Another client reads the same values.
      expect(await other.query('SELECT * FROM contract WHERE id = $1', [1])).toEqual([expected]);
    });

    it('reads NULL in every column as null, and binds null and undefined as NULL', async () => {
      await db.query('INSERT INTO contract (id, label, doc, tags) VALUES ($1, $2, $3::jsonb, $4::text[])', [
        2,
        null,
        undefined,
        null,
      ]);
      const [row] = await db.query('SELECT * FROM contract WHERE id = 2');
      expect(Object.entries(row!).filter(([key, value]) => key !== 'id' && value !== null)).toEqual([]);
    });

    it('sends integers beyond 2^53 exactly, as a bigint or as text, and reads them as text', async () => {
      const [row] = await db.query<{ a: string; b: string; c: boolean; d: number }>(
        'SELECT $1::bigint AS a, ($2::bigint + 1)::text AS b, $1::bigint = 9223372036854775807 AS c, $3::int AS d',
        [9223372036854775807n, '9007199254740992', 2147483647],
      );
      expect(row).toEqual({ a: '9223372036854775807', b: '9007199254740993', c: true, d: 2147483647 });
      const [counted] = await db.query('SELECT count(*) AS n, count(*)::int AS m FROM contract');
      expect(counted).toEqual({ n: '2', m: 2 });
    });

    it('keeps timestamps exact to the millisecond, whatever the session time zone, and reads computed ones', async () => {
      const [row] = await db.query<{ same: boolean; shifted: Date; epoch: number; back: Date }>(
        `SELECT $1::timestamptz = '2026-03-29 03:30:00.123+02'::timestamptz AS same,
                $1::timestamptz + interval '1 hour' AS shifted,
                extract(epoch FROM $1::timestamptz)::float8 AS epoch,
                $1::timestamptz AS back`,
        [at],
      );
      expect(row).toEqual({
        same: true,
        shifted: new Date(at.getTime() + 3_600_000),
        epoch: at.getTime() / 1000,
        back: at,
      });
      const [clock] = await db.query<{ now: Date; later: boolean }>(
        `SELECT now() AS now, clock_timestamp() >= now() AS later`,
      );
      expect(clock!.now).toBeInstanceOf(Date);
      expect(Math.abs(clock!.now.getTime() - Date.now())).toBeLessThan(60_000);
      expect(clock!.later).toBe(true);
    });

    it('reads JSON as parsed values, and JSON built or taken apart by the query', async () => {
      const [row] = await db.query(
        `SELECT jsonb_build_object('k', $1::text, 'n', $2::int) AS built,
                $3::jsonb -> 'list' AS list, $3::jsonb ->> 'name' AS name,
                (SELECT jsonb_agg(x ORDER BY x) FROM unnest($4::int[]) x) AS agg,
                '"just text"'::jsonb AS scalar, 'null'::jsonb AS json_null, '[]'::json AS plain`,
        ['v', 3, { list: [1, { a: [true, null] }], name: 'ü' }, [3, 1, 2]],
      );
      expect(row).toEqual({
        built: { k: 'v', n: 3 },
        list: [1, { a: [true, null] }],
        name: 'ü',
        agg: [1, 2, 3],
        scalar: 'just text',
        json_null: null,
        plain: [],
      });
    });

    it('binds arrays as the service uses them: ANY, unnest, cardinality, empty and NULL', async () => {
      const [row] = await db.query(
        `SELECT $1::text = ANY ($2::text[]) AS found, cardinality($3::text[]) AS empty,
                $4::text[] IS NULL AS absent, ARRAY(SELECT u FROM unnest($2::text[]) u ORDER BY u) AS sorted,
                $5::uuid = ANY ($6::uuid[]) AS uuid_found, ARRAY[1, 2]::int[] AS ints,
                ARRAY[true, false] AS bools, ARRAY[0.5, 1.5]::float8[] AS floats`,
        ['b', ['c', 'b', 'a'], [], null, ids[1], ids],
      );
      expect(row).toEqual({
        found: true,
        empty: 0,
        absent: true,
        sorted: ['a', 'b', 'c'],
        uuid_found: true,
        ints: [1, 2],
        bools: [true, false],
        floats: [0.5, 1.5],
      });
      const rows = await db.query<{ id: number }>(
        'SELECT id FROM contract WHERE id = ANY ($1::int[]) ORDER BY id',
        [[2, 1, 99]],
      );
      expect(rows).toEqual([{ id: 1 }, { id: 2 }]);
    });

    it('answers [] for a statement with no rows, and the rows of RETURNING', async () => {
      expect(await db.query('SELECT * FROM contract WHERE false')).toEqual([]);
      expect(await db.query('UPDATE contract SET label = label WHERE false')).toEqual([]);
      expect(await db.query("UPDATE contract SET label = 'x' WHERE id = 2")).toEqual([]);
      expect(
        await db.query(
          `INSERT INTO contract (id, label) VALUES (3, 'new') ON CONFLICT (id) DO UPDATE SET label = 'again'
           RETURNING id, label, (xmax = 0) AS inserted`,
        ),
      ).toEqual([{ id: 3, label: 'new', inserted: true }]);
      expect(
        await db.query(
          `INSERT INTO contract (id, label) VALUES (3, 'new') ON CONFLICT (id) DO UPDATE SET label = 'again'
           RETURNING id, label, (xmax = 0) AS inserted`,
        ),
      ).toEqual([{ id: 3, label: 'again', inserted: false }]);
      expect(
        await db.query('INSERT INTO contract (id) VALUES (3) ON CONFLICT DO NOTHING RETURNING id'),
      ).toEqual([]);
    });

    it('runs a statement kept prepared as any other, again and again, in and out of a transaction', async () => {
      const sql = 'SELECT count(*)::int AS n FROM contract WHERE id <= 3';
      for (let i = 0; i < 3; i += 1) {
        expect(await db.query(sql, [], { prepared: true })).toEqual([{ n: 3 }]);
      }
      expect(await db.transaction((tx) => tx.query(sql, [], { prepared: true }))).toEqual([{ n: 3 }]);
    });

    it('answers many statements sent at once', async () => {
      const answers = await Promise.all(
        Array.from({ length: 25 }, (_, i) => db.query<{ i: number }>('SELECT $1::int AS i', [i])),
      );
      expect(answers.map((rows) => rows[0]!.i)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    });
  });

  describe('transactions', () => {
    it('commit what the function did when it resolves, unseen by others until then, and answer its value', async () => {
      const value = await db.transaction(async (tx) => {
        await tx.query("INSERT INTO contract (id, label) VALUES (20, 'committed')");
        expect(await tx.query('SELECT label FROM contract WHERE id = 20')).toEqual([{ label: 'committed' }]);
        expect(await labelOf(20)).toBeUndefined();
        return 'done';
      });
      expect(value).toBe('done');
      expect(await labelOf(20)).toBe('committed');
    });

    it('roll back everything when the function throws, and rethrow what it threw', async () => {
      const thrown = new Error('changed my mind');
      await expect(
        db.transaction(async (tx) => {
          await tx.query("INSERT INTO contract (id, label) VALUES (21, 'rolled back')");
          throw thrown;
        }),
      ).rejects.toBe(thrown);
      expect(await labelOf(21)).toBeUndefined();
    });

    it('roll back everything when a statement fails, with the SQLSTATE of the failure', async () => {
      const error = await db
        .transaction(async (tx) => {
          await tx.query("INSERT INTO contract (id, label) VALUES (22, 'lost')");
          await tx.query("INSERT INTO contract (id, label) VALUES (22, 'twice')");
        })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: '23505' });
      expect(await labelOf(22)).toBeUndefined();
    });

    it('keep SET LOCAL to the transaction', async () => {
      const inside = await db.transaction(async (tx) => {
        await tx.query('SET LOCAL idle_in_transaction_session_timeout = 12345');
        return tx.query("SELECT current_setting('idle_in_transaction_session_timeout') AS value");
      });
      expect(inside).toEqual([{ value: '12345ms' }]);
      const after = await db.transaction((tx) =>
        tx.query("SELECT current_setting('idle_in_transaction_session_timeout') AS value"),
      );
      expect(after).not.toEqual(inside);
    });

    it('check a deferred constraint at commit, or at once after SET CONSTRAINTS ALL IMMEDIATE', async () => {
      await db.transaction(async (tx) => {
        await tx.query('INSERT INTO contract_children (id, parent) VALUES (1, 30)');
        await tx.query("INSERT INTO contract (id, label) VALUES (30, 'parent after child')");
      });
      expect(await other.query('SELECT parent FROM contract_children WHERE id = 1')).toEqual([
        { parent: 30 },
      ]);
      const atCommit = await db
        .transaction((tx) => tx.query('INSERT INTO contract_children (id, parent) VALUES (2, 999)'))
        .catch((e: unknown) => e);
      expect(atCommit).toMatchObject({ code: '23503' });
      let reached = false;
      const atOnce = await db
        .transaction(async (tx) => {
          await tx.query('INSERT INTO contract_children (id, parent) VALUES (3, 999)');
          await tx.query('SET CONSTRAINTS ALL IMMEDIATE');
          reached = true;
        })
        .catch((e: unknown) => e);
      expect(atOnce).toMatchObject({ code: '23503' });
      expect(reached).toBe(false);
      expect(await other.query('SELECT id FROM contract_children ORDER BY id')).toEqual([{ id: 1 }]);
    });

    it('let two transactions claim different rows with FOR UPDATE SKIP LOCKED', async () => {
      await db.query("INSERT INTO contract (id, label) SELECT g, 'queued' FROM generate_series(40, 43) g");
      const claim = async (tx: SqlExecutor) =>
        (
          await tx.query<{ id: number }>(
            `UPDATE contract SET label = 'claimed' WHERE id IN (
               SELECT id FROM contract WHERE label = 'queued' ORDER BY id LIMIT 2 FOR UPDATE SKIP LOCKED)
             RETURNING id`,
          )
        )
          .map((r) => r.id)
          .sort();
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let claimedFirst!: () => void;
      const firstClaimed = new Promise<void>((resolve) => (claimedFirst = resolve));
      const first = db.transaction(async (tx) => {
        const ids = await claim(tx);
        claimedFirst();
        await held;
        return ids;
      });
      await firstClaimed;
      const second = await other.transaction(claim);
      release();
      expect(await first).toEqual([40, 41]);
      expect(second).toEqual([42, 43]);
    });

    it('hold an advisory transaction lock until the end of the transaction, as the claims take them', async () => {
      const lockUsers = (tx: SqlExecutor, users: string[]) =>
        tx.query(
          `SELECT count(pg_advisory_xact_lock(7, hashtext(u)))::int AS locked
             FROM (SELECT u FROM unnest($1::text[]) AS u ORDER BY u OFFSET 0) ordered`,
          [users],
        );
      const order: string[] = [];
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const firstLocked = new Promise<void>((resolve) => (locked = resolve));
      const first = db.transaction(async (tx) => {
        expect(await lockUsers(tx, ['bob', 'alice'])).toEqual([{ locked: 2 }]);
        locked();
        await held;
        order.push('first ends');
      });
      await firstLocked;
      // Another user's lock is free; the same user's is not, until the first transaction ends.
      expect(
        await other.transaction((tx) =>
          tx.query(`SELECT pg_try_advisory_xact_lock(7, hashtext('carol')) AS free,
                           pg_try_advisory_xact_lock(7, hashtext('alice')) AS taken`),
        ),
      ).toEqual([{ free: true, taken: false }]);
      const second = other.transaction(async (tx) => {
        await lockUsers(tx, ['alice']);
        order.push('second locks');
      });
      await sleep(300);
      expect(order).toEqual([]);
      release();
      await Promise.all([first, second]);
      expect(order).toEqual(['first ends', 'second locks']);
    });

    it('end a transaction whose client went silent past idle_in_transaction_session_timeout, keeping nothing of it', async () => {
      const started = Date.now();
      const abandoned = await db
        .transaction(async (tx) => {
          await tx.query('SET LOCAL idle_in_transaction_session_timeout = 200');
          const [{ pid }] = (await tx.query<{ pid: number }>(
            "INSERT INTO contract (id, label) VALUES (50, 'abandoned') RETURNING pg_backend_pid() AS pid",
          )) as [{ pid: number }];
          // Silent until the database has ended the connection, as it does for a client that died.
          const alive = async () =>
            (await other.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).length > 0;
          while (await alive()) await sleep(50);
          await tx.query('SELECT 1');
        })
        .catch((e: unknown) => e);
      expect(abandoned).toBeInstanceOf(Error);
      // At once: a statement of a transaction that is gone is not tried again.
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(await labelOf(50)).toBeUndefined();
      // The database still answers on the same Database.
      expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    });
  });

  describe('events read by polling, without LISTEN', () => {
    const insertEvent = (tx: SqlExecutor, n: number) =>
      tx.query(
        `INSERT INTO events (type, user_id, data) VALUES ('contract.event', 'contract-user', $1::jsonb)`,
        [{ n }],
      );
    const read = async (after: Cursor) =>
      (await readEvents(other, after, { userId: 'contract-user', types: [], limit: 100 })).map(
        (e) => e.data.n,
      );
    // An event becomes visible once every transaction of the cluster begun before its own has ended;
    // other files' transactions run beside this one, so a committed event is waited for, not assumed.
    const readUntil = async (after: Cursor, count: number) => {
      const deadline = Date.now() + 60_000;
      let seen = await read(after);
      while (seen.length < count && Date.now() < deadline) {
        await sleep(50);
        seen = await read(after);
      }
      return seen;
    };

    it('see an event only once its transaction and every one begun before it have ended, and resume after a cursor', async () => {
      const start = await currentCursor(other);
      await insertEvent(db, 1);
      expect(await readUntil(start, 1)).toEqual([1]);

      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let written!: () => void;
      const openWritten = new Promise<void>((resolve) => (written = resolve));
      // A transaction that writes an event and stays open; one begun later commits first.
      const open = db.transaction(async (tx) => {
        await insertEvent(tx, 2);
        written();
        await held;
      });
      await openWritten;
      await db.transaction((tx) => insertEvent(tx, 3));
      expect(await read(start)).toEqual([1]);
      release();
      await open;
      expect(await readUntil(start, 3)).toEqual([1, 2, 3]);

      const events = await readEvents(other, start, { userId: 'contract-user', types: [], limit: 100 });
      const [xact, id] = events[0]!.cursor.split('-');
      expect(await readUntil({ xact: xact!, id: id! }, 2)).toEqual([2, 3]);
      expect(events[0]!.at).toBeInstanceOf(Date);
    });
  });

  describe('errors and the end', () => {
    it('surface SQL errors with the SQLSTATE as code and the database message, and answer after them', async () => {
      const missing = await db.query('SELECT * FROM no_such_table').catch((e: unknown) => e);
      expect(missing).toMatchObject({
        code: '42P01',
        message: expect.stringMatching(/relation "no_such_table" does not exist/),
      });
      expect(await db.query('INSERT INTO contract (id) VALUES (1)').catch((e: unknown) => e)).toMatchObject({
        code: '23505',
      });
      expect(await db.query("SELECT 'x'::int").catch((e: unknown) => e)).toMatchObject({ code: '22P02' });
      expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    });

    it('answer at once after the database has ended every connection they held', async () => {
      const url = await createTestDatabase();
      const victim = connectTestDatabase(url);
      // Connections open and idle, as a running service keeps them.
      await Promise.all(Array.from({ length: 4 }, () => victim.query('SELECT 1')));
      const killer = connectTestDatabase(url);
      const others = `FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'
        AND pid <> pg_backend_pid()`;
      const [killed] = await killer.query<{ n: number }>(
        `SELECT count(pg_terminate_backend(pid))::int AS n ${others}`,
      );
      expect(killed!.n).toBeGreaterThan(0);
      // Ended: the server processes are gone (and so told their clients); the killer's own
      // connection is its only one.
      while ((await killer.query(`SELECT 1 ${others}`)).length > 0) await sleep(50);
      expect(await victim.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      expect(await victim.transaction((tx) => tx.query('SELECT 2 AS two'))).toEqual([{ two: 2 }]);
      await killer.close();
      await victim.close();
    });

    it('deliver a committed NOTIFY to a subscriber where the driver can listen, again after its connection is ended, and none after a rollback', async () => {
      const channel = `contract_${Date.now()}`;
      let heard = 0;
      const subscription = db.subscribe(channel, () => (heard += 1));
      try {
        if (databaseDriver() === 'rds-data') {
          // The Data API has no session to LISTEN on: it says so, and callers poll.
          await sleep(200);
          expect(subscription.listening()).toBe(false);
          await other.query('SELECT pg_notify($1, $2)', [channel, 'x']);
          await sleep(200);
          expect(heard).toBe(0);
          return;
        }
        const until = async (what: string, done: () => boolean) => {
          for (let waited = 0; !done(); waited += 20) {
            if (waited > 10_000) throw new Error(`timed out waiting for ${what}`);
            await sleep(20);
          }
        };
        await until('listening', () => subscription.listening());
        // Once listening, it is called once for what it may have missed before.
        await until('the first call', () => heard === 1);
        await other.transaction(async (tx) => {
          await tx.query('SELECT pg_notify($1, $2)', [channel, 'x']);
          await sleep(100);
          expect(heard).toBe(1);
        });
        await until('the notification', () => heard === 2);
        await other
          .transaction(async (tx) => {
            await tx.query('SELECT pg_notify($1, $2)', [channel, 'y']);
            throw new Error('rolled back');
          })
          .catch(() => undefined);
        // The listening connection ended by the server (a failover): it listens again, and is
        // called once for what it missed meanwhile.
        await other.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND query ILIKE 'LISTEN%'`,
        );
        await until('listening again', () => heard === 3 && subscription.listening());
        await other.query('SELECT pg_notify($1, $2)', [channel, 'z']);
        await until('the notification after the reconnect', () => heard === 4);
      } finally {
        await subscription.close();
      }
      expect(subscription.listening()).toBe(false);
    });

    it('answer nothing once closed', async () => {
      const closing = connectTestDatabase(await createTestDatabase());
      expect(await closing.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      await closing.close();
      await expect(closing.query('SELECT 1')).rejects.toThrow();
      await expect(closing.transaction(async () => undefined)).rejects.toThrow();
    });
  });
});
