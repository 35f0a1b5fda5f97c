import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../services/db/database.js';
import { recordEvents } from '../../src/events/outbox.js';
import { createTestDatabase, eventually, startTestService, type TestService } from '../support/harness.js';
import { removeDir, startServiceProcess, type ServiceProcess } from '../support/service-process.js';
import { startReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * The service killed (SIGKILL) while deliveries are pending: after a restart every one is
 * delivered, none lost. The sender runs in a service process of its own (a worker); the events
 * are written the way every event is, through the outbox.
 */
let databaseUrl: string;
let api: TestService;
let receiver: WebhookReceiver;
let child: ServiceProcess | undefined;
const dirs: string[] = [];

const env = {
  TDS_ROLES: 'worker',
  TDS_WEBHOOK_ALLOW_PRIVATE: 'true',
  TDS_WEBHOOK_POLL_INTERVAL_MS: '100',
  TDS_WORKER_ID: 'webhook-restart',
};

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  // The API alone (no sender in this process) to register the endpoint.
  api = await startTestService({ databaseUrl, roles: ['api'], env: { TDS_WEBHOOK_ALLOW_PRIVATE: 'true' } });
  receiver = await startReceiver();
});

afterAll(async () => {
  await child?.kill();
  await api?.close();
  await receiver?.close();
  for (const dir of dirs) await removeDir(dir);
});

async function start(): Promise<ServiceProcess> {
  const started = await startServiceProcess(databaseUrl, env);
  dirs.push(started.dataDir);
  return started;
}

describe('deliveries pending when the service is killed', () => {
  it('are all delivered after it restarts, none lost', async () => {
    const userId = 'restart-user';
    const { body } = await api.request('POST', '/webhooks', {
      userId,
      url: receiver.url,
      events: ['run.succeeded'],
    });
    const secret = body.secret as string;
    receiver.status = 503;
    const db: Database = api.db;
    const count = 20;
    await recordEvents(
      db,
      Array.from({ length: count }, (_, i) => ({
        type: 'run.succeeded' as const,
        userId,
        data: { runId: `run-${i}`, state: 'succeeded' },
      })),
    );

    child = await start();
    // Attempts are made (and fail, pausing the endpoint, so the others wait unattempted), then
    // the service dies with every delivery still pending.
    await eventually('attempts while the receiver is down', async () => receiver.received.length >= 2);
    await child.kill('SIGKILL');
    child = undefined;
    const [pending] = await db.query<{ n: string | number }>(
      "SELECT count(*) AS n FROM webhook_deliveries WHERE state = 'pending'",
    );
    expect(Number(pending!.n)).toBe(count);

    receiver.status = 200;
    receiver.received.length = 0;
    child = await start();
    await eventually(
      'every delivery made',
      async () => {
        const [row] = await db.query<{ n: string | number }>(
          "SELECT count(*) AS n FROM webhook_deliveries WHERE state = 'delivered'",
        );
        return Number(row!.n) === count;
      },
      60_000,
    );
    const verifier = new Webhook(secret);
    const delivered = new Set<string>();
    for (const delivery of receiver.received) {
      const payload = verifier.verify(delivery.body, delivery.headers) as { data: { runId: string } };
      delivered.add(payload.data.runId);
    }
    expect(delivered.size).toBe(count);
  });
});
