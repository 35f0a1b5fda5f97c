import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBucket,
  getText,
  jobBody,
  listKeys,
  startTestService,
  uniqueName,
  type TestService,
} from '../support/harness.js';

/** A run's disk use in the folders it can write to, held to its `disk_mb`. */

let service: TestService;
let bucket: string;

beforeAll(async () => {
  service = await startTestService({
    env: { TDS_DISK_CHECK_INTERVAL_MS: '500', TDS_USER_MAX_DISK_MB: '100', TDS_DEFAULT_DISK_MB: '50' },
  });
  bucket = await createBucket();
});

afterAll(async () => {
  await service?.close();
});

describe('disk_mb', () => {
  it('stops a run that writes more, fails it disk_limit_exceeded and uploads what it wrote', async () => {
    const { status, body } = await service.request(
      'POST',
      '/jobs',
      jobBody(bucket, {
        // 2 MiB first (kept), then 30 MiB more in a file of its own, then a long wait: only the
        // limit can end it before its timeout.
        command:
          'head -c 2097152 /dev/zero > output/first.bin; head -c 31457280 /dev/zero > output/big.bin; echo written; sleep 120',
        disk_mb: 20,
        timeout_seconds: 150,
      }),
    );
    expect(status, JSON.stringify(body)).toBe(202);
    expect(body.job.disk_mb ?? body.job.spec?.disk_mb).toBe(20);
    const run = await service.waitForRun(body.run.id as string);
    expect(run.state).toBe('failed');
    // Stopped long before its sleep of 120 s would have ended (the container's own time).
    const ran = Date.parse(run.timings.endedAt) - Date.parse(run.timings.startedAt);
    expect(ran).toBeLessThan(60_000);
    expect(run.failure.reason).toBe('disk_limit_exceeded');
    expect(run.failure.message).toMatch(/disk limit of 20 MiB \(disk_mb\)/);
    const prefix = run.results.prefix as string;
    expect(await listKeys(bucket, prefix)).toEqual(
      expect.arrayContaining([`${prefix}output/first.bin`, `${prefix}stdout.log`, `${prefix}run.json`]),
    );
    expect(await getText(bucket, `${prefix}stdout.log`)).toBe('written\n');
    const record = JSON.parse((await getText(bucket, `${prefix}run.json`))!);
    expect(record.failure.reason).toBe('disk_limit_exceeded');
  });

  it('lets a run within its limit succeed, with the default when the job names none', async () => {
    const { status, body } = await service.request(
      'POST',
      '/jobs',
      jobBody(bucket, { command: 'head -c 10485760 /dev/zero > output/ten.bin; sleep 2' }),
    );
    expect(status, JSON.stringify(body)).toBe(202);
    const run = await service.waitForRun(body.run.id as string);
    expect(run.state, JSON.stringify(run.failure)).toBe('succeeded');
  });

  it('refuses a disk_mb that is not a whole number of MiB from 1, or over the ceiling, saying so', async () => {
    for (const disk_mb of [0, 1.5, 'lots']) {
      const answer = await service.request('POST', '/jobs', jobBody(bucket, { disk_mb }));
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
      expect(answer.body.message).toMatch(/disk_mb/);
    }
    const over = await service.request('POST', '/jobs', jobBody(bucket, { disk_mb: 101 }));
    expect(over.status).toBe(403);
    expect(over.body.message).toMatch(/disk_mb 101 \(ceiling 100\)/);

    const step = await service.request('POST', '/workflows', {
      userId: 'test-user',
      uniqueId: uniqueName('wf'),
      s3_bucket: bucket,
      source_s3_prefix: '',
      destination_s3_prefix: '/wf/',
      steps: [{ name: 'only', command: 'true', disk_mb: 0 }],
    });
    expect(step.status, JSON.stringify(step.body)).toBe(400);
    expect(step.body.message).toMatch(/disk_mb/);
    expect(step.body.message).toMatch(/>= 1|at least 1|minimum/i);
    const within = await service.request('POST', '/workflows', {
      userId: 'test-user',
      uniqueId: uniqueName('wf'),
      s3_bucket: bucket,
      source_s3_prefix: '',
      destination_s3_prefix: '/wf/',
      steps: [{ name: 'only', command: 'true', disk_mb: 5 }],
    });
    expect(within.status, JSON.stringify(within.body)).toBeLessThan(300);
  });
});
