import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/key-repository.js';
import {
  createBucket,
  jobBody,
  listKeys,
  putObject,
  startTestService,
  type ApiResponse,
  type TestService,
} from '../support/harness.js';

// A user's rights are checked when their runs are to start, not only when the job was submitted:
// a schedule's fire, a trigger and a retry after the operator took rights away are refused.
let service: TestService;
let bucket: string;
let operator: Record<string, string>;
const keyIds: Record<string, string> = {};
const keys: Record<string, Record<string, string>> = {};

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

beforeAll(async () => {
  service = await startTestService({ roles: ['api', 'worker', 'scheduler'], env: { TDS_AUTH: 'on' } });
  bucket = await createBucket();
  operator = bearer((await createApiKey(service.db, { operator: true }, 'ops')).key);
  for (const user of ['rita', 'tess', 'ross']) {
    const made = await service.request('POST', '/admin/keys', { userId: user }, operator);
    expect(made.status).toBe(201);
    keys[user] = bearer(made.body.key as string);
    keyIds[user] = made.body.apiKey.id as string;
    await setUser(user, { allowedBuckets: [`${bucket}/${user}/`] });
    await putObject(bucket, `${user}/in/data.txt`, 'hello\n');
  }
});

afterAll(async () => {
  await service?.close();
});

async function setUser(user: string, settings: Record<string, unknown>): Promise<void> {
  const answer = await service.request('PUT', `/admin/users/${user}`, settings, operator);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
}

function body(user: string, overrides: Record<string, unknown> = {}) {
  return jobBody(bucket, {
    userId: user,
    source_s3_prefix: `${user}/in/`,
    destination_s3_prefix: `${user}/out/`,
    command: 'true',
    ...overrides,
  });
}

/** The job's runs, oldest first. */
async function runsOf(jobId: string, as: Record<string, string>): Promise<{ id: string; state: string }[]> {
  const page = await service.request('GET', `/jobs/${jobId}/runs`, undefined, as);
  expect(page.status).toBe(200);
  return (page.body.runs as { id: string; state: string }[]).reverse();
}

/** GET /runs/:id (with the operator's key) until the run reaches an end state, or `until`. */
async function waitForRun(
  runId: string,
  until = (state: string) => ['succeeded', 'failed', 'cancelled', 'timed_out'].includes(state),
): Promise<ApiResponse['body']> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const { status, body: run } = await service.request('GET', `/runs/${runId}`, undefined, operator);
    expect(status).toBe(200);
    if (until(run.state as string)) return run;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`run ${runId} did not reach the expected state in time`);
}

async function firstRun(jobId: string, as: Record<string, string>): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const [run] = await runsOf(jobId, as);
    if (run) return run.id;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`job ${jobId} had no run in time`);
}

describe('rights checked when a run is to start', () => {
  it("refuses a schedule's fire once the bucket is off the user's allow-list, writing nothing there", async () => {
    const submitted = await service.request(
      'POST',
      '/jobs',
      body('rita', { cron: '* * * * * *' }),
      keys.rita,
    );
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
    const jobId = submitted.body.job.id as string;
    await setUser('rita', { allowedBuckets: [`${bucket}/elsewhere/`] });
    const runId = await firstRun(jobId, keys.rita!);
    await service.request('POST', `/jobs/${jobId}/pause`, undefined, keys.rita);
    const run = await waitForRun(runId);
    expect(run.state).toBe('failed');
    expect(run.failure.reason).toBe('not_allowed');
    expect(run.failure.message).toContain(`may not use s3://${bucket}/rita/in/ for its inputs`);
    expect(run.failure.message).toContain(`allowed: ${bucket}/elsewhere/`);
    expect(run.results.files).toEqual([]);
    expect(await listKeys(bucket, run.results.prefix as string)).toEqual([]);
  });

  it('refuses a run triggered by hand once a ceiling is lowered below what the job asks for', async () => {
    const submitted = await service.request(
      'POST',
      '/jobs',
      body('tess', { cron: '0 0 1 1 *', memory_mb: 512 }),
      keys.tess,
    );
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
    const jobId = submitted.body.job.id as string;
    await setUser('tess', { maxMemoryMb: 256 });
    const triggered = await service.request('POST', `/jobs/${jobId}/trigger`, undefined, keys.tess);
    expect(triggered.status).toBe(202);
    const run = await waitForRun(triggered.body.id as string);
    expect(run.state).toBe('failed');
    expect(run.failure.reason).toBe('not_allowed');
    expect(run.failure.message).toContain('memory_mb 512 (ceiling 256)');
    // Given back, the next trigger runs.
    await setUser('tess', { maxMemoryMb: null });
    const again = await service.request('POST', `/jobs/${jobId}/trigger`, undefined, keys.tess);
    expect((await waitForRun(again.body.id as string)).state).toBe('succeeded');
  });

  it('refuses a retry once every key of the user is revoked, and does not retry that refusal', async () => {
    const submitted = await service.request(
      'POST',
      '/jobs',
      body('ross', {
        command: 'sleep 2; exit 3',
        retry_on_exit_code: true,
        max_attempts: 3,
        retry_backoff_seconds: 1,
      }),
      keys.ross,
    );
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
    const jobId = submitted.body.job.id as string;
    const first = await waitForRun(submitted.body.run.id as string, (state) => state === 'running');
    const revoked = await service.request('DELETE', `/admin/keys/${keyIds.ross}`, undefined, operator);
    expect(revoked.status).toBe(200);
    expect((await waitForRun(first.id as string)).failure.reason).toBe('exit_code');
    const deadline = Date.now() + 60_000;
    let runs = await runsOf(jobId, operator);
    while (runs.length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      runs = await runsOf(jobId, operator);
    }
    const retry = await waitForRun(runs[1]!.id);
    expect(retry.trigger).toBe('retry');
    expect(retry.state).toBe('failed');
    expect(retry.failure.reason).toBe('not_allowed');
    expect(retry.failure.message).toContain('every API key of user "ross" has been revoked');
    // not_allowed is not a failure worth trying again: no third attempt.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await runsOf(jobId, operator)).toHaveLength(2);
  });
});
