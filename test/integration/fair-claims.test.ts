import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../services/db/database.js';
import { putUserSettings } from '../../src/auth/user-repository.js';
import { insertJobIfAbsent } from '../../src/jobs/job-repository.js';
import { normaliseJobRequest } from '../../src/jobs/job-spec.js';
import { claimRuns } from '../../src/runs/claim.js';
import { insertRun } from '../../src/runs/queue-runs.js';
import { newRunId } from '../../src/runs/run-repository.js';
import { finish } from '../../src/runs/transitions.js';
import { createPgDatabase } from '../../services/db/pg-database.js';
import { connectTestDatabase } from '../support/database-driver.js';
import { createTestDatabase } from '../support/harness.js';

/**
 * The claim query on a real Postgres, through the database driver under test: no worker runs
 * here, runs are claimed and moved by hand.
 */
let db: Database;
let url: string;

beforeAll(async () => {
  url = await createTestDatabase();
  db = connectTestDatabase(url);
});

afterAll(async () => {
  await db?.close();
});

async function queue(
  userId: string,
  count: number,
  requires: string[] = [],
  fields: Record<string, unknown> = {},
): Promise<string[]> {
  const spec = normaliseJobRequest(
    {
      userId,
      uniqueId: `job-${userId}-${Math.random()}`,
      s3_bucket: 'unused-bucket',
      source_s3_prefix: '',
      destination_s3_prefix: '',
      command: 'true',
      linux_dependencies: [],
      ...(requires.length > 0 ? { requires } : {}),
      ...fields,
    },
    {
      timeoutSeconds: 60,
      cpus: 1,
      memoryMb: 256,
      diskMb: 1024,
      metricsIntervalSeconds: 1,
      baseImage: 'debian',
      network: 'bridge',
    },
  );
  const { job } = await insertJobIfAbsent(db, spec);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = newRunId();
    await insertRun(db, {
      id,
      jobId: job.id,
      trigger: 'submit',
      spec,
    });
    ids.push(id);
  }
  return ids;
}

async function finishAll(): Promise<void> {
  const active = await db.query(
    `SELECT id, state FROM runs WHERE state IN ('staging', 'building', 'running', 'uploading')`,
  );
  for (const run of active) await finish(db, run.id as string, { state: 'succeeded' });
}

async function usersOf(runIds: string[]): Promise<string[]> {
  const rows = await db.query('SELECT user_id FROM runs WHERE id = ANY($1::uuid[]) ORDER BY queued_at', [
    runIds,
  ]);
  return rows.map((r) => r.user_id as string);
}

