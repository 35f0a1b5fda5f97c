/**
 * Noisy neighbour: tenant B submits jobs and reads its runs at a steady rate while tenant A, in
 * turn, tries each way one tenant has been able to stall or bloat a shared service. Recorded, for
 * each attack: B's `POST /jobs` and `GET /runs/:id` p99 during the attack against B alone in the
 * same run (goal ≤ 1.5×), the service's peak RSS during the attack (goal < 300 MiB), and B's
 * webhook delivery delay while A's endpoint is black-holed and flooded (goal p99 < 5 s).
 *
 *   npx node --import tsx bench/noisy-neighbour.ts [--seconds 20] [--rate 8]
 *
 * The service runs as `npm start` runs it (every role, keys on) in a process of its own against
 * the benchmark's Postgres and S3 server. B's jobs require a tag no worker has, so they stay queued
 * and B's figures are the API's alone; A's attacks that need containers run on the service's
 * worker.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { parseArgs } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createApiKey } from '../src/auth/key-repository.js';
import { SETTINGS } from '../src/config.js';
import { freePort } from '../test/support/free-port.js';
import { startServiceProcess, startStack, type ServiceProcess } from './stack.js';
import { machine, ms, note, percentile, record, verdict } from './support.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    rate: { type: 'string', default: '8' },
  },
});
const phaseSeconds = Number(values.seconds);
/** B's requests per second, of each kind. */
const rate = Number(values.rate);
/** Requests a minute (and a second) per API key, per client address and refused keys per address: the defaults. */
const limits = {
  perKey: SETTINGS.TDS_RATE_LIMIT_PER_MINUTE.read('TDS_RATE_LIMIT_PER_MINUTE', undefined),
  perKeyPerSecond: SETTINGS.TDS_RATE_LIMIT_PER_SECOND.read('TDS_RATE_LIMIT_PER_SECOND', undefined),
  perAddress: SETTINGS.TDS_RATE_LIMIT_PER_ADDRESS_PER_MINUTE.read(
    'TDS_RATE_LIMIT_PER_ADDRESS_PER_MINUTE',
    undefined,
  ),
  refusedKeys: SETTINGS.TDS_AUTH_FAILURES_PER_MINUTE.read('TDS_AUTH_FAILURES_PER_MINUTE', undefined),
};
const RATE_LIMIT_PER_MINUTE = limits.perKey;
if (
  rate * 2 * 60 > RATE_LIMIT_PER_MINUTE * 0.9 ||
  (limits.perKeyPerSecond > 0 && rate * 2 > limits.perKeyPerSecond * 0.9)
) {
  throw new Error(`--rate ${rate} (of each kind) would take B past its own request limit`);
}
const PARKED = ['bench-parked-nowhere'];

console.log(`Noisy neighbour — ${machine()}`);
const stack = await startStack();
const keyA = (await createApiKey(stack.database.db, { userId: 'tenant-a' }, 'bench')).key;
const keyB = (await createApiKey(stack.database.db, { userId: 'tenant-b' }, 'bench')).key;
await stack.createBucket('tenant-a');
await stack.createBucket('tenant-b');
for (const bucket of ['tenant-a', 'tenant-b']) {
  await stack.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'in/data.txt', Body: 'a,b\n1,2\n' }));
}
const operatorKey = (await createApiKey(stack.database.db, { operator: true }, 'bench')).key;
const service = await startServiceProcess(stack, {
  TDS_AUTH: 'on',
  TDS_MAX_CONCURRENT_RUNS: '4',
  TDS_WEBHOOK_ALLOW_PRIVATE: 'true',
  // The request limits a user meets on the embedded defaults (the stack turns the per-key one
  // off for the benchmarks that drive the API past it): a flood is one of the attacks, and these
  // are what holds it. B's steady load stays under them.
  TDS_RATE_LIMIT_PER_MINUTE: '',
  TDS_RATE_LIMIT_PER_SECOND: '',
});

