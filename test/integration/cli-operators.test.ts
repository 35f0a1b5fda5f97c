import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvents } from '../../src/events/outbox.js';
import { eventually, startTestService, uniqueName, type TestService } from '../support/harness.js';
import { startReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * `tds webhooks`, `tds workers` and `tds users`, run as a person runs them (bin/tds.js as a child
 * process) against the real service: tables on the terminal, JSON with --output json, the secret
 * shown once, and exit code 2 with a message for what the service or tds refuses.
 */
const run = promisify(execFile);
const TDS = path.resolve('bin/tds.js');

let service: TestService;
const receivers: WebhookReceiver[] = [];

async function tds(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [TDS, ...args], {
      env: { ...process.env, TDS_URL: service.apiUrl, TDS_USER: '' },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** A command that must succeed: its stdout (its stderr in the failure message otherwise). */
async function ok(args: string[]): Promise<string> {
  const result = await tds(args);
  expect(result.code, `tds ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

beforeAll(async () => {
  service = await startTestService({
    env: { TDS_WEBHOOK_ALLOW_PRIVATE: 'true', TDS_WEBHOOK_POLL_INTERVAL_MS: '100' },
  });
});

afterAll(async () => {
  await service?.close();
  for (const receiver of receivers) await receiver.close();
});

describe('tds webhooks and tds users', () => {
  it.concurrent(
    'adds an endpoint with its secret shown once, lists its deliveries, redelivers, rotates, disables, deletes',
    async () => {
      const user = uniqueName('hooks');
      const receiver = await startReceiver();
      receivers.push(receiver);
      expect(await ok(['webhooks', 'list', '--user', user])).toContain('No webhook endpoints');
      const noUser = await tds(['webhooks', 'add', receiver.url]);
      expect(noUser.code).toBe(2);
      expect(noUser.stderr).toContain('give --user NAME');
      const badEvent = await tds([
        'webhooks',
        'add',
        receiver.url,
        '--user',
        user,
        '--events',
        'run.exploded',
      ]);
      expect(badEvent.code).toBe(2);
      expect(badEvent.stderr).toContain(
        'events[0] "run.exploded" is not allowed: use one of "run.succeeded"',
      );

      const added = await ok(['webhooks', 'add', receiver.url, '--user', user, '--events', 'run.failed']);
      const secret = /secret: (whsec_\S+)/.exec(added)![1]!;
      expect(added).toContain('copy it now: it will not be shown again');
      const listed = JSON.parse(await ok(['--output', 'json', 'webhooks', 'list', '--user', user]));
      const [webhook] = listed.webhooks as { id: string; url: string; enabled: boolean }[];
      expect(webhook).toMatchObject({ url: receiver.url, enabled: true });
      expect(JSON.stringify(listed)).not.toContain(secret);

      // The first attempt is answered 500, the retry 200: both are in the delivery's history.
      receiver.answers = [{ status: 500 }];
      await recordEvents(service.db, [{ type: 'run.failed', userId: user, data: { from: 'cli-test' } }]);
      await eventually('the retried delivery', async () => receiver.received.length >= 2);
      new Webhook(secret).verify(receiver.received[1]!.body, receiver.received[1]!.headers);
      let deliveries = '';
      await eventually('the delivery listed as delivered', async () => {
        deliveries = await ok(['webhooks', 'deliveries', webhook!.id]);
        return deliveries.includes('delivered');
      });
      const [header, line] = deliveries.trim().split('\n');
      expect(header).toMatch(/^ID +EVENT +STATE +ATTEMPTS +LAST ANSWER +CREATED/);
      expect(line).toMatch(/ run\.failed +delivered +2 +200 /);
      const [delivery] = JSON.parse(await ok(['--output', 'json', 'webhooks', 'deliveries', webhook!.id]))
        .deliveries as { id: string; history: { status: number; error: string | null }[] }[];
      expect(delivery!.history.map((a) => a.status)).toEqual([500, 200]);
      expect(delivery!.history[0]!.error).toBe('answered 500: ok');
      expect(await ok(['webhooks', 'list', '--user', user])).toMatch(/ run\.failed +yes +delivered /);

      expect(await ok(['webhooks', 'redeliver', delivery!.id])).toContain('queued to be sent again now');
      await eventually('the redelivery', async () => receiver.received.length >= 3);
      expect(receiver.received[2]!.headers['webhook-id']).toBe(receiver.received[0]!.headers['webhook-id']);

      const rotated = await ok(['webhooks', 'rotate', webhook!.id]);
      expect(rotated).toContain('copy it now');
      expect(/secret: (whsec_\S+)/.exec(rotated)![1]).not.toBe(secret);
      expect(await ok(['webhooks', 'disable', webhook!.id])).toContain('disabled by its owner');
      expect(await ok(['webhooks', 'list', '--user', user])).toContain('no (disabled by its owner)');
      expect(await ok(['webhooks', 'enable', webhook!.id])).toContain(`enabled webhook ${webhook!.id}`);
      expect(await ok(['webhooks', 'delete', webhook!.id])).toContain(`deleted webhook ${webhook!.id}`);
      const gone = await tds(['webhooks', 'deliveries', webhook!.id]);
      expect(gone.code).toBe(2);
      expect(gone.stderr).toContain(`no webhook with id "${webhook!.id}"`);
    },
  );

  it.concurrent("sets a user's ceilings, shows them, and refuses values that are not numbers", async () => {
    const user = uniqueName('ceil');
    const set = await ok(['users', 'set-ceilings', user, '--max-cpus', '1.5', '--max-concurrent-runs', '3']);
    expect(set).toMatch(
      new RegExp(`^${user} +- +1\\.5 +\\d+ \\(default\\) +\\d+ \\(default\\) +3\\s*$`, 'm'),
    );
    const got = JSON.parse(await ok(['--output', 'json', 'users', 'get', user]));
    expect(got.ceilings).toEqual({
      maxCpus: 1.5,
      maxMemoryMb: null,
      maxTimeoutSeconds: null,
      maxConcurrentRuns: 3,
    });
    await ok(['users', 'set-ceilings', user, '--max-cpus', 'default', '--buckets', 'data,results/x/']);
    const listed = JSON.parse(await ok(['--output', 'json', 'users', 'list'])).users as {
      userId: string;
      allowedBuckets: string[];
      ceilings: { maxCpus: number | null; maxConcurrentRuns: number | null };
    }[];
    const mine = listed.find((u) => u.userId === user)!;
    expect(mine.ceilings).toMatchObject({ maxCpus: null, maxConcurrentRuns: 3 });
    expect(mine.allowedBuckets).toEqual(['data', 'results/x/']);
    expect(await ok(['users', 'list'])).toMatch(new RegExp(`^${user} +data,results/x/ `, 'm'));

    const notANumber = await tds(['users', 'set-ceilings', user, '--max-memory-mb', 'lots']);
    expect(notANumber.code).toBe(2);
    expect(notANumber.stderr).toContain('--max-memory-mb lots: give a whole number, or "default"');
    const nothing = await tds(['users', 'set-ceilings', user]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('nothing to set');
    const tooSmall = await tds(['users', 'set-ceilings', user, '--max-memory-mb', '1']);
    expect(tooSmall.code).toBe(2);
    expect(tooSmall.stderr).toContain('maxMemoryMb');
  });
});

// After the cases above: a drained worker would hold their runs back.
describe('tds workers', () => {
  it('lists the fleet, drains a worker and undrains it', async () => {
    const id = service.config.workerId;
    const list = await ok(['workers', 'list']);
    expect(list).toMatch(/^ID +HOST +STATE +RUNS +TAGS +LAST HEARTBEAT/);
    expect(list).toMatch(new RegExp(`^${id} +\\S+ +active +\\d+/2 `, 'm'));
    expect(await ok(['workers', 'drain', id])).toMatch(new RegExp(`worker ${id} is drain(ed|ing)`));
    const drained = JSON.parse(await ok(['--output', 'json', 'workers', 'list'])).workers as {
      id: string;
      state: string;
    }[];
    expect(drained.find((w) => w.id === id)!.state).toBe('draining');
    expect(await ok(['workers', 'undrain', id])).toContain(`worker ${id} is active: it claims runs again`);
    const unknown = await tds(['workers', 'drain', 'no-such-worker']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no worker with id "no-such-worker"');
  });

  it('retires a worker gone without stopping, and refuses a live one', async () => {
    await service.db.query(
      `INSERT INTO workers (id, host, tags, platform, version, capacity, heartbeat_at)
       VALUES ('cli-dead', 'lost-host', '[]'::jsonb, 'linux/amd64', '0', 1, now() - interval '1 hour')`,
    );
    expect(await ok(['workers', 'retire', 'cli-dead'])).toContain(
      'worker cli-dead is retired: recorded stopped; it is live again if it starts',
    );
    const live = await tds(['workers', 'retire', service.config.workerId!]);
    expect(live.code).toBe(2);
    expect(live.stderr).toMatch(/heartbeat \d+ s ago: it is not gone/);
  });
});
