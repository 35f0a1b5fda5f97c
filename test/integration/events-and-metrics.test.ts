import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBucket,
  eventually,
  jobBody,
  startTestService,
  uniqueName,
  type TestService,
} from '../support/harness.js';

let service: TestService;
let bucket: string;

beforeAll(async () => {
  service = await startTestService();
  bucket = await createBucket();
});

afterAll(async () => {
  await service?.close();
});

interface StreamEvent {
  id: string;
  event: string;
  data: { type: string; timestamp: string; data: Record<string, unknown> };
}

/**
 * Opens GET /events; `read` takes exactly `count` events (fewer only when `timeoutMs` passed
 * first), then closes it. However the server batches them into chunks, events beyond `count` are
 * not returned: a chunk may hold several events, or part of one.
 */
async function openStream(query: string, headers: Record<string, string> = {}) {
  const abort = new AbortController();
  const response = await fetch(`${service.apiUrl}/events?${query}`, { headers, signal: abort.signal });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  return {
    async read(count: number, timeoutMs = 60_000): Promise<StreamEvent[]> {
      const timer = setTimeout(() => abort.abort(), timeoutMs);
      const arrived: StreamEvent[] = [];
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        while (arrived.length < count) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const fields = Object.fromEntries(
              block
                .split('\n')
                .filter((line) => !line.startsWith(':') && line.includes(': '))
                .map((line) => [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)]),
            );
            if (fields.id)
              arrived.push({ id: fields.id, event: fields.event!, data: JSON.parse(fields.data!) });
          }
        }
      } catch (error) {
        if (!abort.signal.aborted) throw error;
      } finally {
        clearTimeout(timer);
        abort.abort();
      }
      return arrived.slice(0, count);
    },
  };
}

async function readStream(
  query: string,
  count: number,
  headers: Record<string, string> = {},
  timeoutMs = 60_000,
) {
  return (await openStream(query, headers)).read(count, timeoutMs);
}

async function submit(userId: string, command: string): Promise<string> {
  const { status, body } = await service.request('POST', '/jobs', jobBody(bucket, { userId, command }));
  expect(status, JSON.stringify(body)).toBe(202);
  return body.run.id as string;
}