// Keys are on: each tenant may use its own bucket only.
for (const user of ['tenant-a', 'tenant-b']) {
  const allowed = await fetch(`${service.apiUrl}/admin/users/${user}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${operatorKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ allowedBuckets: [user] }),
  });
  if (!allowed.ok) throw new Error(`the allow-list of ${user}: ${allowed.status} ${await allowed.text()}`);
}

interface Answer {
  status: number;
  /** Retry-After, in seconds, when the answer had one. */
  retryAfter?: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of many shapes, read field by field
  body: any;
}

/**
 * Each tenant calls from an address of its own on the loopback network, as two tenants on two
 * machines would: the per-address limits count each apart.
 */
const ADDRESS_A = '127.0.0.2';
const ADDRESS_B = '127.0.0.3';
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

async function call(
  key: string,
  method: string,
  url: string,
  body?: unknown,
  timeoutMs = 30_000,
): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const text = await new Promise<{ status: number; text: string; retryAfter?: number }>((resolve, reject) => {
    const request = http.request(
      `${service.apiUrl}${url}`,
      {
        method,
        agent,
        localAddress: key === keyB ? ADDRESS_B : ADDRESS_A,
        headers: {
          authorization: `Bearer ${key}`,
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
        signal: AbortSignal.timeout(timeoutMs),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            retryAfter: Number(response.headers['retry-after']) || undefined,
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
  let parsed: unknown = text.text;
  try {
    parsed = JSON.parse(text.text);
  } catch {
    // not JSON
  }
  if (key !== keyB) answeredToA.set(text.status, (answeredToA.get(text.status) ?? 0) + 1);
  return { status: text.status, body: parsed, retryAfter: text.retryAfter };
}

/**
 * A call that waits out the request limits: after the attacks, A's address has used its minute's
 * requests, and what follows is set-up, not an attack.
 */
async function patiently(key: string, method: string, url: string, body?: unknown): Promise<Answer> {
  for (;;) {
    const answer = await call(key, method, url, body);
    if (answer.status !== 429) return answer;
    await new Promise((resolve) => setTimeout(resolve, (answer.retryAfter ?? 1) * 1000));
  }
}

/** The run an accepted `POST /jobs` queued. */
function runIdOf(answer: Answer): string {
  const id = answer.body?.run?.id;
  if ((answer.status !== 202 && answer.status !== 200) || typeof id !== 'string') {
    throw new Error(`the job was refused: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return id;
}

let serial = 0;
const jobOf = (user: string, overrides: Record<string, unknown> = {}) => ({
  userId: user,
  uniqueId: `nn-${process.pid}-${(serial += 1)}`,
  s3_bucket: user,
  source_s3_prefix: 'in/',
  destination_s3_prefix: 'out/',
  command: 'true',
  linux_dependencies: [],
  ...overrides,
});

/** The service's resident memory, sampled while a phase lasts. */
function rssMiB(process: ServiceProcess): number {
  const status = readFileSync(`/proc/${process.pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

interface Phase {
  name: string;
  post: number[];
  get: number[];
  peakRssMiB: number;
  errors: number;
  /** Why the attack stopped before the phase ended, if it did: its figures then measure nothing. */
  attackFailed?: string;
  /** What A's requests were answered in the phase, by status. */
  aAnswers: string;
}

/** How many of A's requests were answered with each status, all along. */
const answeredToA = new Map<number, number>();

const bRuns: string[] = [];

/** B's steady load for `seconds`, with `attack` running beside it until the phase ends. */
async function phase(name: string, attack?: (signal: AbortSignal) => Promise<unknown>): Promise<Phase> {
  const result: Phase = { name, post: [], get: [], peakRssMiB: 0, errors: 0, aAnswers: '' };
  const aBefore = new Map(answeredToA);
  const stop = new AbortController();
  const sampler = setInterval(() => {
    result.peakRssMiB = Math.max(result.peakRssMiB, rssMiB(service));
  }, 100);
  const attackDone = attack?.(stop.signal).catch((error: unknown) => {
    result.attackFailed = String(error);
    console.log(`  attack ${name} failed: ${result.attackFailed}`);
  });
  const pending: Promise<void>[] = [];
  const started = Date.now();
  for (let tick = 0; Date.now() - started < phaseSeconds * 1000; tick += 1) {
    const due = started + (tick * 1000) / rate;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
    pending.push(
      (async () => {
        const t0 = performance.now();
        const answer = await call(keyB, 'POST', '/jobs', jobOf('tenant-b', { requires: PARKED }));
        result.post.push(performance.now() - t0);
        if (answer.status !== 202 && answer.status !== 200) result.errors += 1;
        else bRuns.push(runIdOf(answer));
      })().catch(() => void (result.errors += 1)),
      (async () => {
        const runId = bRuns[Math.floor(Math.random() * bRuns.length)];
        if (!runId) return;
        const t0 = performance.now();
        const answer = await call(keyB, 'GET', `/runs/${runId}`);
        result.get.push(performance.now() - t0);
        if (answer.status !== 200) result.errors += 1;
      })().catch(() => void (result.errors += 1)),
    );
  }
  await Promise.all(pending);
  stop.abort();
  clearInterval(sampler);
  await attackDone;
  result.aAnswers = [...answeredToA]
    .map(([status, n]) => [status, n - (aBefore.get(status) ?? 0)] as const)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${n} × ${status}`)
    .join(', ');
  console.log(
    `${name}: POST p99 ${ms(percentile(result.post, 99))}, GET p99 ${ms(percentile(result.get, 99))}, ` +
      `peak RSS ${result.peakRssMiB.toFixed(0)} MiB, ${result.errors} errors` +
      (result.aAnswers ? `; A's requests answered ${result.aAnswers}` : ''),
  );
  return result;
}

/** Runs `one` over and over, `parallel` at a time, until the signal. */
async function repeat(signal: AbortSignal, parallel: number, one: () => Promise<unknown>): Promise<void> {
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (!signal.aborted) await one().catch(() => undefined);
    }),
  );
}

