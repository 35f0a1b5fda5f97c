import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBucket,
  eventually,
  jobBody,
  startTestService,
  uniqueName,
  type TestService,
} from '../support/harness.js';
import { recordEvents } from '../../src/events/outbox.js';
import { startReceiver, type ReceivedDelivery, type WebhookReceiver } from '../support/webhook-receiver.js';

let service: TestService;
let bucket: string;
const receivers: WebhookReceiver[] = [];

beforeAll(async () => {
  service = await startTestService({
    env: { TDS_WEBHOOK_ALLOW_PRIVATE: 'true', TDS_WEBHOOK_POLL_INTERVAL_MS: '100' },
  });
  bucket = await createBucket();
});

afterAll(async () => {
  await service?.close();
  for (const receiver of receivers) await receiver.close();
});

async function receiver(): Promise<WebhookReceiver> {
  const started = await startReceiver();
  receivers.push(started);
  return started;
}

async function register(userId: string, url: string, events: string[]) {
  const { status, body } = await service.request('POST', '/webhooks', { userId, url, events });
  expect(status, JSON.stringify(body)).toBe(201);
  return body as { webhook: { id: string }; secret: string };
}

async function runJob(userId: string, command: string) {
  const { status, body } = await service.request('POST', '/jobs', jobBody(bucket, { userId, command }));
  expect(status, JSON.stringify(body)).toBe(202);
  return service.waitForRun(body.run.id as string);
}

