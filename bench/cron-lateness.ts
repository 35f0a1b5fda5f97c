/**
 * Cron lateness: from a fire time to its queued run, with 100,000 other schedules registered. A
 * run counts as queued when the transaction that wrote it committed (Postgres records commit
 * times here: `track_commit_timestamp`), since other sessions, workers included, see it only then.
 * Baseline, measured in the same run: a bare timer that wakes at the same second and inserts the
 * same number of rows in one statement: the least any scheduler on this database could do.
 *
 * Scenarios: a steady load (schedules firing every second), `--minute` schedules due within the
 * same minute (their fire times spread over its 60 seconds), and `--burst` due in the same second
 * (the top of a minute, as 5-field expressions fire).
 *
 *   npx node --import tsx bench/cron-lateness.ts [--per-second 200] [--seconds 10] [--minute 10000]
 *     [--burst 10000] [--idle 100000]
 */
import { parseArgs } from 'node:util';
import { createScheduler } from '../src/scheduler/scheduler.js';
import { lockDueSchedules } from '../src/scheduler/schedule-repository.js';
import { createSignals } from '../src/signals.js';
import { benchDatabase, machine, ms, percentile, summarise, type Summary } from './support.js';

const { values } = parseArgs({
  options: {
    'per-second': { type: 'string', default: '200' },
    seconds: { type: 'string', default: '10' },
    minute: { type: 'string', default: '10000' },
    burst: { type: 'string', default: '10000' },
    idle: { type: 'string', default: '100000' },
  },
});
const perSecond = Number(values['per-second']);
const seconds = Number(values.seconds);
const minute = Number(values.minute);
const burst = Number(values.burst);
const idle = Number(values.idle);

const report: string[] = [];
const bench = await benchDatabase(['track_commit_timestamp=on']);
const { db } = bench;
const spec = (cron: string) => ({
  userId: 'bench',
  uniqueId: 'x',
  s3_bucket: 'bench',
  source_s3_prefix: '',
  destination_s3_prefix: 'out/',
  command: 'true',
  linux_dependencies: [],
  cron,
  timezone: 'UTC',
  overlap_policy: 'allow',
  catch_up_policy: 'latest',
  catch_up_window_seconds: 3600,
  catch_up_limit: 10,
  timeout_seconds: 60,
  cpus: 1,
  memory_mb: 64,
  env: {},
  base_image: 'debian:bookworm-slim',
  metrics_interval_seconds: 1,
});

/**
 * Registers `count` schedules of `cron`, first due at `next`; with `spreadSeconds`, schedule i is
 * due `i % spreadSeconds` seconds later, its expression firing at that second.
 */
async function register(label: string, count: number, cron: string, next: Date | string, spreadSeconds = 0) {
  if (spreadSeconds > 0) {
    const at = new Date(next);
    for (let second = 0; second < spreadSeconds; second += 1) {
      const due = new Date(at.getTime() + second * 1000);
      const share = Math.floor(count / spreadSeconds) + (second < count % spreadSeconds ? 1 : 0);
      await register(
        `${label}-${second}`,
        share,
        `${due.getUTCSeconds()} ${due.getUTCMinutes()} * * * *`,
        due,
      );
    }
    return;
  }
  await db.query(
    `WITH made AS (
       INSERT INTO jobs (id, user_id, unique_id, spec, cron, timezone)
       SELECT gen_random_uuid(), 'bench', $1 || '-' || i, $2::jsonb, $3, 'UTC' FROM generate_series(1, $4::int) AS i
       RETURNING id)
     INSERT INTO schedules (job_id, cron, timezone, overlap_policy, catch_up_policy, catch_up_window_seconds,
                            catch_up_limit, next_fire_at)
     SELECT id, $3, 'UTC', 'allow', 'latest', 3600, 10, $5::timestamptz FROM made`,
    [label, JSON.stringify(spec(cron)), cron, count, next],
  );
}

async function lateness(label: string): Promise<number[]> {
  const rows = await db.query<{ ms: number }>(
    `SELECT (EXTRACT(EPOCH FROM (pg_xact_commit_timestamp(r.xmin) - r.scheduled_for)) * 1000)::float8 AS ms
     FROM runs r JOIN jobs j ON j.id = r.job_id WHERE j.unique_id LIKE $1`,
    [`${label}-%`],
  );
  const early = rows.filter((r) => r.ms < 0).length;
  if (early > 0) throw new Error(`${label}: ${early} runs were queued before their fire time`);
  return rows.map((r) => r.ms);
}

const nextSecond = async (ahead: number) => {
  const [row] = await db.query<{ t: Date }>(
    `SELECT date_trunc('second', clock_timestamp()) + make_interval(secs => $1) AS t`,
    [ahead],
  );
  return row!.t;
};

