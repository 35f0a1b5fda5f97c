/**
 * History scale: the service with a big history against the same with a small one. Two databases
 * are seeded as the service's own statements would write them (jobs, their runs queued through
 * queueRunsSql and then ended, with their events): a small one of 1,000 runs (100 jobs, 1 user) and
 * a big one of 1,000,000 runs (100,000 jobs, 1,000 users), both spread over a year, each user with
 * the same 1,000 runs. Measured against each, side by side: the listings and summaries a person
 * reads (`GET /runs`, `GET /jobs/:id/runs`, `GET /runs/:id`, the overview, the dashboard's job
 * summaries, for one user and for an operator over all), a trigger (the statements of a fire: the
 * schedule locked, a run queued), a claim, and the housekeeper's pass over ended runs (with
 * nothing yet old enough to prune). Goal for each: the big history ≤ 1.5× the small one.
 *
 *   npx node --import tsx bench/history-scale.ts [--runs 1000000] [--baseline 1000] [--samples 30]
 */
import { parseArgs } from 'node:util';
import type { Database } from '../services/db/database.js';
import { createPgDatabase } from '../services/db/pg-database.js';
import { normaliseJobRequest } from '../src/jobs/job-spec.js';
import { claimRuns } from '../src/runs/claim.js';
import { queueRunsSql } from '../src/runs/queue-runs.js';
import { pruneEndedRuns } from '../src/runs/run-pruning.js';
import { startServiceProcess, startStack, type BenchStack, type ServiceProcess } from './stack.js';
import { benchDatabase, machine, ms, note, percentile, record, verdict } from './support.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1000000' },
    baseline: { type: 'string', default: '1000' },
    samples: { type: 'string', default: '30' },
  },
});
const bigRuns = Number(values.runs);
const smallRuns = Number(values.baseline);
const samples = Number(values.samples);
/** Every user has the same history in both databases: only the others' grows. */
const RUNS_PER_USER = 1000;
const RUNS_PER_JOB = 10;
const YEAR_SECONDS = 365 * 24 * 3600;
const BUCKET = 'history';

const template = normaliseJobRequest(
  {
    userId: 'u0',
    uniqueId: 'template',
    s3_bucket: BUCKET,
    source_s3_prefix: 'in/',
    destination_s3_prefix: 'out/',
    command: 'true',
    linux_dependencies: [],
  },
  {
    baseImage: 'debian:bookworm-slim',
    timeoutSeconds: 3600,
    cpus: 1,
    memoryMb: 512,
    diskMb: 1024,
    metricsIntervalSeconds: 5,
    network: 'none',
  },
);

