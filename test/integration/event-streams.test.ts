import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestService, uniqueName, type TestService } from '../support/harness.js';

/**
 * GET /events under hostile clients: one that never reads, too many streams, many streams at once.
 * What the service holds is read from its own gauges (the bytes queued for its streams, their
 * queues and their sockets' unsent bytes) and its queries are counted as they are sent.
 */

const BUFFER_BYTES = 256 * 1024;
const POLL_MS = 200;
let service: TestService;
const statements: string[] = [];

beforeAll(async () => {
  service = await startTestService({
    roles: ['api'],
    observeQuery: (sql) => statements.push(sql),
    env: {
      TDS_STREAMS_PER_USER: '3',
      TDS_STREAMS_PER_PROCESS: '12',
      TDS_EVENT_STREAM_BUFFER_BYTES: String(BUFFER_BYTES),
      TDS_EVENT_POLL_INTERVAL_MS: String(POLL_MS),
    },
  });
});

afterAll(async () => {
  await service?.close();
});

async function gauge(name: string): Promise<number> {
  const { body } = await service.request('GET', '/metrics');
  const line = (body as string).split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1] ?? NaN);
}

/** Writes `count` events of `userId` in one statement, each carrying `padBytes` of data. */
async function writeEvents(userId: string, count: number, padBytes = 10): Promise<void> {
  await service.db.query(
    `INSERT INTO events (type, user_id, data)
     SELECT 'run.succeeded', $1, jsonb_build_object('runId', 'r' || n, 'pad', repeat('x', $3::int))
     FROM generate_series(1, $2::int) AS n`,
    [userId, count, padBytes],
  );
}

async function allStreamsClosed(): Promise<void> {
  await eventually('every stream closed', async () => (await gauge('tds_streams_open')) === 0);
}

describe('GET /events paced by its client', () => {
  it('holds a bounded number of bytes for a client that never reads, then sends it every event', async () => {
    const userId = uniqueName('sleeper');
    const socket = net.connect(Number(new URL(service.apiUrl!).port), '127.0.0.1');
    let text = '';
    const ids: string[] = [];
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      const pattern = /\nid: (\d+-\d+)\n/g;
      let end = 0;
      for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
        ids.push(match[1]!);
        end = pattern.lastIndex - 1;
      }
      if (end > 0) text = text.slice(end);
    });
    socket.write(`GET /events?userId=${userId} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    await eventually('the stream to start', async () => text.includes('events follow'));
    await eventually('the stream to be fed by the shared read', async () => {
      return (await gauge('tds_event_streams_behind')) === 0;
    });
    // The client stops reading: the kernel's buffers fill, then the socket's, then the stream's.
    socket.pause();
    const count = 20_000;
    await writeEvents(userId, count, 2000); // ~40 MB, far more than the kernel's buffers hold
    await eventually('the stream to be paused', async () => (await gauge('tds_event_streams_behind')) === 1);
    // Bounded by the stream's queue, the socket's high-water mark and one event, however long it lasts.
    const bound = BUFFER_BYTES + 16 * 1024 + 4096;
    for (let i = 0; i < 5; i += 1) {
      expect(await gauge('tds_event_streams_queued_bytes')).toBeLessThanOrEqual(bound);
      expect(await gauge('tds_event_streams_behind')).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(ids.length).toBeLessThan(count);

    // Reading again, it gets every event, in order, none lost or repeated.
    socket.resume();
    await eventually('every event to arrive', async () => ids.length >= count, 120_000);
    expect(ids).toHaveLength(count);
    const ordered = ids.map((id) => BigInt(id.split('-')[1]!));
    for (let i = 1; i < ordered.length; i += 1) expect(ordered[i]! > ordered[i - 1]!).toBe(true);
    await eventually('the stream to be fed by the shared read again', async () => {
      return (await gauge('tds_event_streams_behind')) === 0;
    });
    socket.destroy();
    await allStreamsClosed();
  });

  it('refuses a stream past the per-user and the per-process caps with 429 and Retry-After', async () => {
    const aborts: AbortController[] = [];
    const open = async (userId: string) => {
      const abort = new AbortController();
      aborts.push(abort);
      const response = await fetch(`${service.apiUrl}/events?userId=${userId}`, { signal: abort.signal });
      return response;
    };
    try {
      const alice = uniqueName('alice');
      for (let i = 0; i < 3; i += 1) expect((await open(alice)).status).toBe(200);
      const fourth = await open(alice);
      expect(fourth.status).toBe(429);
      expect(fourth.headers.get('retry-after')).toBe('10');
      expect(((await fourth.json()) as { message: string }).message).toMatch(
        /3 streams open.*TDS_STREAMS_PER_USER.*close one/,
      );

      // Others still get theirs, up to the process's 12.
      for (let u = 0; u < 3; u += 1) {
        const other = uniqueName('other');
        for (let i = 0; i < 3; i += 1) expect((await open(other)).status).toBe(200);
      }
      const thirteenth = await open(uniqueName('late'));
      expect(thirteenth.status).toBe(429);
      expect(thirteenth.headers.get('retry-after')).toBe('10');
      expect(((await thirteenth.json()) as { message: string }).message).toMatch(
        /12 streams open.*TDS_STREAMS_PER_PROCESS/,
      );

      // A stream that ends gives its place back.
      aborts[0]!.abort();
      await eventually('a place to free', async () => (await gauge('tds_streams_open')) === 11);
      expect((await open(alice)).status).toBe(200);
    } finally {
      for (const abort of aborts) abort.abort();
    }
    await allStreamsClosed();
  });

  it('reads new events once per tick for all its streams, not once per stream', async () => {
    const users = Array.from({ length: 10 }, () => uniqueName('many'));
    const aborts: AbortController[] = [];
    const readers = await Promise.all(
      users.map(async (userId) => {
        const abort = new AbortController();
        aborts.push(abort);
        const response = await fetch(`${service.apiUrl}/events?userId=${userId}`, { signal: abort.signal });
        expect(response.status).toBe(200);
        return response.body!.pipeThrough(new TextDecoderStream()).getReader();
      }),
    );
    try {
      await eventually('every stream to be fed by the shared read', async () => {
        return (await gauge('tds_event_streams_behind')) === 0 && (await gauge('tds_streams_open')) === 10;
      });
      const reads = () => statements.filter((sql) => /^\s*SELECT\b/.test(sql) && /\bFROM events\b/.test(sql));
      const before = reads().length;
      const started = Date.now();
      // Ten rounds of one event per user, each round read by every stream before the next.
      for (let round = 0; round < 10; round += 1) {
        for (const userId of users) await writeEvents(userId, 1);
        await Promise.all(
          readers.map(async (reader) => {
            let seen = '';
            while (!seen.includes(`"r1"`)) {
              const { value, done } = await reader.read();
              if (done) throw new Error('the stream ended');
              seen += value;
            }
          }),
        );
      }
      const elapsed = Date.now() - started;
      const made = reads().slice(before);
      // One read per tick (plus one that may have begun as the window opened); no stream read alone.
      expect(made.length).toBeGreaterThan(0);
      expect(made.length).toBeLessThanOrEqual(Math.ceil(elapsed / POLL_MS) + 2);
      expect(made.every((sql) => sql.includes('user_id = ANY'))).toBe(true);
      // The old way, a read per stream per tick, would have made ten times as many.
      expect(made.length).toBeLessThan(users.length * Math.floor(elapsed / POLL_MS));
    } finally {
      for (const abort of aborts) abort.abort();
    }
    await allStreamsClosed();
  });
});