describe('claiming runs', () => {
  it('lets a user with few runs go ahead of one who queued many first', async () => {
    await queue('flood', 30);
    await queue('small', 2);
    const claimed = await claimRuns(db, 'w1', 4, 10);
    const users = await usersOf(claimed.map((r) => r.id));
    // Two each: the load of each user rises in turn, so "small" is not left behind "flood"'s 30.
    expect(users.filter((u) => u === 'small')).toHaveLength(2);
    expect(users.filter((u) => u === 'flood')).toHaveLength(2);
    await finishAll();
    await db.query(`UPDATE runs SET state = 'cancelled' WHERE state = 'queued'`);
  });

  it("keeps each user's runs under way within their ceiling, across claims", async () => {
    await queue('capped', 10);
    await queue('other', 3);
    await putUserSettings(db, 'capped', { maxConcurrentRuns: 2 });
    const first = await claimRuns(db, 'w1', 10, 5);
    expect((await usersOf(first.map((r) => r.id))).sort()).toEqual([
      'capped',
      'capped',
      'other',
      'other',
      'other',
    ]);
    // Nothing more for "capped" until one of its runs ends.
    expect(await claimRuns(db, 'w2', 10, 5)).toEqual([]);
    await finish(db, first.find((r) => r.spec.userId === 'capped')!.id, { state: 'succeeded' });
    const next = await claimRuns(db, 'w2', 10, 5);
    expect(await usersOf(next.map((r) => r.id))).toEqual(['capped']);
    await finishAll();
    await db.query(`UPDATE runs SET state = 'cancelled' WHERE state = 'queued'`);
  });

  it('never overshoots a ceiling when many workers claim at once, and claims no run twice', async () => {
    await queue('busy', 40);
    await putUserSettings(db, 'busy', { maxConcurrentRuns: 3 });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => claimRuns(db, `w${i}`, 2, 100)));
    const ids = results.flat().map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(3);
    const [row] = await db.query(
      `SELECT count(*)::int AS n FROM runs WHERE user_id = 'busy' AND state = 'staging'`,
    );
    expect(row!.n).toBe(3);
    await finishAll();
    await db.query(`UPDATE runs SET state = 'cancelled' WHERE state = 'queued'`);
  });

  it('holds a ceiling under claims by differently tagged workers at once: 4 workers, 200 runs', async () => {
    // Each worker sees a different part of the user's queue (the runs its tags allow), so each
    // ranks different runs first; the ceiling must hold across them all the same.
    const ceiling = 3;
    await putUserSettings(db, 'tagged', { maxConcurrentRuns: ceiling });
    const tags = [['gpu'], ['arm'], ['fast'], []];
    for (let i = 0; i < 50; i++) {
      for (const requires of tags) await queue('tagged', 1, requires);
    }
    let stop = false;
    let highest = 0;
    const sampler = (async () => {
      while (!stop) {
        const [row] = await db.query(
          `SELECT count(*)::int AS n FROM runs WHERE user_id = 'tagged'
             AND state IN ('staging', 'building', 'running', 'uploading')`,
        );
        highest = Math.max(highest, row!.n as number);
      }
    })();
    const claimedBy = await Promise.all(
      tags.map(async (workerTags, w) => {
        const mine: string[] = [];
        for (let idle = 0; idle < 40;) {
          const claimed = await claimRuns(db, `tagged-${w}`, 2, 100, workerTags);
          if (claimed.length === 0) {
            idle += 1;
            await new Promise((resolve) => setTimeout(resolve, 5));
            continue;
          }
          idle = 0;
          mine.push(...claimed.map((r) => r.id));
          // Runs end a moment later, so that claims keep meeting a user at their ceiling.
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 10));
          for (const run of claimed) await finish(db, run.id, { state: 'succeeded' });
        }
        return mine;
      }),
    );
    stop = true;
    await sampler;
    const ids = claimedBy.flat();
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(200);
    // Every worker took runs: the claims did meet at the same user.
    expect(claimedBy.every((mine) => mine.length > 0)).toBe(true);
    expect(highest).toBeGreaterThan(0);
    expect(highest).toBeLessThanOrEqual(ceiling);
  });

  it('gives each of many workers claiming at once runs of its own while runs are queued', async () => {
    await queue('many', 40);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => claimRuns(db, `w${i}`, 2, 100)));
    expect(results.map((r) => r.length)).toEqual(Array.from({ length: 10 }, () => 2));
    const ids = results.flat().map((r) => r.id);
    expect(new Set(ids).size).toBe(20);
    await finishAll();
    await db.query(`UPDATE runs SET state = 'cancelled' WHERE state = 'queued'`);
  });

  it("uses the operator's default ceiling for users without one of their own", async () => {
    await queue('plain', 6);
    const claimed = await claimRuns(db, 'w1', 10, 4);
    expect(claimed).toHaveLength(4);
    await finishAll();
    await db.query(`UPDATE runs SET state = 'cancelled' WHERE state = 'queued'`);
  });

  it("claims only what fits beside a worker's runs in its CPUs and memory, passing over a run too large for the room left", async () => {
    await finishAll();
    await db.query(`UPDATE runs SET state = 'cancelled' WHERE state = 'queued'`);
    const capacity = { cpus: 2, memoryMb: 1000, defaultCpus: 1, defaultMemoryMb: 256 };
    const [big] = await queue('roomy', 1, [], { memory_mb: 700, cpus: 0.5 });
    const small = await queue('roomy', 3, [], { memory_mb: 200, cpus: 0.5 });
    // 700 + 200 MiB fit in 1000; one more 200 would not, though slots are left.
    const first = await claimRuns(db, 'w-room', 10, 100, [], capacity);
    expect(first.map((run) => run.id)).toEqual([big, small[0]]);
    // 100 MiB left: nothing fits.
    expect(await claimRuns(db, 'w-room', 10, 100, [], capacity)).toEqual([]);
    // Another worker with room of its own takes one.
    expect(await claimRuns(db, 'w-other', 1, 100, [], capacity)).toHaveLength(1);
    // The large run ends: 800 MiB left, and the small one left fits.
    await finish(db, big!, { state: 'succeeded' });
    const [anotherBig] = await queue('roomy', 1, [], { memory_mb: 700, cpus: 0.5 });
    const [cpuHeavy] = await queue('roomy', 1, [], { memory_mb: 100, cpus: 1.5 });
    const [last] = await queue('roomy', 1, [], { memory_mb: 200, cpus: 0.5 });
    // 200 MiB in use: the next large run (700) and the run asking 1.5 CPUs (1 in use of 2) pass
    // over for now, the small runs behind them do not wait.
    const second = await claimRuns(db, 'w-room', 10, 100, [], capacity);
    expect(second.map((run) => run.id)).toEqual([small[2], last]);
    const queued = await db.query<{ id: string }>(
      `SELECT id FROM runs WHERE state = 'queued' AND user_id = 'roomy' ORDER BY queued_at`,
    );
    expect(queued.map((row) => row.id)).toEqual([anotherBig, cpuHeavy]);
    await finishAll();
    await db.query(`UPDATE runs SET state = 'cancelled' WHERE state = 'queued'`);
  });

  it('records the worker as named, quotes and backslashes included', async () => {
    const ids = await queue('named', 2);
    const worker = "o'brien\\box-1";
    const claimed = await claimRuns(db, worker, 2, 10);
    expect(claimed.map((r) => r.workerId)).toEqual([worker, worker]);
    const rows = await db.query(
      `SELECT r.worker_id, e.detail ->> 'workerId' AS event_worker FROM runs r
       JOIN run_events e ON e.run_id = r.id AND e.state = 'staging' WHERE r.id = ANY($1::uuid[])`,
      [ids],
    );
    expect(rows).toEqual([
      { worker_id: worker, event_worker: worker },
      { worker_id: worker, event_worker: worker },
    ]);
    await finishAll();
  });

  it('plans its claim statements once per connection, a few texts per worker', async () => {
    // Planning is Postgres's, the same whichever driver carries the statement: seen here on one
    // connection of its own, whose prepared statements can be listed.
    const single = createPgDatabase(url, pino({ level: 'silent' }), { poolSize: 1 });
    try {
      await queue('planned', 20);
      for (let i = 0; i < 12; i++) expect(await claimRuns(single, 'w-planned', 1, 100)).toHaveLength(1);
      // Seven runs are asked for as 4, 2 and 1.
      expect(await claimRuns(single, 'w-planned', 7, 100)).toHaveLength(7);
      const plans = await single.query<{ limit: string; generic: number; custom: number }>(
        `SELECT substring(statement from 'LIMIT (\\d+)\\s+FOR UPDATE') AS limit,
                generic_plans::int AS generic, custom_plans::int AS custom
         FROM pg_prepared_statements WHERE statement LIKE 'WITH RECURSIVE queued_users%'
         ORDER BY 1`,
      );
      expect(plans).toEqual([
        { limit: '1', generic: 13, custom: 0 },
        { limit: '2', generic: 1, custom: 0 },
        { limit: '4', generic: 1, custom: 0 },
      ]);
    } finally {
      await single.close();
    }
    await finishAll();
    await db.query(`UPDATE runs SET state = 'cancelled' WHERE state = 'queued'`);
  });
});
