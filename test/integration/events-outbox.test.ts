import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFires, recordMissed } from '../../src/scheduler/schedule-repository.js';
import { createBucket, jobBody, startTestService, uniqueName, type TestService } from '../support/harness.js';

/**
 * The events written by the changes that report them, without a worker: a queued run cancelled,
 * and fire times skipped or missed by the scheduler's statements.
 */
let service: TestService;
let bucket: string;

beforeAll(async () => {
  service = await startTestService({ roles: ['api'], env: { TDS_WEBHOOK_ALLOW_PRIVATE: 'true' } });
  bucket = await createBucket();
});

afterAll(async () => {
  await service?.close();
});

async function eventsOf(userId: string) {
  return service.db.query<{ type: string; data: Record<string, unknown> }>(
    'SELECT type, data FROM events WHERE user_id = $1 ORDER BY id',
    [userId],
  );
}

describe('the events outbox', () => {
  it('records run.cancelled with the cancel of a queued run, and a delivery for each endpoint that wants it', async () => {
    const userId = uniqueName('outbox');
    const wants = await service.request('POST', '/webhooks', {
      userId,
      url: 'http://127.0.0.1:9/hook',
      events: ['run.cancelled'],
    });
    await service.request('POST', '/webhooks', {
      userId,
      url: 'http://127.0.0.1:9/other',
      events: ['run.failed'],
    });
    const { body } = await service.request('POST', '/jobs', jobBody(bucket, { userId }));
    expect((await service.request('POST', `/runs/${body.run.id}/cancel`)).status).toBe(202);

    const events = await eventsOf(userId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'run.cancelled',
      data: { runId: body.run.id, jobId: body.job.id, state: 'cancelled', failureReason: 'cancelled' },
    });
    const deliveries = await service.db.query<{ endpoint_id: string }>(
      'SELECT d.endpoint_id FROM webhook_deliveries d JOIN events e ON e.id = d.event_id WHERE e.user_id = $1',
      [userId],
    );
    expect(deliveries.map((d) => d.endpoint_id)).toEqual([wants.body.webhook.id]);
    // Counted by the process that ended it.
    const metrics = await service.request('GET', '/metrics');
    expect(metrics.body).toMatch(
      /tds_runs_ended_total\{state="cancelled",failure_reason="cancelled"\} [1-9]/,
    );
  });

  it('records schedule.fire_skipped for fire times skipped or missed, once each', async () => {
    const userId = uniqueName('outbox');
    const { body } = await service.request('POST', '/jobs', jobBody(bucket, { userId, cron: '0 3 * * *' }));
    const jobId = body.job.id as string;
    const fire = {
      jobId,
      fireAt: new Date('2026-01-01T03:00:00Z'),
      outcome: 'skipped_overlap' as const,
      runId: null,
      detail: 'a run of this job was still going',
      trigger: 'schedule' as const,
      waitsForPrevious: false,
    };
    await service.db.transaction(async (tx) => {
      await recordFires(tx, [fire]);
      await recordFires(tx, [fire]);
      await recordMissed(tx, { jobId }, [new Date('2026-01-02T03:00:00Z')], 'the service was down');
    });
    const events = await eventsOf(userId);
    expect(events.map((e) => [e.type, e.data.outcome])).toEqual([
      ['schedule.fire_skipped', 'skipped_overlap'],
      ['schedule.fire_skipped', 'missed'],
    ]);
    expect(events[0]!.data).toMatchObject({
      jobId,
      userId,
      fireAt: expect.stringMatching(/^2026-01-01T03:00:00/),
    });
  });
});
