/**
 * Dispatch overhead: submit → container running, and submit → results in S3, for a trivial job
 * whose packages are cached, one job at a time; against the hand-run baseline (bench/hand-run.ts)
 * in the same run, the two taking turns.
 *
 *   npx node --import tsx bench/dispatch.ts [--runs 20] [--packages jq]
 */
import { parseArgs } from 'node:util';
import { handRun, HAND_RUN_DESCRIPTION } from './hand-run.js';
import { startServiceProcess, startStack } from './stack.js';
import { machine, ms, note, percentile, ratio, record, verdict } from './support.js';
import { phaseBreakdown, prepareTrivialJob, submit, waitForRun } from './trivial-job.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    packages: { type: 'string', default: 'jq' },
  },
});
const runs = Number(values.runs);
const packages = values.packages ? values.packages.split(',') : [];

console.log(`dispatch overhead — ${machine()}`);
const stack = await startStack();
const service = await startServiceProcess(stack);
try {
  const job = await prepareTrivialJob(stack, service.apiUrl, packages);
  const ours = { running: [] as number[], done: [] as number[] };
  const hand = { running: [] as number[], done: [] as number[] };
  for (let i = 0; i < runs; i += 1) {
    const submitted = Date.now();
    const timings = await waitForRun(service.apiUrl, await submit(service.apiUrl, job.body(`dispatch-${i}`)));
    if (timings.state !== 'succeeded') throw new Error(`run ${i} ended ${timings.state}`);
    ours.running.push(Date.parse(timings.startedAt!) - submitted);
    ours.done.push(Date.parse(timings.finishedAt!) - submitted);
    const times = await handRun(stack.s3, job.hand, `dispatch-${i}`);
    hand.running.push(times.runningMs);
    hand.done.push(times.doneMs);
    process.stdout.write('.');
  }
  console.log();
  const line = (what: string, measured: number[], baseline: number[]) => {
    const [m50, b50, m99, b99] = [
      percentile(measured, 50),
      percentile(baseline, 50),
      percentile(measured, 99),
      percentile(baseline, 99),
    ];
    return (
      `${what} (n=${runs}): median ${ms(m50)} vs hand-run ${ms(b50)} = ${ratio(m50, b50)} ` +
      `(target ≤ 1.2×: ${verdict(m50 / b50 <= 1.2)}); p99 ${ms(m99)} vs ${ms(b99)} = ${ratio(m99, b99)} ` +
      `(target ≤ 1.5×: ${verdict(m99 / b99 <= 1.5)})`
    );
  };
  await record(
    line('submit → container running', ours.running, hand.running),
    line('submit → results in S3', ours.done, hand.done),
  );
  await note(
    `Median time a run spent in each state: ${await phaseBreakdown(stack.database.db, 'dispatch-')}. ` +
      `The job: one 12-byte input, \`${job.hand.command}\`, packages \`${packages.join(' ')}\` already ` +
      'cached as an image. The service runs as `npm start` does, in its own process, with all roles; ' +
      '"running" is the run\'s recorded start, "results in S3" its recorded end (after run.json, ' +
      'logs, outputs and metrics are uploaded). ' +
      HAND_RUN_DESCRIPTION,
  );
} finally {
  await service.stop();
  await stack.close();
}
