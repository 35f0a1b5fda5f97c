/**
 * Throughput: trivial jobs submitted at once, time until every result is in S3; against the
 * hand-run baseline (bench/hand-run.ts) running the same jobs with the same parallelism, in the
 * same run.
 *
 *   npx node --import tsx bench/throughput.ts [--jobs 200] [--parallel 4] [--packages jq]
 */
import { parseArgs } from 'node:util';
import { handRun, HAND_RUN_DESCRIPTION } from './hand-run.js';
import { startServiceProcess, startStack } from './stack.js';
import { machine, note, record, verdict } from './support.js';
import { endedRuns, phaseBreakdown, prepareTrivialJob, submit } from './trivial-job.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '200' },
    parallel: { type: 'string', default: '4' },
    packages: { type: 'string', default: 'jq' },
  },
});
const jobs = Number(values.jobs);
const parallel = Number(values.parallel);
const packages = values.packages ? values.packages.split(',') : [];

console.log(`throughput — ${machine()}`);
const stack = await startStack();
const service = await startServiceProcess(stack, { TDS_MAX_CONCURRENT_RUNS: String(parallel) });
try {
  const job = await prepareTrivialJob(stack, service.apiUrl, packages);

  console.log(`service: ${jobs} jobs, ${parallel} at a time...`);
  const submitted = Date.now();
  await Promise.all(
    Array.from({ length: jobs }, (_, i) => submit(service.apiUrl, job.body(`throughput-${i}`))),
  );
  let progress = await endedRuns(stack.database.db, 'throughput-');
  while (progress.ended < jobs) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    progress = await endedRuns(stack.database.db, 'throughput-');
  }
  const oursSeconds = (progress.lastMs - submitted) / 1000;
  const [failed] = await stack.database.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM runs WHERE state <> 'succeeded' AND job_id IN
       (SELECT id FROM jobs WHERE unique_id LIKE 'throughput-%')`,
  );

  console.log(`hand-run: ${jobs} jobs, ${parallel} at a time...`);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < jobs) {
        const i = next;
        next += 1;
        await handRun(stack.s3, job.hand, `throughput-${i}`);
      }
    }),
  );
  const handSeconds = (performance.now() - started) / 1000;

  const ours = jobs / oursSeconds;
  const hand = jobs / handSeconds;
  await record(
    `${jobs} trivial jobs, ${parallel} at a time: service ${oursSeconds.toFixed(1)} s (${ours.toFixed(2)} jobs/s), ` +
      `hand-run script ${handSeconds.toFixed(1)} s (${hand.toFixed(2)} jobs/s) = ${(ours / hand).toFixed(2)}× ` +
      `the script's rate (target ≥ 0.9×: ${verdict(ours / hand >= 0.9)}); ${failed!.n} runs did not succeed`,
  );
  await note(
    `Median time a run spent in each state: ${await phaseBreakdown(stack.database.db, 'throughput-')}. ` +
      `The service (TDS_MAX_CONCURRENT_RUNS=${parallel}) gets all ${jobs} POST /jobs at once and is timed ` +
      'until the last run has recorded its end (its results uploaded). The script runs the same job with ' +
      `${parallel} hand-runs going at a time. ${HAND_RUN_DESCRIPTION}`,
  );
} finally {
  await service.stop();
  await stack.close();
}
