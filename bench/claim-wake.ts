/**
 * How soon an idle worker claims a run queued by another process, and what it asks of the database
 * while idle: the service's own worker loop (src/worker/worker.ts, a no-op executor that ends each
 * run at once) woken by LISTEN/NOTIFY (the pg driver; fallback poll TDS_CLAIM_POLL_MS = 5000),
 * against the same loop polling every TDS_POLL_INTERVAL_MS = 500 (as on the RDS Data API). Runs
 * are queued one at a time at random moments; the latency is claimed_at - queued_at, both by the
 * database's clock. Idle statements: the statements and transactions the worker sends over a
 * minute with nothing queued (its claim loop; the reconcile loop, unchanged, is not part of it).
 *
 *   npx node --import tsx bench/claim-wake.ts [--runs 40] [--idle-seconds 60]
 */
import { parseArgs } from 'node:util';
import { NOT_LISTENING, type Database, type SqlExecutor } from '../services/db/database.js';
import type { JobSpec } from '../src/jobs/job-spec.js';
import { insertRuns } from '../src/runs/queue-runs.js';
import { newRunId } from '../src/runs/run-repository.js';
import { finish } from '../src/runs/transitions.js';
import { createSignals } from '../src/signals.js';
import { createLeaseClock } from '../src/worker/lease-clock.js';
import { createWorker } from '../src/worker/worker.js';
import { benchDatabase, machine, ms, percentile, record } from './support.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '40' }, 'idle-seconds': { type: 'string', default: '60' } },
});
const runs = Number(values.runs);
const idleSeconds = Number(values['idle-seconds']);

console.log(`claim wake — ${machine()}`);
const bench = await benchDatabase();
const { db } = bench;
const [job] = await db.query<{ id: string; spec: JobSpec }>(
  `INSERT INTO jobs (id, user_id, unique_id, spec) VALUES (gen_random_uuid(), 'bench', 'wake', $1) RETURNING id, spec`,
  [
    JSON.stringify({
      userId: 'bench',
      uniqueId: 'wake',
      s3_bucket: 'bench',
      destination_s3_prefix: 'out/',
      command: 'true',
    }),
  ],
);

/** The database as the worker sees it, counting what it sends; `listen` false: a driver that cannot. */
function counted(listen: boolean) {
  const count = { statements: 0 };
  const executor = (inner: SqlExecutor): SqlExecutor => ({
    query(sql, params, options) {
      count.statements += 1;
      return inner.query(sql, params, options);
    },
  });
  const wrapped: Database = {
    ...executor(db),
    // BEGIN and COMMIT are statements too.
    transaction: (fn) => {
      count.statements += 2;
      return db.transaction((tx) => fn(executor(tx)));
    },
    subscribe: (channel, onNotify) => (listen ? db.subscribe(channel, onNotify) : NOT_LISTENING),
    close: async () => undefined,
  };
  return { db: wrapped, count };
}

async function measure(mode: 'notify' | 'poll') {
  const { db: workerDb, count } = counted(mode === 'notify');
  const workerId = `bench-${mode}`;
  const worker = createWorker({
    db: workerDb,
    leaseClock: createLeaseClock(),
    executor: {
      execute: async (run) => {
        await finish(db, run.id, { state: 'succeeded' }, { owner: workerId, exitCode: 0 });
      },
    },
    logger: bench.logger,
    workerId,
    maxConcurrentRuns: 2,
    userConcurrencyLimit: 1_000_000,
    pollIntervalMs: 500,
    claimPollMs: 5000,
    capacity: () => ({ cpus: 64, memoryMb: 1_048_576, defaultCpus: 1, defaultMemoryMb: 512 }),
    shutdownGraceMs: 1000,
    executions: new Map(),
    tags: () => [],
    draining: () => false,
    diskRoom: async () => true,
    // Queued by another process: nothing in this one tells the worker.
    signals: createSignals(),
  });
  await worker.start();
  await new Promise((resolve) => setTimeout(resolve, 1000));

  const before = count.statements;
  await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
  const idlePerMinute = ((count.statements - before) * 60) / idleSeconds;

  const latencies: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    // A random moment within the poll: what a submission finds.
    await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 1300));
    const id = newRunId();
    await insertRuns(db, [{ id, jobId: job!.id, trigger: 'submit', spec: job!.spec }]);
    for (;;) {
      const [row] = await db.query<{ ms: number | null }>(
        `SELECT extract(epoch FROM claimed_at - queued_at)::float8 * 1000 AS ms FROM runs WHERE id = $1::uuid`,
        [id],
      );
      if (row?.ms != null) {
        latencies.push(row.ms);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  await worker.stop();
  return { idlePerMinute, latencies };
}

for (const mode of ['poll', 'notify'] as const) {
  const { idlePerMinute, latencies } = await measure(mode);
  await record(
    `claim wake, ${mode === 'notify' ? 'LISTEN/NOTIFY (fallback poll 5 s)' : 'polling every 500 ms'}: ` +
      `queue to claim p50 ${ms(percentile(latencies, 50))}, p95 ${ms(percentile(latencies, 95))}, ` +
      `max ${ms(Math.max(...latencies))} (${latencies.length} runs); ` +
      `idle worker ${idlePerMinute.toFixed(0)} statements a minute`,
  );
}
await bench.close();