function payload(delivery: ReceivedDelivery) {
  return JSON.parse(delivery.body) as { type: string; timestamp: string; data: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe('webhooks', () => {
  it('signs a delivery for each run that ends, verifiable with standardwebhooks, with what a receiver needs', async () => {
    const userId = uniqueName('hooks');
    const hook = await receiver();
    const { webhook, secret } = await register(userId, hook.url, ['run.succeeded', 'run.failed']);
    expect(secret).toMatch(/^whsec_/);

    const succeeded = await runJob(userId, 'echo fine');
    const failed = await runJob(userId, 'echo broken >&2; exit 3');
    expect(succeeded.state).toBe('succeeded');
    expect(failed.state).toBe('failed');
    await eventually('both deliveries', async () => hook.received.length >= 2);

    const verifier = new Webhook(secret);
    for (const delivery of hook.received) {
      expect(() => verifier.verify(delivery.body, delivery.headers)).not.toThrow();
      expect(delivery.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
    }
    const byRun = new Map(hook.received.map((d) => [payload(d).data.runId as string, payload(d)]));
    const ok = byRun.get(succeeded.id)!;
    expect(ok.type).toBe('run.succeeded');
    expect(ok.data).toMatchObject({
      runId: succeeded.id,
      jobId: succeeded.jobId,
      userId,
      state: 'succeeded',
      exitCode: 0,
      results: { bucket, uri: `s3://${bucket}/${succeeded.results.prefix}` },
    });
    expect(ok.data.timings.startedAt).toBeTruthy();
    expect(ok.data.timings.finishedAt).toBeTruthy();
    expect(ok.data.peaks).toHaveProperty('memoryBytes');
    const bad = byRun.get(failed.id)!;
    expect(bad.type).toBe('run.failed');
    expect(bad.data).toMatchObject({ state: 'failed', exitCode: 3, failureReason: 'exit_code' });

    // A secret from another endpoint does not verify.
    const other = await register(userId, hook.url, ['run.cancelled']);
    expect(() =>
      new Webhook(other.secret).verify(hook.received[0]!.body, hook.received[0]!.headers),
    ).toThrow();

    const { body: listed } = await service.request('GET', `/webhooks/${webhook.id}/deliveries`);
    expect(listed.deliveries).toHaveLength(2);
    for (const delivery of listed.deliveries) {
      expect(delivery.state).toBe('delivered');
      expect(delivery.history).toHaveLength(1);
      expect(delivery.history[0].status).toBe(200);
    }
  });

  it('retries a receiver answering 500 until it answers 200, with the same webhook-id, every attempt listed', async () => {
    const userId = uniqueName('hooks');
    const hook = await receiver();
    hook.answers = [{ status: 500 }, { status: 503, headers: { 'retry-after': '1' } }];
    const { webhook, secret } = await register(userId, hook.url, ['run.succeeded']);
    await runJob(userId, 'true');
    await eventually('the delivery after two failures', async () => hook.received.length >= 3);

    const ids = new Set(hook.received.map((d) => d.headers['webhook-id']));
    expect(ids.size).toBe(1);
    const verifier = new Webhook(secret);
    for (const delivery of hook.received) verifier.verify(delivery.body, delivery.headers);
    await eventually('the attempts recorded', async () => {
      const { body } = await service.request('GET', `/webhooks/${webhook.id}/deliveries`);
      return body.deliveries[0]?.state === 'delivered';
    });
    const { body } = await service.request('GET', `/webhooks/${webhook.id}/deliveries`);
    const [delivery] = body.deliveries;
    expect(delivery.webhookId).toBe([...ids][0]);
    expect(delivery.history.map((a: { status: number }) => a.status)).toEqual([500, 503, 200]);
    expect(hook.received).toHaveLength(3);

    // Sent again by hand: the same webhook-id once more.
    const again = await service.request('POST', `/webhook-deliveries/${delivery.id}/redeliver`);
    expect(again.status).toBe(202);
    await eventually('the redelivery', async () => hook.received.length >= 4);
    expect(hook.received[3]!.headers['webhook-id']).toBe(delivery.webhookId);
  });

  it('disables an endpoint that answers 410 Gone', async () => {
    const userId = uniqueName('hooks');
    const hook = await receiver();
    hook.status = 410;
    const { webhook } = await register(userId, hook.url, ['run.succeeded']);
    await runJob(userId, 'true');
    await eventually('the endpoint disabled', async () => {
      const { body } = await service.request('GET', `/webhooks/${webhook.id}`);
      return body.enabled === false;
    });
    const { body } = await service.request('GET', `/webhooks/${webhook.id}`);
    expect(body.disabledReason).toMatch(/410/);
    expect(hook.received).toHaveLength(1);
  });

  it('turns an endpoint off by hand: nothing is queued for it until it is enabled again', async () => {
    const userId = uniqueName('hooks');
    const hook = await receiver();
    const { webhook } = await register(userId, hook.url, ['run.failed']);
    const off = await service.request('POST', `/webhooks/${webhook.id}/disable`);
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(off.body).toMatchObject({ enabled: false, disabledReason: 'disabled by its owner' });
    // Disabling it again keeps when and why it was turned off.
    const again = await service.request('POST', `/webhooks/${webhook.id}/disable`);
    expect(again.body.disabledAt).toBe(off.body.disabledAt);
    await recordEvents(service.db, [{ type: 'run.failed', userId, data: { while: 'off' } }]);
    const none = await service.request('GET', `/webhooks/${webhook.id}/deliveries`);
    expect(none.body.deliveries).toEqual([]);

    const on = await service.request('POST', `/webhooks/${webhook.id}/enable`);
    expect(on.body).toMatchObject({ enabled: true, disabledReason: null });
    await recordEvents(service.db, [{ type: 'run.failed', userId, data: { while: 'on' } }]);
    await eventually('the delivery after enabling', async () => hook.received.length >= 1);
    expect(hook.received.map((d) => payload(d).data.while)).toEqual(['on']);
    const unknown = await service.request('POST', '/webhooks/01890000-0000-7000-8000-000000000000/disable');
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toContain('no webhook');
  });

  it('signs with both the new and the previous secret for a day after a rotation', async () => {
    const userId = uniqueName('hooks');
    const hook = await receiver();
    const { webhook, secret: old } = await register(userId, hook.url, ['run.succeeded']);
    const { status, body } = await service.request('POST', `/webhooks/${webhook.id}/rotate-secret`);
    expect(status).toBe(200);
    expect(body.secret).not.toBe(old);
    expect(Date.parse(body.webhook.previousSecretValidUntil) - Date.now()).toBeGreaterThan(23 * 3600_000);
    await runJob(userId, 'true');
    await eventually('the delivery', async () => hook.received.length >= 1);
    const [delivery] = hook.received;
    expect(delivery!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    new Webhook(old).verify(delivery!.body, delivery!.headers);
    new Webhook(body.secret as string).verify(delivery!.body, delivery!.headers);
  });

  it('refuses endpoints on private addresses unless the operator allows them', async () => {
    const strict = await startTestService({ databaseUrl: undefined, roles: ['api'] });
    try {
      for (const url of [
        'http://127.0.0.1:9/hook',
        'http://169.254.169.254/latest/meta-data',
        'http://10.1.2.3/hook',
        'http://[::1]/hook',
        'http://[::ffff:127.0.0.1]/hook',
        'http://localhost/hook',
      ]) {
        const { status, body } = await strict.request('POST', '/webhooks', {
          userId: 'someone',
          url,
          events: ['run.failed'],
        });
        expect(status, url).toBe(400);
        expect(body.message).toMatch(/TDS_WEBHOOK_ALLOW_PRIVATE/);
      }
      const job = await strict.request(
        'POST',
        '/jobs',
        jobBody(bucket, { userId: 'someone', notify_url: 'http://192.168.1.1/hook' }),
      );
      expect(job.status).toBe(400);
      expect(job.body.message).toMatch(/notify_url.*TDS_WEBHOOK_ALLOW_PRIVATE/);
      const { status, body } = await strict.request('POST', '/webhooks', {
        userId: 'someone',
        url: 'ftp://example.com/hook',
        events: ['run.failed'],
      });
      expect(status).toBe(400);
      expect(body.message).toMatch(/http or https/);
    } finally {
      await strict.close();
    }
  });

  it("tells a job's notify_url of its own runs' ends only, signed with the secret given when the job was made", async () => {
    const userId = uniqueName('notify');
    const hook = await receiver();
    const { status, body } = await service.request(
      'POST',
      '/jobs',
      jobBody(bucket, { userId, command: 'exit 1', notify_url: hook.url }),
    );
    expect(status, JSON.stringify(body)).toBe(202);
    expect(body.notify.secret).toMatch(/^whsec_/);
    const other = await runJob(userId, 'true');
    const run = await service.waitForRun(body.run.id as string);
    await eventually('the notification', async () => hook.received.length >= 1);
    const payload = new Webhook(body.notify.secret as string).verify(
      hook.received[0]!.body,
      hook.received[0]!.headers,
    ) as { type: string; data: { runId: string } };
    expect(payload).toMatchObject({ type: 'run.failed', data: { runId: run.id } });
    expect(hook.received.map((d) => JSON.parse(d.body).data.runId)).not.toContain(other.id);
    // The same job posted again: no new secret.
    const again = await service.request(
      'POST',
      '/jobs',
      jobBody(bucket, { userId, uniqueId: body.job.spec.uniqueId, command: 'exit 1', notify_url: hook.url }),
    );
    expect(again.status).toBe(200);
    expect(again.body.notify).toBeUndefined();
  });

  it("tells a workflow's notify_url of its own workflow runs' ends only, not of its steps' runs", async () => {
    const userId = uniqueName('wfnotify');
    const hook = await receiver();
    const workflow = (uniqueId: string, command: string) => ({
      userId,
      uniqueId,
      s3_bucket: bucket,
      source_s3_prefix: '',
      destination_s3_prefix: 'notify/',
      notify_url: hook.url,
      steps: [
        { name: 'first', command: 'echo 1' },
        { name: 'second', depends_on: ['first'], command },
      ],
    });
    const dry = await service.request('POST', '/workflows?dry_run=true', {
      ...workflow(uniqueName('wf'), 'true'),
      notify_url: 'http://192.168.1.1/hook',
    });
    expect(dry.status).toBe(200); // private addresses are allowed in this file's service
    const uniqueId = uniqueName('wf');
    const { status, body } = await service.request('POST', '/workflows', workflow(uniqueId, 'exit 3'));
    expect(status, JSON.stringify(body)).toBe(202);
    expect(body.notify.secret).toMatch(/^whsec_/);
    // Another workflow of the same user, without a notify_url: nothing of it reaches the hook.
    const other = await service.request('POST', '/workflows', {
      ...workflow(uniqueName('wf'), 'true'),
      notify_url: undefined,
    });
    expect(other.status, JSON.stringify(other.body)).toBe(202);
    await eventually('the notification', async () => hook.received.length >= 1, 120_000);
    const verifier = new Webhook(body.notify.secret as string);
    const first = verifier.verify(hook.received[0]!.body, hook.received[0]!.headers) as ReturnType<
      typeof payload
    >;
    expect(first).toMatchObject({
      type: 'workflow_run.failed',
      data: { workflowRunId: body.workflowRun.id, workflowId: body.workflow.id },
    });
    // Deliveries are queued in the statement that records their event: once the other workflow
    // run has ended, every delivery its events (and the steps' runs') would make exists.
    await eventually(
      'the other workflow run',
      async () => {
        const seen = await service.request('GET', `/workflow-runs/${other.body.workflowRun.id}`);
        return seen.body.state === 'succeeded';
      },
      120_000,
    );
    const deliveries = await service.request('GET', `/webhooks/${body.notify.webhookId}/deliveries`);
    expect(deliveries.status).toBe(200);
    expect(deliveries.body.deliveries.map((d: { eventType: string }) => d.eventType)).toEqual([
      'workflow_run.failed',
    ]);
    // The same workflow posted again: no new secret.
    const again = await service.request('POST', '/workflows', workflow(uniqueId, 'exit 3'));
    expect(again.status).toBe(200);
    expect(again.body.notify).toBeUndefined();
  });

  it("moves a job's own endpoint when PUT changes its notify_url, makes one when it is added, disables it when removed", async () => {
    const userId = uniqueName('putnotify');
    const [first, second] = [await receiver(), await receiver()];
    const uniqueId = uniqueName('job');
    const body = (notifyUrl: string | undefined) =>
      jobBody(bucket, { userId, uniqueId, command: 'true', notify_url: notifyUrl });
    const created = await service.request('POST', '/jobs', body(first.url));
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const { webhookId, secret } = created.body.notify as { webhookId: string; secret: string };
    const jobId = created.body.job.id as string;
    await eventually('the first notification', async () => first.received.length === 1);

    // A new URL: the same endpoint, the same secret; the next run is told at the new URL only.
    const moved = await service.request('PUT', `/jobs/${jobId}`, body(second.url));
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body).toMatchObject({ changed: true, version: 2 });
    expect(moved.body.notify).toBeUndefined();
    const endpoint = await service.request('GET', `/webhooks/${webhookId}`);
    expect(endpoint.body).toMatchObject({ id: webhookId, url: second.url, jobId, enabled: true });
    const triggered = await service.request('POST', `/jobs/${jobId}/trigger`);
    expect(triggered.status, JSON.stringify(triggered.body)).toBe(202);
    await service.waitForRun(triggered.body.id as string);
    await eventually('the notification at the new URL', async () => second.received.length === 1);
    const told = new Webhook(secret).verify(second.received[0]!.body, second.received[0]!.headers);
    expect(told).toMatchObject({ type: 'run.succeeded', data: { runId: triggered.body.id, jobId } });
    expect(first.received).toHaveLength(1);

    // Removed: the endpoint is disabled, its deliveries kept; a run ending now queues none.
    const removed = await service.request('PUT', `/jobs/${jobId}`, body(undefined));
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect(removed.body).toMatchObject({ changed: true, version: 3 });
    expect((await service.request('GET', `/webhooks/${webhookId}`)).body).toMatchObject({
      enabled: false,
      disabledReason: 'notify_url removed by an update',
    });
    const quiet = await service.request('POST', `/jobs/${jobId}/trigger`);
    expect((await service.waitForRun(quiet.body.id as string)).state).toBe('succeeded');
    const kept = await service.request('GET', `/webhooks/${webhookId}/deliveries`);
    expect(kept.body.deliveries).toHaveLength(2);
    expect(kept.body.deliveries.every((d: { state: string }) => d.state === 'delivered')).toBe(true);

    // Added where the job has no endpoint (another job): one is made, its secret answered once.
    const third = await receiver();
    const plainId = uniqueName('plain');
    const plain = await service.request(
      'POST',
      '/jobs',
      jobBody(bucket, { userId, uniqueId: plainId, command: 'exit 2' }),
    );
    expect(plain.status).toBe(202);
    await service.waitForRun(plain.body.run.id as string);
    const plainBody = jobBody(bucket, {
      userId,
      uniqueId: plainId,
      command: 'exit 2',
      notify_url: third.url,
    });
    const added = await service.request('PUT', `/jobs/${plain.body.job.id}`, plainBody);
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body.notify.secret).toMatch(/^whsec_/);
    const again = await service.request('PUT', `/jobs/${plain.body.job.id}`, plainBody);
    expect(again.body).toMatchObject({ changed: false });
    expect(again.body.notify).toBeUndefined();
    const run = await service.request('POST', `/jobs/${plain.body.job.id}/trigger`);
    await service.waitForRun(run.body.id as string);
    await eventually('the notification at the added URL', async () => third.received.length === 1);
    expect(
      new Webhook(added.body.notify.secret as string).verify(
        third.received[0]!.body,
        third.received[0]!.headers,
      ),
    ).toMatchObject({ type: 'run.failed', data: { runId: run.body.id } });
    expect(second.received).toHaveLength(1);
    // PUT checks a notify_url as POST does (this file's service allows private addresses, so by its form).
    const refused = await service.request('PUT', `/jobs/${plain.body.job.id}`, {
      ...plainBody,
      notify_url: 'ftp://example.com/hook',
    });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/notify_url must be an http or https URL/);
  });

  it("moves a workflow's own endpoint when PUT changes its notify_url, made when PUT added it", async () => {
    const userId = uniqueName('wfput');
    const [first, second] = [await receiver(), await receiver()];
    const workflow = (notifyUrl: string | undefined) => ({
      userId,
      uniqueId: 'moving',
      s3_bucket: bucket,
      source_s3_prefix: '',
      destination_s3_prefix: 'moving/',
      ...(notifyUrl ? { notify_url: notifyUrl } : {}),
      cron: '0 3 * * *',
      steps: [{ name: 'only', command: 'true' }],
    });
    const created = await service.request('POST', '/workflows', workflow(undefined));
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    expect(created.body.notify).toBeUndefined();
    const id = created.body.workflow.id as string;
    const added = await service.request('PUT', `/workflows/${id}`, workflow(first.url));
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    const { webhookId, secret } = added.body.notify as { webhookId: string; secret: string };
    expect(secret).toMatch(/^whsec_/);
    const moved = await service.request('PUT', `/workflows/${id}`, workflow(second.url));
    expect(moved.body).toMatchObject({ changed: true, version: 3 });
    expect(moved.body.notify).toBeUndefined();
    expect((await service.request('GET', `/webhooks/${webhookId}`)).body).toMatchObject({
      url: second.url,
      workflowId: id,
    });
    const triggered = await service.request('POST', `/workflows/${id}/trigger`);
    expect(triggered.status, JSON.stringify(triggered.body)).toBe(202);
    await eventually('the notification at the new URL', async () => second.received.length === 1, 120_000);
    expect(new Webhook(secret).verify(second.received[0]!.body, second.received[0]!.headers)).toMatchObject({
      type: 'workflow_run.succeeded',
      data: { workflowRunId: triggered.body.id, workflowId: id },
    });
    expect(first.received).toHaveLength(0);
    const removed = await service.request('PUT', `/workflows/${id}`, workflow(undefined));
    expect(removed.body).toMatchObject({ changed: true, version: 4 });
    expect((await service.request('GET', `/webhooks/${webhookId}`)).body).toMatchObject({ enabled: false });
    expect((await service.request('GET', `/webhooks/${webhookId}/deliveries`)).body.deliveries).toHaveLength(
      1,
    );
  });

  it("tells of a workflow run's start and failure, and its step runs' ends, by webhook and in GET /events", async () => {
    const userId = uniqueName('wfhooks');
    const hook = await receiver();
    const { secret } = await register(userId, hook.url, [
      'workflow_run.started',
      'workflow_run.failed',
      'run.failed',
    ]);
    const { status, body } = await service.request('POST', '/workflows', {
      userId,
      uniqueId: uniqueName('wf'),
      s3_bucket: bucket,
      source_s3_prefix: '',
      destination_s3_prefix: 'hooks/',
      steps: [
        { name: 'first', command: 'echo 1' },
        { name: 'breaks', depends_on: ['first'], command: 'echo broken >&2; exit 5' },
      ],
    });
    expect(status, JSON.stringify(body)).toBe(202);
    const workflowRunId = body.workflowRun.id as string;
    await eventually('the deliveries', async () => hook.received.length >= 3, 120_000);
    const verifier = new Webhook(secret);
    const received = hook.received.map(
      (d) => verifier.verify(d.body, d.headers) as ReturnType<typeof payload>,
    );
    expect(received.map((p) => p.type).sort()).toEqual([
      'run.failed',
      'workflow_run.failed',
      'workflow_run.started',
    ]);
    const failed = received.find((p) => p.type === 'workflow_run.failed')!;
    const prefix = `hooks/${body.workflow.uniqueId}/${workflowRunId}/`;
    expect(failed.data).toMatchObject({
      workflowRunId,
      workflowId: body.workflow.id,
      userId,
      uniqueId: body.workflow.uniqueId,
      state: 'failed',
      failure: { step: 'breaks', reason: 'step_failed' },
      steps: { succeeded: 1, failed: 1 },
      results: { bucket, prefix, report: { json: `s3://${bucket}/${prefix}report.json` } },
    });
    expect(failed.data.failure.message).toMatch(/step "breaks" failed: exit_code/);
    expect(failed.data.timings.endedAt).toBeTruthy();
    const step = received.find((p) => p.type === 'run.failed')!;
    expect(step.data).toMatchObject({ workflowRunId, stepName: 'breaks', state: 'failed', exitCode: 5 });
    expect(step.data).not.toHaveProperty('jobId');

    // The same event in GET /events, filtered to its type.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 30_000);
    const stream = await fetch(
      `${service.apiUrl}/events?userId=${userId}&types=workflow_run.failed&after=0-0`,
      {
        signal: abort.signal,
      },
    );
    let text = '';
    const decoder = new TextDecoder();
    try {
      for await (const chunk of stream.body!) {
        text += decoder.decode(chunk as Uint8Array, { stream: true });
        if (/\nevent: [^\n]*\ndata: [^\n]*\n\n/.test(text)) break;
      }
    } finally {
      clearTimeout(timer);
      abort.abort();
    }
    const [event] = text.split('\n\n').filter((block) => block.includes('\nevent: '));
    expect(event).toContain('event: workflow_run.failed');
    expect(event).toContain(`"workflowRunId":"${workflowRunId}"`);
    const metrics = await service.request('GET', '/metrics');
    expect(metrics.body).toMatch(/^tds_workflow_runs\{state="failed"\} [1-9]/m);
  });

  it('lists and deletes endpoints, never showing secrets again', async () => {
    const userId = uniqueName('hooks');
    const hook = await receiver();
    const { webhook, secret } = await register(userId, hook.url, ['run.failed']);
    const { body } = await service.request('GET', `/webhooks?userId=${userId}`);
    expect(body.webhooks.map((w: { id: string }) => w.id)).toEqual([webhook.id]);
    expect(JSON.stringify(body)).not.toContain(secret);
    expect((await service.request('DELETE', `/webhooks/${webhook.id}`)).status).toBe(204);
    expect((await service.request('GET', `/webhooks/${webhook.id}`)).status).toBe(404);
    const unknown = await service.request('POST', '/webhooks', {
      userId,
      url: hook.url,
      events: ['run.exploded'],
    });
    expect(unknown.status).toBe(400);
  });
});
