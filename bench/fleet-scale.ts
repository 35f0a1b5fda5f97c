/**
 * Fleet scale: the same trivial jobs run by 1, 2 and 4 worker processes sharing one database and
 * one S3, each worker on a Docker engine of its own (a "host": a network namespace with its own
 * engine, as the fleet test makes them; as root only, else every worker shares this machine's
 * engine), with one API process taking the submissions. Records jobs per second for each and,
 * to say where the limit is, the machine's CPU use and the median time runs spent in each state.
 *
 *   npx node --import tsx bench/fleet-scale.ts [--jobs 200] [--workers 1,2,4] [--per-worker 2]
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  createHostNames,
  forward,
  loadImage,
  saveImage,
  startDockerHost,
  type DockerHost,
} from '../test/support/docker-hosts.js';
import { BASE_IMAGE, startServiceProcess, startStack, type BenchStack } from './stack.js';
import { machine, note, record } from './support.js';
import { endedRuns, phaseBreakdown, prepareTrivialJob, submit, waitForRun } from './trivial-job.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '200' },
    workers: { type: 'string', default: '1,2,4' },
    'per-worker': { type: 'string', default: '2' },
  },
});
const jobs = Number(values.jobs);
const counts = values.workers.split(',').map(Number);
const perWorker = values['per-worker'];
const most = Math.max(...counts);
const separateEngines = process.getuid?.() === 0;

/** CPU time of the whole machine so far: busy and total jiffies, from /proc/stat. */
function cpuTimes(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = fields[3]! + (fields[4] ?? 0);
  const total = fields.reduce((sum, value) => sum + value, 0);
  return { busy: total - idle, total };
}

console.log(`fleet scale — ${machine()}`);
const stack = await startStack();
const scratch = await mkdtemp(path.join(os.tmpdir(), 'tds-bench-fleet-'));
const hosts: DockerHost[] = [];
const closers: (() => Promise<void>)[] = [];
const apiProcess = await startServiceProcess(stack, { TDS_ROLES: 'api' });
try {
  if (separateEngines) {
    console.log(`starting ${most} Docker engines, each in a namespace of its own...`);
    const names = createHostNames();
    const image = await saveImage(BASE_IMAGE, scratch);
    for (let i = 1; i <= most; i += 1) {
      const host = await startDockerHost(names, i);
      hosts.push(host);
      await loadImage(host, image);
    }
  }

  /** Worker `i` (1-based): a process on host i's engine, reaching Postgres and S3 over its link. */
  async function startWorker(i: number) {
    const host = hosts[i - 1];
    let databaseUrl = stack.database.url;
    let s3Endpoint = stack.s3Endpoint;
    if (host) {
      const viaLink = async (raw: string) => {
        const url = new URL(raw);
        const forwarder = await forward(host.rootAddress, { host: url.hostname, port: Number(url.port) });
        closers.push(forwarder.close);
        url.hostname = host.rootAddress;
        url.port = String(forwarder.port);
        return url.toString().replace(/\/$/, '');
      };
      databaseUrl = await viaLink(databaseUrl);
      s3Endpoint = await viaLink(s3Endpoint);
    }
    return startServiceProcess(
      stack,
      {
        DATABASE_URL: databaseUrl,
        TDS_ROLES: 'worker',
        TDS_WORKER_ID: `bench-fleet-${i}`,
        TDS_WORKER_TAGS: `bench-host-${i}`,
        TDS_MAX_CONCURRENT_RUNS: perWorker,
        S3_ENDPOINT: s3Endpoint,
        ...(host ? { DOCKER_HOST: host.dockerHost } : {}),
      },
      host?.enter ?? [],
    );
  }

  const job = await preparePerHost(stack);
  /** Each host's package image built once, before anything is timed: a job tagged for each. */
  async function preparePerHost(benchStack: BenchStack) {
    const warming = await Promise.all(Array.from({ length: most }, (_, i) => startWorker(i + 1)));
    const prepared = await prepareTrivialJob(benchStack, apiProcess.apiUrl, []);
    await Promise.all(
      Array.from({ length: most }, async (_, i) => {
        const runId = await submit(apiProcess.apiUrl, {
          ...prepared.body(`warm-host-${i + 1}-${Date.now()}`),
          requires: [`bench-host-${i + 1}`],
          network: 'none',
        });
        const ended = await waitForRun(apiProcess.apiUrl, runId, 100);
        if (ended.state !== 'succeeded')
          throw new Error(`the warm-up job of host ${i + 1} ended ${ended.state}`);
      }),
    );
    for (const worker of warming) await worker.stop();
    return prepared;
  }

  const rates: string[] = [];
  const limits: string[] = [];
  for (const count of counts) {
    const workers = await Promise.all(Array.from({ length: count }, (_, i) => startWorker(i + 1)));
    const prefix = `scale-${count}-${Date.now()}-`;
    console.log(`${count} worker(s), ${perWorker} runs each at a time: ${jobs} jobs...`);
    const cpuBefore = cpuTimes();
    const submitted = Date.now();
    await Promise.all(
      Array.from({ length: jobs }, (_, i) =>
        submit(apiProcess.apiUrl, { ...job.body(`${prefix}${i}`), network: 'none' }),
      ),
    );
    let progress = await endedRuns(stack.database.db, prefix);
    while (progress.ended < jobs) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      progress = await endedRuns(stack.database.db, prefix);
    }
    const seconds = (progress.lastMs - submitted) / 1000;
    const cpuAfter = cpuTimes();
    const busy = (100 * (cpuAfter.busy - cpuBefore.busy)) / (cpuAfter.total - cpuBefore.total);
    const [failed] = await stack.database.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM runs r JOIN jobs j ON j.id = r.job_id
       WHERE j.unique_id LIKE $1 AND r.state <> 'succeeded'`,
      [`${prefix}%`],
    );
    rates.push(
      `${count} worker${count > 1 ? 's' : ''}: ${(jobs / seconds).toFixed(2)} jobs/s (${seconds.toFixed(1)} s, CPU ${busy.toFixed(0)}% busy, ${failed!.n} not succeeded)`,
    );
    limits.push(`${count}: ${await phaseBreakdown(stack.database.db, prefix)}`);
    for (const worker of workers) await worker.stop();
  }
  await record(
    `${jobs} trivial jobs, ${perWorker} runs at a time per worker, each worker ${separateEngines ? 'on a Docker engine of its own' : "on this machine's engine (not root: no engines of their own)"}: ${rates.join('; ')}`,
  );
  await note(
    `Median time a run spent in each state, by the number of workers: ${limits.join(' | ')}. ` +
      `Each worker is a process of its own (TDS_ROLES=worker, TDS_MAX_CONCURRENT_RUNS=${perWorker}); one API ` +
      'process takes all the POST /jobs at once; the time runs from the first submission until the last run ' +
      "has recorded its end (results uploaded). CPU is the whole machine's, over that time: the engines, " +
      'containers, workers, API, Postgres and S3 server all share its cores, so where it nears 100% the ' +
      'limit is the machine, not the claim (bench/claim-rate measures the claim alone).',
  );
} finally {
  for (const close of closers) await close();
  for (const host of hosts) await host.remove();
  await apiProcess.stop();
  await stack.close();
  await rm(scratch, { recursive: true, force: true });
}