/** The value of a sample in Prometheus' text format, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-z_:]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '').split(',');
    if (wanted.every((w) => have.includes(w))) total += Number(match[3]);
  }
  return total;
}

describe('GET /events', () => {
  it("streams a user's run events, and resumes after Last-Event-ID with none lost or repeated", async () => {
    const userId = uniqueName('events');
    // Opened before the runs: it starts from now, before their events.
    const stream = await openStream(`userId=${userId}`);
    const runIds = [
      await submit(userId, 'true'),
      await submit(userId, 'exit 4'),
      await submit(userId, 'true'),
    ];
    const first = await stream.read(2);
    expect(first).toHaveLength(2);
    for (const runId of runIds) await service.waitForRun(runId);

    const rest = await readStream(`userId=${userId}`, 1, { 'last-event-id': first[1]!.id });
    const all = [...first, ...rest];
    expect(all.map((e) => e.data.data.runId).sort()).toEqual([...runIds].sort());
    expect(new Set(all.map((e) => e.id)).size).toBe(3);
    const failed = all.find((e) => e.data.data.runId === runIds[1]);
    expect(failed?.event).toBe('run.failed');
    expect(failed?.data.data).toMatchObject({ exitCode: 4, failureReason: 'exit_code' });

    // From the first cursor again: the same events after it, in the same order.
    const replay = await readStream(`userId=${userId}&after=${first[0]!.id}`, 2);
    expect(replay.map((e) => e.id)).toEqual(all.slice(1).map((e) => e.id));
    // Another user's stream has none of them.
    const others = await readStream(`userId=${uniqueName('nobody')}&after=0-0`, 1, {}, 1500);
    expect(others).toEqual([]);
  });

  it('refuses a cursor it never sent and an unknown event type with 400', async () => {
    const bad = await service.request('GET', '/events?userId=x', undefined, { 'last-event-id': 'garbage' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/Last-Event-ID/);
    const type = await service.request('GET', '/events?userId=x&types=run.exploded');
    expect(type.status).toBe(400);
  });
});

describe('/metrics', () => {
  it('agrees with the database during and after a load of runs', async () => {
    const userId = uniqueName('load');
    const runIds: string[] = [];
    for (let i = 0; i < 6; i += 1) runIds.push(await submit(userId, i % 3 === 2 ? 'exit 2' : 'true'));

    // Scraped while the runs go: well formed, with the runs by state read from the database.
    const during = await service.request('GET', '/metrics');
    expect(during.status).toBe(200);
    expect(during.body).toContain('# TYPE tds_runs gauge');
    expect(during.body).toContain('process_cpu_seconds_total');
    for (const runId of runIds) await service.waitForRun(runId);

    const { body: text } = await service.request('GET', '/metrics');
    const byState = await service.db.query<{ state: string; n: string | number }>(
      'SELECT state, count(*) AS n FROM runs GROUP BY state',
    );
    for (const { state, n } of byState) expect(sample(text, 'tds_runs', { state }), state).toBe(Number(n));
    const byReason = await service.db.query<{ state: string; reason: string | null; n: string | number }>(
      `SELECT state, failure_reason AS reason, count(*) AS n FROM runs
       WHERE state IN ('succeeded', 'failed', 'cancelled', 'timed_out') GROUP BY state, failure_reason`,
    );
    for (const { state, reason, n } of byReason) {
      expect(
        sample(text, 'tds_runs_ended_total', { state, failure_reason: reason ?? 'none' }),
        `${state} ${reason}`,
      ).toBe(Number(n));
    }
    const ended = byReason.reduce((sum, row) => sum + Number(row.n), 0);
    expect(sample(text, 'tds_runs_ended_total')).toBe(ended);
    expect(sample(text, 'tds_run_duration_seconds_count')).toBe(ended);
    expect(sample(text, 'tds_dispatch_stage_duration_seconds_count', { stage: 'building' })).toBe(ended);
    expect(sample(text, 'tds_dispatch_stage_duration_seconds_count', { stage: 'uploading' })).toBe(ended);
    expect(sample(text, 'tds_worker_up')).toBe(1);
    expect(sample(text, 'tds_worker_free_runs')).toBe(2);
    expect(sample(text, 'tds_runs', { state: 'queued' })).toBe(0);
  });

  it('is served on a listener of its own with TDS_METRICS_PORT', async () => {
    const separate = await startTestService({ roles: ['api', 'exporter'], env: { TDS_METRICS_PORT: '0' } });
    try {
      const response = await fetch(separate.metricsUrl!);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('tds_runs{state="queued"} 0');
      // Not on the API then.
      expect((await separate.request('GET', '/metrics')).status).toBe(404);
    } finally {
      await separate.close();
    }
  });
});

describe("the exporter's figures", () => {
  it('count as claimable only the queued runs a live worker could claim, and the rest by why they wait', async () => {
    const userId = uniqueName('ceiling');
    const special = uniqueName('tag');
    // A user whose ceiling lets one run go at a time, three runs of theirs: one runs, two are held.
    await service.db.query('INSERT INTO users (user_id, max_concurrent_runs) VALUES ($1, 1)', [userId]);
    const ceilingRuns: string[] = [];
    for (let i = 0; i < 3; i += 1) ceilingRuns.push(await submit(userId, 'sleep 60'));
    // A run that requires a tag no worker has, and one whose tag only a worker that never claims
    // (a row of its own, heard from now) has: held, and claimable.
    const lonely = await service.request(
      'POST',
      '/jobs',
      jobBody(bucket, { requires: [uniqueName('none')] }),
    );
    expect(lonely.status, JSON.stringify(lonely.body)).toBe(202);
    const idle = uniqueName('idle-worker');
    const silent = uniqueName('silent-worker');
    await service.db.query(
      `INSERT INTO workers (id, host, tags, platform, version, capacity, heartbeat_at)
       VALUES ($1, 'h', $2::jsonb, 'linux/amd64', 'test', 1, now()),
              ($3, 'h', '[]'::jsonb, 'linux/amd64', 'test', 1, now() - interval '90 seconds')`,
      [idle, JSON.stringify([special]), silent],
    );
    try {
      const waiting = await service.request('POST', '/jobs', jobBody(bucket, { requires: [special] }));
      expect(waiting.status, JSON.stringify(waiting.body)).toBe(202);
      const figures = (text: string) => ({
        userCeiling: sample(text, 'tds_queue_held_runs', { reason: 'user_ceiling' }),
        noMatchingWorker: sample(text, 'tds_queue_held_runs', { reason: 'no_matching_worker' }),
        previousRun: sample(text, 'tds_queue_held_runs', { reason: 'previous_run' }),
        claimable: sample(text, 'tds_queue_claimable_runs'),
        queued: sample(text, 'tds_runs', { state: 'queued' }),
        databaseUp: sample(text, 'tds_database_up'),
        exporter: sample(text, 'tds_role', { role: 'exporter' }),
      });
      const expected = {
        userCeiling: 2,
        noMatchingWorker: 1,
        previousRun: 0,
        claimable: 1,
        queued: 4,
        databaseUp: 1,
        exporter: 1,
      };
      let text = '';
      await eventually('the queue split by why its runs wait', async () => {
        text = (await service.request('GET', '/metrics')).body as unknown as string;
        return JSON.stringify(figures(text)) === JSON.stringify(expected);
      }).catch(() => undefined);
      expect(figures(text)).toEqual(expected);
      expect(sample(text, 'tds_queue_claimable_oldest_age_seconds')).toBeGreaterThan(0);
      expect(sample(text, 'tds_worker_heartbeat_age_seconds')).toBeGreaterThanOrEqual(90);
      await service.request('POST', `/runs/${waiting.body.run.id as string}/cancel`);
    } finally {
      await service.db.query('DELETE FROM workers WHERE id = ANY($1::text[])', [[idle, silent]]);
      await service.request('POST', `/runs/${lonely.body.run.id as string}/cancel`);
      for (const runId of ceilingRuns) await service.request('POST', `/runs/${runId}/cancel`);
    }
  });

  it('are read only by a process of the exporter role', async () => {
    const plain = await startTestService({ roles: ['api'], env: { TDS_METRICS_PORT: '0' } });
    try {
      const text = await (await fetch(plain.metricsUrl!)).text();
      expect(sample(text, 'tds_database_up')).toBe(1);
      expect(sample(text, 'tds_role', { role: 'api' })).toBe(1);
      expect(text).not.toContain('tds_runs{');
      expect(text).not.toContain('tds_queue_claimable_runs');
    } finally {
      await plain.close();
    }
  });
});