/** The baseline: wake at `at` by the database's clock, insert `count` runs in one statement. */
async function baseline(count: number, at: Date): Promise<number[]> {
  await db.query(
    'CREATE TABLE IF NOT EXISTS bench_baseline (scheduled_for timestamptz, queued_at timestamptz)',
  );
  const [row] = await db.query<{ ms: number }>(
    `SELECT (EXTRACT(EPOCH FROM ($1::timestamptz - clock_timestamp())) * 1000)::float8 AS ms`,
    [at],
  );
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, row!.ms)));
  await db.query(`INSERT INTO bench_baseline SELECT $1, clock_timestamp() FROM generate_series(1, $2::int)`, [
    at,
    count,
  ]);
  const rows = await db.query<{ ms: number }>(
    `SELECT (EXTRACT(EPOCH FROM (pg_xact_commit_timestamp(xmin) - scheduled_for)) * 1000)::float8 AS ms
     FROM bench_baseline`,
  );
  await db.query('TRUNCATE bench_baseline');
  return rows.map((r) => r.ms);
}

const line = (name: string, measured: Summary, base: Summary) => {
  if (measured.n === 0) throw new Error(`${name}: no run was queued`);
  const text =
    `${name}: n=${measured.n} p50 ${ms(measured.p50)}, p99 ${ms(measured.p99)}, max ${ms(measured.max)}` +
    ` | baseline p99 ${ms(base.p99)} | p99 ratio ${(measured.p99 / Math.max(base.p99, 0.001)).toFixed(1)}×` +
    ` | target p99 < 100 ms: ${measured.p99 < 100 ? 'met' : 'MISSED'}`;
  report.push(text);
  console.log(text);
};

/** Median time of the scheduler's due-schedule query (nothing due), over 200 runs. */
async function dueQueryMs(): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 200; i += 1) {
    const started = performance.now();
    await db.transaction((tx) => lockDueSchedules(tx, new Date(), 500));
    times.push(performance.now() - started);
  }
  return percentile(times, 50);
}

console.log(`cron lateness — ${machine()}`);
await register('few', 100, '0 0 1 1 *', '2099-01-01T00:00:00Z');
await db.query('ANALYZE schedules');
const dueFew = await dueQueryMs();
console.log(`registering ${idle} idle schedules...`);
await register('idle', idle, '0 0 1 1 *', '2099-01-01T00:00:00Z');
await db.query('ANALYZE schedules');
const dueMany = await dueQueryMs();
const flat = `finding due schedules: ${ms(dueFew)} with 100 registered, ${ms(dueMany)} with ${idle + 100} | ratio ${(dueMany / dueFew).toFixed(2)}×`;
report.push(flat);
console.log(flat);

const scheduler = createScheduler({
  db,
  logger: bench.logger,
  misfireToleranceMs: 60_000,
  batchSize: 500,
  maxIdleMs: 1000,
  signals: createSignals(),
});
await scheduler.start();

// Steady load: `perSecond` schedules firing every second.
await register('steady', perSecond, '* * * * * *', await nextSecond(2));
scheduler.wake();
await new Promise((resolve) => setTimeout(resolve, (seconds + 2) * 1000));
await db.query(
  `UPDATE schedules SET paused = true WHERE job_id IN (SELECT id FROM jobs WHERE unique_id LIKE 'steady-%')`,
);
const steadyBase = summarise(await baseline(perSecond, await nextSecond(1)));
line(`${perSecond} schedules every second for ${seconds} s`, summarise(await lateness('steady')), steadyBase);

// `minute` schedules due in the same minute, spread over its seconds.
if (minute > 0) {
  const start = await nextSecond(5);
  await register('minute', minute, '', start, 60);
  scheduler.wake();
  await new Promise((resolve) => setTimeout(resolve, 5000 + 60_000 + 3000));
  const minuteBase = summarise(await baseline(Math.ceil(minute / 60), await nextSecond(1)));
  line(
    `${minute} schedules due in the same minute (${Math.ceil(minute / 60)} a second)`,
    summarise(await lateness('minute')),
    minuteBase,
  );
}

// A burst: `burst` schedules due in the same second.
const at = await nextSecond(3);
await register('burst', burst, `${at.getUTCSeconds()} ${at.getUTCMinutes()} * * * *`, at);
scheduler.wake();
await new Promise((resolve) => setTimeout(resolve, 3000 + 5000));
const burstBase = summarise(await baseline(burst, await nextSecond(1)));
line(`${burst} schedules due in the same second`, summarise(await lateness('burst')), burstBase);

await scheduler.stop();
await bench.close();

if (process.env.TDS_BENCH_REPORT) {
  const { appendFile } = await import('node:fs/promises');
  await appendFile(process.env.TDS_BENCH_REPORT, report.map((r) => `- ${r}\n`).join(''));
}
