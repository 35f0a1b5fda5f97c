/**
 * API under load (autocannon): requests/s and latency of POST /jobs and GET /runs/:id, at a fixed
 * 500 requests/s and flat out. The service runs in its own process with the api role only, so no
 * container is started for the jobs posted.
 *
 *   node --import tsx bench/api-load.ts [--rate 500] [--seconds 15] [--connections 10]
 */
import { parseArgs } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import autocannon from 'autocannon';
import { startServiceProcess, startStack } from './stack.js';
import { machine, note, record, verdict } from './support.js';

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
const service = await startServiceProcess(stack, { TDS_ROLES: 'api', LOG_LEVEL: 'warn' });
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

async function load(
  title: string,
  options: Partial<autocannon.Options>,
  overallRate: number | undefined,
): Promise<autocannon.Result> {
  const result = await autocannon({
    url: service.apiUrl,
    connections,
    duration: seconds,
    ...(overallRate ? { overallRate } : {}),
    ...options,
  });
  const failures = result.non2xx + result.errors + result.timeouts;
  console.log(
    `${title}: ${result.requests.average.toFixed(0)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ${failures} failed`,
  );
  if (failures > 0) throw new Error(`${title}: ${failures} requests failed`);
  return result;
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

  const line = (what: string, atRate: autocannon.Result, max: autocannon.Result) =>
    `${what}: at ${rate}/s offered, ${atRate.requests.average.toFixed(0)} req/s served, p50 ${atRate.latency.p50} ms, ` +
    `p99 ${atRate.latency.p99} ms (target p99 < 20 ms: ${verdict(atRate.latency.p99 < 20)}); ` +
    `flat out ${max.requests.average.toFixed(0)} req/s, p99 ${max.latency.p99} ms`;
  await record(line('POST /jobs', postAtRate, postMax), line('GET /runs/:id', getAtRate, getMax));
  await note(
    `autocannon in the benchmark's process, ${connections} connections, ${seconds} s per figure; the service ` +
      "as `npm start` runs it, with TDS_ROLES=api, in its own process against the benchmark's embedded " +
      'Postgres and S3 server. Each POST is a new job (a fresh uniqueId) over the same inputs: validated, ' +
      "checked against the user's ceilings (one query), stored with its first run (one statement); its " +
      'bucket and input prefix are checked in S3 (one request) when the service has not found objects ' +
      'there in the last 5 seconds, so about once every 5 s here. GET reads a random one of 1,000 runs ' +
      'with its history.',
  );
} finally {
  await service.stop();
  await stack.close();
}
