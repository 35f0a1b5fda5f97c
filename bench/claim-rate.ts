/**
 * Queue claim rate: runs claimed per second by N worker loops with no container work (each claimed
 * run goes straight to `succeeded`), through the service's own claimRuns and finish; against
 * graphile-worker with the same concurrency claiming and completing no-op jobs, on the same
 * Postgres, in the same run. Rounds alternate between the two.
 *
 * Also measured: the same loops claiming up to each of --batch runs at a time, as the service's
 * worker does when it has room for several (2 is its default capacity). For one pass each, the WAL
 * written and the server's time in each statement (pg_stat_statements) are printed per run and per
 * job, to show where the two differ.
 *
 *   npx node --import tsx bench/claim-rate.ts [--jobs 5000] [--workers 4] [--rounds 3] [--batch 2,10]
 */
import { parseArgs } from 'node:util';
import { Logger, run as runGraphileWorker, runMigrations } from 'graphile-worker';
import type { JobSpec } from '../src/jobs/job-spec.js';
import { claimRuns } from '../src/runs/claim.js';
import { insertRuns } from '../src/runs/queue-runs.js';
import { newRunId } from '../src/runs/run-repository.js';
import { finish } from '../src/runs/transitions.js';
import { benchDatabase, machine, note, percentile, record, verdict } from './support.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '5000' },
    workers: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '3' },
    batch: { type: 'string', default: '2,10' },
  },
});
const jobs = Number(values.jobs);
const workers = Number(values.workers);
const rounds = Number(values.rounds);
const batches = values.batch.split(',').map(Number);

console.log(`claim rate — ${machine()}`);
// pg_stat_statements: the server's time in each statement, to say where the difference lies.
// Tracking costs each statement a little, and graphile-worker's statements are the shorter: it is
// on only for the pass that measures costs, not for the rounds that measure rates.
const bench = await benchDatabase([
  'shared_preload_libraries=pg_stat_statements',
  'pg_stat_statements.track_planning=on',
]);
const { db } = bench;
await db.query('CREATE EXTENSION pg_stat_statements');
await track('none');
const quiet = new Logger(() => () => undefined);
await runMigrations({ connectionString: bench.url, logger: quiet });

const [job] = await db.query<{ id: string; spec: JobSpec }>(
  `INSERT INTO jobs (id, user_id, unique_id, spec) VALUES (gen_random_uuid(), 'bench', 'claim', $1) RETURNING id, spec`,
  [
    JSON.stringify({
      userId: 'bench',
      uniqueId: 'claim',
      s3_bucket: 'bench',
      destination_s3_prefix: 'out/',
      command: 'true',
      timeout_seconds: 60,
    }),
  ],
);

async function queueRuns(): Promise<void> {
  for (let done = 0; done < jobs; done += 1000) {
    await insertRuns(
      db,
      Array.from({ length: Math.min(1000, jobs - done) }, () => ({
        id: newRunId(),
        jobId: job!.id,
        trigger: 'submit' as const,
        spec: job!.spec,
      })),
    );
  }
  await db.query('ANALYZE runs');
}

