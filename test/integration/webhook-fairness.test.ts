import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvents } from '../../src/events/outbox.js';
import { eventually, startTestService, uniqueName, type TestService } from '../support/harness.js';
import { startReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * One tenant's webhooks must not delay another's: fair turns between users and endpoints, a cap
 * on the sends one user's endpoints take, a failing endpoint paused longer each time, and a cap on
 * the endpoints a user registers.
 */

let service: TestService;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  service = await startTestService({
    env: {
      TDS_WEBHOOK_ALLOW_PRIVATE: 'true',
      TDS_WEBHOOK_POLL_INTERVAL_MS: '100',
      TDS_WEBHOOK_CONCURRENCY: '4',
      TDS_WEBHOOK_SENDS_PER_USER: '2',
      TDS_WEBHOOK_ENDPOINTS_PER_USER: '3',
    },
  });
});

afterAll(async () => {
  await service?.close();
  for (const close of closers) await close();
});

async function receiver(): Promise<WebhookReceiver> {
  const started = await startReceiver();
  closers.push(() => started.close());
  return started;
}

/** Accepts connections and never answers; counts those open at once. */
async function blackHole() {
  const sockets = new Set<net.Socket>();
  const hole = { url: '', open: 0, mostOpen: 0, accepted: 0 };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    hole.accepted += 1;
    hole.open += 1;
    hole.mostOpen = Math.max(hole.mostOpen, hole.open);
    socket.on('close', () => {
      sockets.delete(socket);
      hole.open -= 1;
    });
    socket.on('error', () => undefined);
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  hole.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  closers.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return hole;
}

async function register(userId: string, url: string) {
  const { status, body } = await service.request('POST', '/webhooks', {
    userId,
    url,
    events: ['schedule.fire_skipped'],
  });
  expect(status, JSON.stringify(body)).toBe(201);
  return body.webhook.id as string;
}

/** Writes `count` skipped-fire events of `userId`, as a per-second cron whose runs overlap does. */
async function fireSkipped(userId: string, count: number): Promise<void> {
  await recordEvents(
    service.db,
    Array.from({ length: count }, (_, i) => ({
      type: 'schedule.fire_skipped' as const,
      userId,
      data: { scheduleId: 'flood', fireTime: new Date(Date.now() + i * 1000).toISOString() },
    })),
  );
}

async function deliveriesOf(endpointIds: string[]) {
  const [row] = await service.db.query<{ pending: string; attempted: string; total: string }>(
    `SELECT count(*) FILTER (WHERE state = 'pending') AS pending,
            count(*) FILTER (WHERE attempts > 0) AS attempted, count(*) AS total
     FROM webhook_deliveries WHERE endpoint_id = ANY ($1::uuid[])`,
    [endpointIds],
  );
  return { pending: Number(row!.pending), attempted: Number(row!.attempted), total: Number(row!.total) };
}

describe('fair webhook delivery', () => {
  it("delivers another user's webhook while one user's black-holed endpoints hold a flood", async () => {
    const flooder = uniqueName('flooder');
    const hole = await blackHole();
    const holes = [await register(flooder, hole.url), await register(flooder, hole.url)];
    holes.push(await register(flooder, hole.url));
    await fireSkipped(flooder, 300);
    // The flooder's sends are under way, each to be given up only after 15 s.
    await eventually('sends to the black hole', async () => hole.accepted >= 2);

    const other = uniqueName('other');
    const hook = await receiver();
    await register(other, hook.url);
    await fireSkipped(other, 1);
    await eventually("the other user's delivery", async () => hook.received.length === 1);

    // Delivered while the flooder's backlog is all still there: it went in its own turn, not after it.
    const backlog = await deliveriesOf(holes);
    expect(backlog.total).toBe(900);
    expect(backlog.pending).toBe(900);
    expect(backlog.attempted).toBeLessThan(20);
    // The flooder never held more than its share of the sends.
    expect(hole.mostOpen).toBeLessThanOrEqual(2);
  });

  it('pauses an endpoint that keeps failing, longer each time, and serves it again once it answers', async () => {
    const userId = uniqueName('failing');
    const hook = await receiver();
    hook.status = 500;
    const endpointId = await register(userId, hook.url);
    await fireSkipped(userId, 5);
    const recorded = () =>
      service.db.query<{ at: Date }>(
        `SELECT a.at FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
         WHERE d.endpoint_id = $1::uuid ORDER BY a.at LIMIT 3`,
        [endpointId],
      );
    await eventually('three failed attempts recorded', async () => (await recorded()).length === 3);
    hook.status = 200;

    const attempts = await recorded();
    // Five deliveries were due at once: only the endpoint's pause (1 s, then 2 s) spaced them.
    const gaps = attempts.slice(1).map((a, i) => a.at.getTime() - attempts[i]!.at.getTime());
    expect(gaps[0]).toBeGreaterThanOrEqual(1000);
    expect(gaps[1]).toBeGreaterThanOrEqual(2000);

    await eventually(
      'every delivery once it answers',
      async () => (await deliveriesOf([endpointId])).pending === 0,
      60_000,
    );
    const [endpoint] = await service.db.query<{ failures: number; paused_until: Date | null }>(
      'SELECT failures, paused_until FROM webhook_endpoints WHERE id = $1::uuid',
      [endpointId],
    );
    expect(endpoint).toEqual({ failures: 0, paused_until: null });
  });

  it('refuses an endpoint past TDS_WEBHOOK_ENDPOINTS_PER_USER with 409', async () => {
    const userId = uniqueName('many-hooks');
    const hook = await receiver();
    const ids = [await register(userId, hook.url), await register(userId, hook.url)];
    ids.push(await register(userId, hook.url));
    const fourth = await service.request('POST', '/webhooks', {
      userId,
      url: hook.url,
      events: ['run.failed'],
    });
    expect(fourth.status).toBe(409);
    expect(fourth.body.message).toMatch(/already has 3 webhook endpoints.*TDS_WEBHOOK_ENDPOINTS_PER_USER/);
    // Another user is not counted with them, and a deleted endpoint frees its place.
    await register(uniqueName('someone'), hook.url);
    expect((await service.request('DELETE', `/webhooks/${ids[0]}`)).status).toBe(204);
    await register(userId, hook.url);
  });
});