/** Jobs and their runs, a batch of jobs a statement, each run queued as the service queues runs. */
async function seed(db: Database, runs: number): Promise<void> {
  const users = Math.max(1, Math.round(runs / RUNS_PER_USER));
  const jobs = Math.round(runs / RUNS_PER_JOB);
  const batch = 5_000;
  const started = performance.now();
  for (let first = 0; first < jobs; first += batch) {
    const last = Math.min(jobs, first + batch) - 1;
    await db.query(
      `WITH new_jobs AS (
         INSERT INTO jobs (id, user_id, unique_id, spec, cron, timezone)
         SELECT gen_random_uuid(), 'u' || (j % $2::int), 'job-' || j,
                jsonb_set(jsonb_set($1::jsonb, '{userId}', to_jsonb('u' || (j % $2::int))),
                          '{uniqueId}', to_jsonb('job-' || j)),
                NULL, NULL
         FROM generate_series($3::int, $4::int) AS j
         RETURNING id, spec),
       ${queueRunsSql('r', {
         from: `FROM (SELECT gen_random_uuid() AS rid, nj.id AS jid, nj.spec AS spec,
                        now() - make_interval(secs => 3600 + random() * ${YEAR_SECONDS}) AS at
                      FROM new_jobs nj CROSS JOIN generate_series(1, ${RUNS_PER_JOB})) AS s`,
         id: 's.rid',
         jobId: 's.jid',
         trigger: "'submit'",
         spec: 's.spec',
         queuedAt: 's.at',
       })}
       SELECT 1`,
      [JSON.stringify(template), users, first, last],
    );
  }
  // Every run ended, as workers end them: nine in ten succeeded, with the events of each change.
  await db.query(
    `WITH ended AS (
       UPDATE runs SET
         state = CASE WHEN random() < 0.9 THEN 'succeeded' ELSE 'failed' END,
         worker_id = 'history-worker', claimed_at = queued_at + interval '1 second',
         started_at = queued_at + interval '2 seconds', ended_at = queued_at + interval '5 seconds',
         finished_at = queued_at + interval '6 seconds', heartbeat_at = NULL
       WHERE state = 'queued'
       RETURNING id, state, started_at, finished_at)
     INSERT INTO run_events (run_id, state, at, detail)
     SELECT id, 'running', started_at, '{}'::jsonb FROM ended
     UNION ALL
     SELECT id, state, finished_at, '{}'::jsonb FROM ended`,
  );
  await db.query('VACUUM ANALYZE');
  console.log(
    `  seeded ${runs.toLocaleString('en')} runs (${jobs.toLocaleString('en')} jobs, ${users} users) ` +
      `in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
}

interface Side {
  db: Database;
  service: ServiceProcess;
  /** A job of user u0, and runs to read. */
  jobId: string;
  runIds: string[];
}

async function prepare(stack: BenchStack, runs: number): Promise<Side> {
  // Seeding writes a year of history in few statements: longer than the service's statement timeout.
  const seeder = createPgDatabase(stack.database.url, stack.database.logger, { statementTimeoutMs: 0 });
  try {
    await seed(seeder, runs);
  } finally {
    await seeder.close();
  }
  const service = await startServiceProcess(stack, { TDS_ROLES: 'api', TDS_AUTH: 'off' });
  const [job] = await stack.database.db.query<{ id: string }>(
    `SELECT id FROM jobs WHERE user_id = 'u0' ORDER BY unique_id LIMIT 1`,
  );
  const runIds = await stack.database.db.query<{ id: string }>(
    `SELECT id FROM runs ORDER BY random() LIMIT $1::int`,
    [samples],
  );
  return { db: stack.database.db, service, jobId: job!.id, runIds: runIds.map((r) => r.id) };
}

async function call(side: Side, method: 'GET' | 'POST', url: string): Promise<void> {
  const response = await fetch(`${side.service.apiUrl}${url}`, {
    method,
  });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  await response.arrayBuffer();
}

/** Milliseconds of each of `samples` calls, after a few to warm up. */
async function time(one: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 3; i += 1) await one(i);
  const times: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const t0 = performance.now();
    await one(i);
    times.push(performance.now() - t0);
  }
  return times;
}

const operations: { name: string; run: (side: Side, i: number) => Promise<unknown> }[] = [
  { name: "GET /runs (a user's first page)", run: (s) => call(s, 'GET', '/runs?userId=u0&limit=50') },
  { name: 'GET /runs (every user, first page)', run: (s) => call(s, 'GET', '/runs?limit=50') },
  { name: 'GET /jobs/:id/runs', run: (s) => call(s, 'GET', `/jobs/${s.jobId}/runs`) },
  { name: 'GET /runs/:id', run: (s, i) => call(s, 'GET', `/runs/${s.runIds[i % s.runIds.length]}`) },
  { name: "GET /overview (a user's)", run: (s) => call(s, 'GET', '/overview?userId=u0') },
  { name: 'GET /overview (every user)', run: (s) => call(s, 'GET', '/overview') },
  { name: "GET /job-summaries (a user's)", run: (s) => call(s, 'GET', '/job-summaries?userId=u0') },
  { name: 'GET /job-summaries (every user)', run: (s) => call(s, 'GET', '/job-summaries') },
  {
    name: 'POST /jobs/:id/trigger (a fire: the schedule locked, a run queued)',
    run: (s) => call(s, 'POST', `/jobs/${s.jobId}/trigger`),
  },
  {
    name: 'a claim (of a run the triggers queued)',
    run: (s) => claimRuns(s.db, 'bench-claimer', 1, 1_000_000),
  },
  { name: "the housekeeper's pass over ended runs (none old enough)", run: (s) => pruneEndedRuns(s.db, 400) },
];

console.log(`History scale — ${machine()}`);
const stack = await startStack();
await stack.createBucket(BUCKET);
const bigDatabase = await benchDatabase();
const sides: Side[] = [];
try {
  console.log(`preparing: ${smallRuns.toLocaleString('en')} runs`);
  sides.push(await prepare(stack, smallRuns));
  console.log(`preparing: ${bigRuns.toLocaleString('en')} runs`);
  sides.push(await prepare({ ...stack, database: bigDatabase }, bigRuns));
  const [small, big] = sides as [Side, Side];
  const lines: string[] = [];
  let met = 0;
  for (const operation of operations) {
    // Side by side: the two alternate, so that whatever else the machine does weighs on both.
    const smallTimes: number[] = [];
    const bigTimes: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      smallTimes.push(...(await time((i) => operation.run(small, i))));
      bigTimes.push(...(await time((i) => operation.run(big, i))));
    }
    const a = percentile(smallTimes, 50);
    const b = percentile(bigTimes, 50);
    const ok = b / a <= 1.5;
    if (ok) met += 1;
    const line =
      `${operation.name}: ${ms(b)} at ${bigRuns.toLocaleString('en')} runs against ${ms(a)} at ` +
      `${smallRuns.toLocaleString('en')}, ${(b / a).toFixed(2)}× (goal ≤ 1.5×: ${verdict(ok)}); ` +
      `p99 ${ms(percentile(bigTimes, 99))} against ${ms(percentile(smallTimes, 99))}`;
    console.log(line);
    lines.push(line);
  }
  lines.push(`${met} of ${operations.length} within 1.5×`);
  await record(...lines);
  await note(
    `Medians of ${samples * 3} calls each (three rounds, the two databases in turn), one at a time, ` +
      "through an API-only service process per database (keys off); the claim and the housekeeper's " +
      "pass are the service's own functions called on each database. Both databases are analysed " +
      'after seeding, as autovacuum would have them.',
  );
} finally {
  for (const side of sides) await side.service.stop();
  await bigDatabase.close();
  await stack.close();
}