async function waitForRun(key: string, runId: string, state: string): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    const run = await call(key, 'GET', `/runs/${runId}`);
    if (run.status !== 200) throw new Error(`run ${runId}: ${run.status} ${JSON.stringify(run.body)}`);
    if (run.body.state === state) return;
    if (run.body.timings?.endedAt)
      throw new Error(`run ${runId} ended ${run.body.state} before it was ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`run ${runId} was not ${state} after 5 minutes`);
}

// --- the attacks ---------------------------------------------------------------------------------

/** Step commands that made the placeholder pattern backtrack, sent as dry runs. */
const placeholderText = '{{steps.'.repeat(100) + ' '.repeat(8_000);
const placeholderAttack = (signal: AbortSignal) =>
  repeat(signal, 2, () =>
    call(
      keyA,
      'POST',
      '/workflows?dry_run=true',
      { ...jobOf('tenant-a'), command: undefined, steps: [{ name: 'a', command: placeholderText }] },
      10_000,
    ),
  );

/**
 * A job that writes 40 MB of well-formed rows where it can reach the metrics file, then sleeps: made
 * ready before its phase (its rows written, it still running), so that the phase is all reading.
 */
let forgedRunId: string | undefined;
async function prepareForgedMetrics(): Promise<void> {
  const rows =
    'awk \'BEGIN { for (i = 0; i < 1000000; i++) printf "%d,%d.00,99999.00,999999999999\\n", 1700000000 + i, i }\'';
  const submitted = await call(
    keyA,
    'POST',
    '/jobs',
    jobOf('tenant-a', {
      command: `f="\${TDS_METRICS_FILE:-/job/.metrics/metrics.csv}"; ${rows} >> "$f" 2>/dev/null; ${rows} >> /job/output/forged-metrics.csv; touch /job/output/written; sleep 3600`,
    }),
  );
  forgedRunId = runIdOf(submitted);
  await waitForRun(keyA, forgedRunId, 'running');
  // Its rows written: the live log's end is reached once the command sleeps, so give it the time
  // awk takes to write 2 × 40 MB here (a few seconds).
  await new Promise((resolve) => setTimeout(resolve, 15_000));
}
const metricsAttack = (signal: AbortSignal) =>
  repeat(signal, 2, () => call(keyA, 'GET', `/runs/${forgedRunId}/metrics`, undefined, 60_000));

/** Event streams that are opened and never read. */
async function eventsAttack(signal: AbortSignal): Promise<void> {
  const url = new URL(service.apiUrl);
  const sockets: net.Socket[] = [];
  for (let i = 0; i < 200 && !signal.aborted; i += 1) {
    const socket = net.connect({ port: Number(url.port), host: url.hostname, localAddress: ADDRESS_A });
    socket.on('error', () => undefined);
    socket.write(
      `GET /events HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${keyA}\r\nAccept: text/event-stream\r\n\r\n`,
    );
    socket.pause(); // never read
    sockets.push(socket);
  }
  // Events for those streams to carry: A's parked jobs, cancelled.
  await repeat(signal, 2, async () => {
    const posted = await call(keyA, 'POST', '/jobs', jobOf('tenant-a', { requires: PARKED }));
    await call(keyA, 'POST', `/runs/${runIdOf(posted)}/cancel`);
  });
  for (const socket of sockets) socket.destroy();
}

/** A finished fan-out whose items each printed a 64 KiB result, read over and over. */
let fanOutRunId: string | undefined;
async function prepareFanOut(items: number): Promise<void> {
  const answer = await call(keyA, 'POST', '/workflows', {
    ...jobOf('tenant-a'),
    command: undefined,
    max_parallel: 4,
    steps: [
      { name: 'list', command: `seq 0 ${items - 1} | paste -sd, | sed 's/.*/[&]/'` },
      {
        name: 'big',
        for_each: '{{steps.list.result}}',
        command: 'head -c 49152 /dev/zero | base64 -w0; echo',
      },
    ],
  });
  if (answer.status !== 202) throw new Error(`the fan-out was refused: ${JSON.stringify(answer.body)}`);
  fanOutRunId = String(answer.body.workflowRun.id);
  for (let i = 0; i < 1200; i += 1) {
    const run = await call(keyA, 'GET', `/workflow-runs/${fanOutRunId}`);
    if (['succeeded', 'failed', 'cancelled'].includes(String(run.body.state))) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error('the fan-out did not end');
}
const fanOutAttack = (signal: AbortSignal) =>
  repeat(signal, 2, () => call(keyA, 'GET', `/workflow-runs/${fanOutRunId}`, undefined, 60_000));

// --- webhooks ------------------------------------------------------------------------------------

/** A server that accepts connections and never answers. */
async function blackHole(): Promise<{ url: string; close(): void }> {
  const held: net.Socket[] = [];
  const server = net.createServer((socket) => {
    held.push(socket);
    socket.on('error', () => undefined);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}/hook`,
    close: () => {
      for (const socket of held) socket.destroy();
      server.close();
    },
  };
}

