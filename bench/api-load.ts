/**
 * API under load (autocannon): requests/s and latency of POST /jobs and GET /runs/:id, at a fixed
 * 500 requests/s and flat out. The service runs in its own process with the api role only, so no
 * container is started for the jobs posted.
 *
 *   npx node --import tsx bench/api-load.ts [--rate 500] [--seconds 15] [--connections 10]
 */
import { parseArgs } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import autocannon from 'autocannon';
import { startServiceProcess, startStack } from './stack.js';
import { machine, ms, note, percentile, record, verdict } from './support.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '15' },
    connections: { type: 'string', default: '10' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const connections = Number(values.connections);

console.log(`API load — ${machine()}`);
const stack = await startStack();
// The API alone: no worker takes the runs, so every job posted stays queued. The queued-runs limits
// (10,000 a user) and the request rates (6,000 a minute from one address) would refuse the later
// ones with 429: raised, as this measures the API's latency at a rate, not its limits.
const service = await startServiceProcess(stack, {
  TDS_ROLES: 'api',
  LOG_LEVEL: 'warn',
  TDS_RATE_LIMIT_PER_MINUTE: '1000000',
  TDS_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '1000000',
  TDS_MAX_QUEUED_RUNS_PER_USER: '10000000',
  TDS_MAX_QUEUED_RUNS: '100000000',
});
await stack.createBucket('tds-bench');
await stack.s3.send(new PutObjectCommand({ Bucket: 'tds-bench', Key: 'in/data.txt', Body: 'a,b\n1,2\n' }));

let posted = 0;
/** A new job each time (a fresh uniqueId). */
const jobBody = () =>
  JSON.stringify({
    userId: 'bench',
    uniqueId: `api-${process.pid}-${(posted += 1)}`,
    s3_bucket: 'tds-bench',
    source_s3_prefix: 'in/',
    destination_s3_prefix: 'out/',
    command: 'echo hello > output/hello.txt',
    linux_dependencies: ['jq'],
  });

interface Load {
  /** Requests served per second. */
  rate: number;
  p50: number;
  p99: number;
  /** At a set rate: p99 without the correction for coordinated omission. */
  rawP99: number;
}

/**
 * Latencies are taken from every response, not from autocannon's histogram: at a set rate,
 * autocannon 9 corrects for coordinated omission with an expected interval of `Math.ceil(1 / rate)`
 * (lib/run.js), 1 ms whatever the rate, which counts a response of n ms about n times. The same
 * correction is made here with the interval each connection is actually paced at
 * (connections / rate): a response slower than that also counts the requests it held back, as
 * HdrHistogram's recordValueWithExpectedInterval does.
 */
async function load(
  title: string,
  options: Partial<autocannon.Options>,
  overallRate: number | undefined,
): Promise<Load> {
  const latencies: number[] = [];
  const interval = overallRate ? (connections * 1000) / overallRate : undefined;
  const corrected: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: service.apiUrl,
        connections,
        duration: seconds,
        ...(overallRate ? { overallRate, ignoreCoordinatedOmission: true } : {}),
        ...options,
      },
      (error, result) => (error ? reject(error as Error) : resolve(result)),
    );
    instance.on('response', (_client, statusCode, _bytes, ms) => {
      if (statusCode >= 300) return;
      latencies.push(ms);
      corrected.push(ms);
      if (interval) for (let held = ms - interval; held >= interval; held -= interval) corrected.push(held);
    });
  });
  const failures = result.non2xx + result.errors + result.timeouts;
  const load: Load = {
    rate: result.requests.average,
    p50: percentile(latencies, 50),
    p99: percentile(corrected, 99),
    rawP99: percentile(latencies, 99),
  };
  console.log(
    `${title}: ${load.rate.toFixed(0)} req/s, p50 ${ms(load.p50)}, p99 ${ms(load.p99)}` +
      `${interval ? ` (uncorrected ${ms(load.rawP99)})` : ''}, ${failures} failed`,
  );
  if (failures > 0) throw new Error(`${title}: ${failures} requests failed`);
  return load;
}

const post = {
  requests: [
    {
      method: 'POST' as const,
      path: '/jobs',
      headers: { 'content-type': 'application/json' },
      setupRequest: (request: autocannon.Request) => ({ ...request, body: jobBody() }),
    },
  ],
};
try {
  await load('warm-up', post, 100);
  const postAtRate = await load(`POST /jobs at ${rate}/s`, post, rate);
  const postMax = await load('POST /jobs flat out', post, undefined);

  const runIds = (
    await stack.database.db.query<{ id: string }>('SELECT id FROM runs ORDER BY random() LIMIT 1000')
  ).map((r) => r.id);
  let next = 0;
  const get = {
    requests: [
      {
        method: 'GET' as const,
        setupRequest: (request: autocannon.Request) => ({
          ...request,
          path: `/runs/${runIds[next++ % runIds.length]}`,
        }),
      },
    ],
  };
  const getAtRate = await load(`GET /runs/:id at ${rate}/s`, get, rate);
  const getMax = await load('GET /runs/:id flat out', get, undefined);

  const line = (what: string, atRate: Load, max: Load) =>
    `${what}: at ${rate}/s offered, ${atRate.rate.toFixed(0)} req/s served, p50 ${ms(atRate.p50)}, ` +
    `p99 ${ms(atRate.p99)} (target p99 < 20 ms: ${verdict(atRate.p99 < 20)}; uncorrected ${ms(atRate.rawP99)}); ` +
    `flat out ${max.rate.toFixed(0)} req/s, p99 ${ms(max.p99)}`;
  await record(line('POST /jobs', postAtRate, postMax), line('GET /runs/:id', getAtRate, getMax));
  await note(
    `autocannon in the benchmark's process, ${connections} connections, ${seconds} s per figure; at a set rate ` +
      'each connection sends its share of a second back to back, then waits for the next second. ' +
      'Latencies are of every response; at a set rate a response slower than the interval each connection ' +
      `is paced at (${((connections * 1000) / rate).toFixed(0)} ms) also counts the requests it held back ` +
      "(autocannon's own correction uses a 1 ms interval whatever the rate, which counts a response of n ms " +
      'n times; the figures recorded before this note were taken with it). The service ' +
      "as `npm start` runs it, with TDS_ROLES=api, in its own process against the benchmark's embedded " +
      'Postgres and S3 server. Each POST is a new job (a fresh uniqueId) over the same inputs: validated, ' +
      "checked against the user's ceilings (one query), stored with its first run and its audit row (one " +
      'statement, no transaction), answered with why its run would wait (one query of the claiming ' +
      'workers); its ' +
      'bucket and input prefix are checked in S3 (one request) when the service has not found objects ' +
      'there in the last 5 seconds, so about once every 5 s here. GET reads a random one of 1,000 runs ' +
      'with its history.',
  );
} finally {
  await service.stop();
  await stack.close();
}
