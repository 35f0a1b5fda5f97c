/**
 * Workflows, each figure against a baseline measured in the same run:
 * - step hop: the end of a step → its dependant running, against a single job's submit → running
 *   (target ≤ 1.2×), the two taking turns;
 * - fan-out: a 200-item fan-out plus its reduce, against the same 200 plain jobs posted at once
 *   (target ≥ 0.9× their rate);
 * - validating a 500-step workflow (target < 50 ms), against validating one job 500 times;
 * - with no target yet: a single job's submit → running against the floor, `docker create` + `start`
 *   of the cached package image through the same engine.
 *
 *   npx node --import tsx bench/workflows.ts [--hops 10] [--items 200]
 */
import { parseArgs } from 'node:util';
import Docker from 'dockerode';
import { normaliseJobRequest } from '../src/jobs/job-spec.js';
import { parseWorkflowRequest } from '../src/workflows/workflow-definition.js';
import { api, startServiceProcess, startStack } from './stack.js';
import { machine, ms, note, percentile, ratio, record, verdict } from './support.js';
import { BUCKET, COMMAND, prepareTrivialJob, submit, waitForRun } from './trivial-job.js';

const { values } = parseArgs({
  options: { hops: { type: 'string', default: '10' }, items: { type: 'string', default: '200' } },
});
const hops = Number(values.hops);
const items = Number(values.items);
const DEFAULTS = {
  timeoutSeconds: 3600,
  cpus: 1,
  memoryMb: 512,
  diskMb: 1024,
  metricsIntervalSeconds: 1,
  baseImage: 'debian:bookworm-slim',
  network: 'none' as const,
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function waitForWorkflowRun(apiUrl: string, id: string): Promise<any> {
  for (;;) {
    const { body } = await api<{ state: string }>(apiUrl, 'GET', `/workflow-runs/${id}`);
    if (['succeeded', 'failed', 'cancelled'].includes(body.state)) return body;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

console.log(`workflows — ${machine()}`);

// Validation: no service needed.
const steps = Array.from({ length: 500 }, (_, i) => ({
  name: `s${i}`,
  command: i === 0 ? 'echo 0' : `echo {{steps.s${i - 1}.result}}`,
}));
const shared = {
  userId: 'bench',
  uniqueId: 'v',
  s3_bucket: BUCKET,
  source_s3_prefix: '',
  destination_s3_prefix: '',
};
const validate: number[] = [];
const jobs: number[] = [];
for (let i = 0; i < 20; i += 1) {
  let t = performance.now();
  parseWorkflowRequest({ ...shared, steps }, DEFAULTS);
  validate.push(performance.now() - t);
  t = performance.now();
  for (let j = 0; j < 500; j += 1) normaliseJobRequest({ ...shared, command: 'echo 0' }, DEFAULTS);
  jobs.push(performance.now() - t);
}
const v50 = percentile(validate, 50);
const j50 = percentile(jobs, 50);

const stack = await startStack();
const service = await startServiceProcess(stack, { TDS_MAX_CONCURRENT_RUNS: '8' });
try {
  const job = await prepareTrivialJob(stack, service.apiUrl, []);
  const hop: number[] = [];
  const single: number[] = [];
  const floor: number[] = [];
  const docker = new Docker();
  const body = (uniqueId: string, workflowSteps: unknown[], maxParallel = 4) => ({
    ...job.body(uniqueId),
    command: undefined,
    max_parallel: maxParallel,
    steps: workflowSteps,
  });
  for (let i = 0; i < hops; i += 1) {
    const posted = await api<{ workflowRun: { id: string } }>(
      service.apiUrl,
      'POST',
      '/workflows',
      body(`hop-${Date.now()}-${i}`, [
        { name: 'a', command: COMMAND },
        { name: 'b', depends_on: ['a'], command: COMMAND },
      ]),
    );
    const run = await waitForWorkflowRun(service.apiUrl, posted.body.workflowRun.id);
    const [a, b] = await Promise.all(
      ['a', 'b'].map((n) =>
        waitForRun(service.apiUrl, run.steps.find((s: { name: string }) => s.name === n).runId as string),
      ),
    );
    hop.push(Date.parse(b!.startedAt!) - Date.parse(a!.finishedAt!));
    const submitted = Date.now();
    const timings = await waitForRun(
      service.apiUrl,
      await submit(service.apiUrl, job.body(`hop-job-${Date.now()}-${i}`)),
    );
    single.push(Date.parse(timings.startedAt!) - submitted);
    // The floor: a container of the cached package image created and started by the engine.
    const created = performance.now();
    const container = await docker.createContainer({ Image: job.hand.fromImage, Cmd: ['true'] });
    await container.start();
    floor.push(performance.now() - created);
    await container.remove({ force: true });
    process.stdout.write('.');
  }
  console.log();

  // 200 plain jobs at once, then a 200-item fan-out plus its reduce.
  let t = Date.now();
  const ids = await Promise.all(
    Array.from({ length: items }, (_, i) => submit(service.apiUrl, job.body(`fan-job-${t}-${i}`))),
  );
  await Promise.all(ids.map((id) => waitForRun(service.apiUrl, id, 200)));
  const plainMs = Date.now() - t;
  t = Date.now();
  const fan = await api<{ workflowRun: { id: string } }>(
    service.apiUrl,
    'POST',
    '/workflows',
    body(
      `fan-${t}`,
      [
        {
          name: 'each',
          for_each: Array.from({ length: items }, (_, i) => i),
          command: `${COMMAND} && echo {{item}}`,
        },
        { name: 'reduce', command: 'echo "$TDS_STEP_EACH_RESULT" | wc -c', depends_on: ['each'] },
      ],
      1000,
    ),
  );
  const fanRun = await waitForWorkflowRun(service.apiUrl, fan.body.workflowRun.id);
  if (fanRun.state !== 'succeeded') throw new Error(`the fan-out ended ${fanRun.state}`);
  const fanMs = Date.now() - t;
  const [h50, s50, f50] = [percentile(hop, 50), percentile(single, 50), percentile(floor, 50)];
  const plainRate = items / (plainMs / 1000);
  const fanRate = items / (fanMs / 1000);
  await record(
    `step hop (n=${hops}): median ${ms(h50)} vs a job's submit → running ${ms(s50)} = ${ratio(h50, s50)} (target ≤ 1.2×: ${verdict(h50 / s50 <= 1.2)})`,
    `${items}-item fan-out + reduce: ${fanRate.toFixed(1)} items/s vs ${items} plain jobs at once ${plainRate.toFixed(1)} jobs/s = ${ratio(fanRate, plainRate)} (target ≥ 0.9×: ${verdict(fanRate / plainRate >= 0.9)})`,
    `validating a 500-step workflow: median ${ms(v50)} (target < 50 ms: ${verdict(v50 < 50)}); validating 500 single jobs ${ms(j50)} = ${ratio(v50, j50)}`,
    `a job's submit → running (n=${hops}): median ${ms(s50)} vs the floor, docker create + start of the cached package image, ${ms(f50)} = ${ratio(s50, f50)} (no target yet)`,
  );
  await note(
    "The steps run the dispatch benchmark's trivial job (no packages). \"Step hop\" is the dependant's recorded start minus the step's recorded end. " +
      "The fan-out runs with max_parallel 1000, so the worker's TDS_MAX_CONCURRENT_RUNS (8) bounds both sides alike.",
  );
} finally {
  await service.stop();
  await stack.close();
}
