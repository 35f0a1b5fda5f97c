import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBucket, jobBody, startTestService, type TestService } from '../support/harness.js';
import { openSse, type SseEvent } from '../support/sse.js';

/**
 * A run's log as Server-Sent Events and its metrics, live and after: a reader that loses its
 * connection mid-stream and comes back with the last id it saw gets every line once.
 */
let service: TestService;
let bucket: string;

beforeAll(async () => {
  service = await startTestService();
  bucket = await createBucket();
});

afterAll(async () => {
  await service?.close();
});

/** Reads events until `enough` says so (or the stream ends); returns them. */
async function read(events: AsyncGenerator<SseEvent>, enough: (seen: SseEvent[]) => boolean) {
  const seen: SseEvent[] = [];
  for await (const event of events) {
    seen.push(event);
    if (enough(seen)) break;
  }
  return seen;
}

const lines = (events: SseEvent[], stream: string) =>
  events.filter((event) => event.event === stream).map((event) => event.data);

async function submit(command: string, overrides: Record<string, unknown> = {}) {
  const { status, body } = await service.request('POST', '/jobs', jobBody(bucket, { command, ...overrides }));
  expect(status, JSON.stringify(body)).toBe(202);
  return body.run.id as string;
}

describe('GET /runs/:id/log-stream', () => {
  it('streams lines live, and resumes after a dropped connection with none lost or repeated', async () => {
    // 30 lines of stdout over about 3 s, a line of stderr every tenth, and a last line with no newline.
    const runId = await submit(
      'for i in $(seq 1 30); do echo "out $i \\033[32mgreen\\033[0m <b>"; [ $((i % 10)) -eq 0 ] && echo "err $i" >&2; sleep 0.1; done; printf "last"',
      { metrics_interval_seconds: 0.2 },
    );
    const first = await openSse(`${service.apiUrl}/runs/${runId}/log-stream`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toContain('text/event-stream');
    const before = await read(first.events, (seen) => lines(seen, 'stdout').length === 8);
    first.stop();
    // Read live: the run had not ended when the eighth line came.
    const { body: during } = await service.request('GET', `/runs/${runId}`);
    expect(['running', 'uploading']).toContain(during.state);

    // Metrics while it runs come from the container.
    const live = await service.request('GET', `/runs/${runId}/metrics`);
    expect(live.status).toBe(200);
    expect(['live', 'none']).toContain(live.body.source);

    const lastId = before.at(-1)!.id!;
    const second = await openSse(`${service.apiUrl}/runs/${runId}/log-stream`, { 'last-event-id': lastId });
    const after = await read(second.events, (seen) => seen.at(-1)!.event === 'end');
    const all = [...before, ...after];
    const expected = Array.from({ length: 30 }, (_, i) => `out ${i + 1} \u001b[32mgreen\u001b[0m <b>`);
    expect(lines(all, 'stdout')).toEqual([...expected, 'last']);
    expect(lines(all, 'stderr')).toEqual(['err 10', 'err 20', 'err 30']);
    expect(all.at(-1)).toEqual({ id: undefined, event: 'end', data: JSON.stringify({ state: 'succeeded' }) });
    // Every line has an id, and no id comes twice.
    const ids = all.filter((event) => event.event !== 'end').map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);

    // After the end, the whole log comes from the stored files, and resumes from any line.
    const stored = await openSse(`${service.apiUrl}/runs/${runId}/log-stream`);
    const whole = await read(stored.events, () => false);
    expect(lines(whole, 'stdout')).toEqual([...expected, 'last']);
    expect(lines(whole, 'stderr')).toEqual(['err 10', 'err 20', 'err 30']);
    expect(whole.at(-1)!.event).toBe('end');
    const middle = whole[14]!;
    const resumed = await openSse(`${service.apiUrl}/runs/${runId}/log-stream?after=${middle.id}`);
    expect(await read(resumed.events, () => false)).toEqual(whole.slice(15));
    // An id sent live resumes the stored log at the same line.
    const fromLive = await openSse(`${service.apiUrl}/runs/${runId}/log-stream`, { 'last-event-id': lastId });
    const rest = await read(fromLive.events, () => false);
    expect(lines(rest, 'stdout')).toEqual([...expected.slice(8), 'last']);
    expect(lines(rest, 'stderr')).toEqual(['err 10', 'err 20', 'err 30']);

    const metrics = await service.request('GET', `/runs/${runId}/metrics`);
    expect(metrics.body.source).toBe('stored');
    expect(metrics.body.writtenBy).toBe('service');
    // The stored samples are the engine's readings, which Docker refreshes about once a second
    // whatever the job's interval: a run of about 3 s has at least 2.
    expect(metrics.body.samples.length).toBeGreaterThanOrEqual(2);
    expect(metrics.body.summary.samples).toBe(metrics.body.samples.length);
    const sample = metrics.body.samples.at(-1);
    expect(sample.memoryBytes).toBeGreaterThan(0);
    expect(sample.t).toBeGreaterThan(Date.now() / 1000 - 600);
    const since = await service.request(
      'GET',
      `/runs/${runId}/metrics?sinceElapsed=${metrics.body.samples[0].elapsed}`,
    );
    expect(since.body.samples).toEqual(metrics.body.samples.slice(1));
  });

  it('waits for a queued run, and ends at once for a run that ended before it started', async () => {
    const runId = await submit('echo one; echo two');
    const stream = await openSse(`${service.apiUrl}/runs/${runId}/log-stream`);
    const events = await read(stream.events, () => false);
    expect(events.map((event) => `${event.event}:${event.data}`)).toEqual([
      'stdout:one',
      'stdout:two',
      'end:{"state":"succeeded"}',
    ]);

    const cancelledId = await submit('echo never');
    await service.request('POST', `/runs/${cancelledId}/cancel`);
    await service.waitForRun(cancelledId);
    const none = await openSse(`${service.apiUrl}/runs/${cancelledId}/log-stream`);
    const ended = await read(none.events, () => false);
    expect(ended.at(-1)!.event).toBe('end');
    const nothing = await service.request('GET', `/runs/${cancelledId}/metrics`);
    expect(nothing.status).toBe(200);
  });

  it('refuses a cursor it did not make and an unknown run with a message', async () => {
    const runId = await submit('true');
    const bad = await service.request('GET', `/runs/${runId}/log-stream?after=nonsense`);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/not a cursor/);
    const badHeader = await service.request('GET', `/runs/${runId}/log-stream`, undefined, {
      'last-event-id': 'x',
    });
    expect(badHeader.status).toBe(400);
    const unknown = await service.request('GET', '/runs/01900000-0000-7000-8000-000000000000/log-stream');
    expect(unknown.status).toBe(404);
    expect((await service.request('GET', '/runs/nope/metrics')).status).toBe(404);
    await service.waitForRun(runId);
  });
});