/** The service's claim path: N loops, each claiming `limit` runs at a time and ending them at once. */
async function ours(limit: number): Promise<number> {
  await queueRuns();
  const started = performance.now();
  let claimed = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, i) => {
      for (;;) {
        // No per-user ceiling in the way: the benchmark measures the claim itself.
        const runs = await claimRuns(db, `bench-${i}`, limit, 1_000_000);
        if (runs.length === 0) return;
        for (const run of runs) {
          await finish(db, run.id, { state: 'succeeded' }, { owner: `bench-${i}`, exitCode: 0 });
          claimed += 1;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  if (claimed !== jobs) throw new Error(`claimed ${claimed} runs of ${jobs}`);
  return jobs / seconds;
}

/** graphile-worker, default (unbatched) settings, same concurrency, no-op task. */
async function graphile(): Promise<number> {
  await db.query(`SELECT graphile_worker.add_job('noop', '{}'::json) FROM generate_series(1, $1::int)`, [
    jobs,
  ]);
  await db.query('ANALYZE graphile_worker._private_jobs');
  let completed = 0;
  const started = performance.now();
  const runner = await runGraphileWorker({
    connectionString: bench.url,
    concurrency: workers,
    noHandleSignals: true,
    pollInterval: 1000,
    logger: quiet,
    taskList: {
      noop: async () => {
        completed += 1;
      },
    },
  });
  let seconds = 0;
  for (;;) {
    const [left] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM graphile_worker.jobs');
    if (left!.n === 0) {
      seconds = (performance.now() - started) / 1000;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await runner.stop();
  if (completed !== jobs) throw new Error(`graphile-worker ran ${completed} jobs of ${jobs}`);
  return jobs / seconds;
}

interface Cost {
  walBytes: number;
  /** Server time per run (or job) in the statements made once or more per run, planning included. */
  serverMs: number;
  statements: { name: string; calls: number; plans: number; execMs: number; planMs: number }[];
}

const STATEMENT_NAMES: [RegExp, string][] = [
  [/^WITH RECURSIVE queued_users/, 'claim'],
  [/^WITH moved AS/, 'end'],
  [/^with j as/i, 'fetch'],
  [/^delete from/i, 'complete'],
];

/** Sets what pg_stat_statements tracks, in every session, the pools' open ones included. */
async function track(what: 'top' | 'none'): Promise<void> {
  await db.query(`ALTER SYSTEM SET pg_stat_statements.track = '${what}'`);
  await db.query('SELECT pg_reload_conf()');
  // Each session reads the new setting before its next statement, once the signal reaches it.
  for (;;) {
    const [row] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_settings WHERE name = 'pg_stat_statements.track' AND setting = $1`,
      [what],
    );
    if (row!.n === 1) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
}

/**
 * WAL written and server time spent per run claimed and ended, and per graphile-worker job
 * fetched and completed, over one pass of `work`.
 */
async function costOf(work: () => Promise<number>): Promise<Cost> {
  const lsn = async () => (await db.query<{ l: string }>('SELECT pg_current_wal_lsn()::text AS l'))[0]!.l;
  await track('top');
  await db.query('SELECT pg_stat_statements_reset()');
  const before = await lsn();
  await work();
  const [row] = await db.query<{ d: number }>('SELECT pg_wal_lsn_diff($1, $2)::float8 AS d', [
    await lsn(),
    before,
  ]);
  await track('none');
  const rows = await db.query<{ query: string; calls: number; plans: number; exec: number; plan: number }>(
    `SELECT query, calls::int, plans::int, total_exec_time AS exec, total_plan_time AS plan
     FROM pg_stat_statements WHERE calls >= $1::int ORDER BY total_exec_time DESC`,
    [Math.ceil(jobs / 2)],
  );
  return {
    walBytes: row!.d / jobs,
    serverMs: rows.reduce((sum, r) => sum + r.exec + r.plan, 0) / jobs,
    statements: rows.map((r) => ({
      name: STATEMENT_NAMES.find(([pattern]) => pattern.test(r.query.trim()))?.[1] ?? r.query.slice(0, 30),
      calls: r.calls,
      plans: r.plans,
      execMs: r.exec / r.calls,
      planMs: r.plan / r.calls,
    })),
  };
}

const describeCost = (cost: Cost) =>
  `${cost.serverMs.toFixed(3)} ms (` +
  cost.statements
    .map(
      (s) =>
        `${s.name} ${s.execMs.toFixed(3)} ms + planning ${s.planMs.toFixed(3)} ms, planned ${s.plans} times in ${s.calls} calls`,
    )
    .join('; ') +
  ')';

const oursRates: number[] = [];
const batchedRates = batches.map(() => [] as number[]);
const theirRates: number[] = [];
for (let round = 0; round < rounds; round += 1) {
  oursRates.push(await ours(1));
  theirRates.push(await graphile());
  for (const [i, batch] of batches.entries()) batchedRates[i]!.push(await ours(batch));
  console.log(
    `round ${round + 1}: ours ${oursRates.at(-1)!.toFixed(0)}/s ` +
      `(${batches.map((b, i) => `up to ${b}: ${batchedRates[i]!.at(-1)!.toFixed(0)}/s`).join(', ')}), ` +
      `graphile-worker ${theirRates.at(-1)!.toFixed(0)}/s`,
  );
}
const oursCost = await costOf(() => ours(1));
const theirCost = await costOf(graphile);
const mine = percentile(oursRates, 50);
const theirs = percentile(theirRates, 50);
await record(
  `${jobs} queued, ${workers} workers, median of ${rounds} rounds: ${mine.toFixed(0)} runs claimed one at a time and ended per second ` +
    `vs graphile-worker (unbatched) ${theirs.toFixed(0)} jobs/s = ${(mine / theirs).toFixed(2)}× ` +
    `(target ≥ 1×: ${verdict(mine >= theirs)})`,
  ...batches.map((batch, i) => {
    const rate = percentile(batchedRates[i]!, 50);
    return (
      `claiming up to ${batch} runs at a time: ${rate.toFixed(0)} runs/s = ${(rate / theirs).toFixed(2)}× ` +
      `graphile-worker's unbatched rate (target ≥ 1×: ${verdict(rate >= theirs)})`
    );
  }),
  `WAL written: ${oursCost.walBytes.toFixed(0)} bytes per run claimed and ended vs ${theirCost.walBytes.toFixed(0)} per graphile-worker job`,
  `server time per run claimed one at a time and ended: ${describeCost(oursCost)}; ` +
    `per graphile-worker job: ${describeCost(theirCost)}`,
);
await note(
  "Ours: each of the workers loops on the service's `claimRuns(db, workerId, 1)` (the worker's " +
    'claim statement: SKIP LOCKED, not_before, waits_for_previous, claim event) and ends the run ' +
    'with `finish` to succeeded (with its event). graphile-worker 0.16.6: `run()` with the ' +
    'same concurrency and its default, unbatched job fetching, a no-op task; each job is fetched ' +
    'and completed. Same embedded Postgres, same pool size; time from start until the queue is empty. ' +
    '"Up to n at a time": `claimRuns(db, workerId, n)`, which asks in powers of two (10 runs are a ' +
    'claim of 8, then one of 2), each run then ended on its own as above.',
);
await bench.close();