/** B's receiver: when each of B's cancelled runs was delivered. */
async function receiver(): Promise<{ url: string; delivered: Map<string, number>; close(): void }> {
  const delivered = new Map<string, number>();
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      try {
        const event = JSON.parse(body) as { data?: { runId?: string } };
        if (event.data?.runId && !delivered.has(event.data.runId))
          delivered.set(event.data.runId, Date.now());
      } catch {
        // not an event
      }
      response.writeHead(204).end();
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}/hook`, delivered, close: () => server.close() };
}

async function webhookDelays(): Promise<number[]> {
  const hole = await blackHole();
  const hook = await receiver();
  const events = ['run.cancelled'];
  const a = await patiently(keyA, 'POST', '/webhooks', { userId: 'tenant-a', url: hole.url, events });
  const b = await patiently(keyB, 'POST', '/webhooks', { userId: 'tenant-b', url: hook.url, events });
  for (const answer of [a, b]) {
    if (answer.status !== 201)
      throw new Error(`an endpoint: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  // A's flood: 300 events for the black hole, queued before B's first.
  for (let i = 0; i < 300; i += 1) {
    const posted = await patiently(keyA, 'POST', '/jobs', jobOf('tenant-a', { requires: PARKED }));
    await patiently(keyA, 'POST', `/runs/${runIdOf(posted)}/cancel`);
  }
  const cancelledAt = new Map<string, number>();
  for (let i = 0; i < 40; i += 1) {
    const posted = await call(keyB, 'POST', '/jobs', jobOf('tenant-b', { requires: PARKED }));
    const runId = runIdOf(posted);
    await call(keyB, 'POST', `/runs/${runId}/cancel`);
    cancelledAt.set(runId, Date.now());
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const deadline = Date.now() + 120_000;
  while (hook.delivered.size < cancelledAt.size && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  hole.close();
  hook.close();
  return [...cancelledAt].map(([runId, at]) => (hook.delivered.get(runId) ?? deadline) - at);
}

try {
  const itemsOfFanOut = 60;
  console.log(`preparing: a fan-out of ${itemsOfFanOut} items, each with a 64 KiB result`);
  await prepareFanOut(itemsOfFanOut);
  console.log('preparing: a job that forged 40 MB of metrics rows, still running');
  await prepareForgedMetrics();
  await phase('warm-up');
  const alone = await phase('B alone');
  const attacks: Phase[] = [];
  attacks.push(await phase('placeholder scan (8.8 KB step commands, dry runs)', placeholderAttack));
  attacks.push(await phase('forged metrics (40 MB of rows, read twice at a time)', metricsAttack));
  await call(keyA, 'POST', `/runs/${forgedRunId}/cancel`);
  attacks.push(await phase('event streams (200 opened, never read)', eventsAttack));
  attacks.push(
    await phase(`fan-out results (${itemsOfFanOut} × 64 KiB, read twice at a time)`, fanOutAttack),
  );
  const aloneAgain = await phase('B alone, again');
  const basePost = Math.max(percentile(alone.post, 99), percentile(aloneAgain.post, 99));
  const baseGet = Math.max(percentile(alone.get, 99), percentile(aloneAgain.get, 99));
  const lines = [
    `B alone: POST /jobs p99 ${ms(basePost)}, GET /runs/:id p99 ${ms(baseGet)} (the higher of two phases), ` +
      `peak RSS ${Math.max(alone.peakRssMiB, aloneAgain.peakRssMiB).toFixed(0)} MiB`,
  ];
  for (const attack of attacks) {
    const post = percentile(attack.post, 99) / basePost;
    const get = percentile(attack.get, 99) / baseGet;
    lines.push(
      `${attack.name}: B's POST p99 ${post.toFixed(2)}×, GET p99 ${get.toFixed(2)}× (goal ≤ 1.5×: ` +
        `${verdict(post <= 1.5 && get <= 1.5)}); peak RSS ${attack.peakRssMiB.toFixed(0)} MiB ` +
        `(goal < 300: ${verdict(attack.peakRssMiB < 300)}); ${attack.errors} of B's requests failed; ` +
        `A's requests answered ${attack.aAnswers || 'none'}` +
        (attack.attackFailed ? `; THE ATTACK FAILED, so this measures nothing: ${attack.attackFailed}` : ''),
    );
  }
  const delays = await webhookDelays();
  const p99 = percentile(delays, 99);
  lines.push(
    `webhooks, A's endpoint black-holed with 300 deliveries queued first: B's delivery delay p50 ` +
      `${ms(percentile(delays, 50))}, p99 ${ms(p99)} (goal p99 < 5 s: ${verdict(p99 < 5000)})`,
  );
  await record(...lines);
  await note(
    `B sends ${rate} POST /jobs and ${rate} GET /runs/:id a second for ${phaseSeconds} s in each phase; its jobs ` +
      'require a tag no worker has, so they stay queued and its figures are the API alone. The baseline is the ' +
      "higher p99 of two phases of B alone (before and after the attacks). RSS is the service process's, " +
      'sampled every 100 ms. Keys are on, and the request limits are the embedded defaults ' +
      `(a minute: ${limits.perKey} requests per key, ${limits.perAddress} per address, ${limits.refusedKeys} refused keys per address; a second: ${limits.perKeyPerSecond || 'no limit'} per key); ` +
      `A calls from ${ADDRESS_A} and B from ${ADDRESS_B}, as from two machines.`,
  );
} finally {
  await service.stop();
  await stack.close();
}
