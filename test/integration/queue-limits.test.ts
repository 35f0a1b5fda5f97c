import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBucket,
  createTestDatabase,
  jobBody,
  putObject,
  startTestService,
  uniqueName,
  type TestService,
} from '../support/harness.js';

/**
 * Back-pressure at the door: past a user's (or the service's) queued runs, a request that would
 * queue one more is refused with 429 and Retry-After. An API with no worker: every run stays queued.
 */

const PER_USER = 3;
const TOTAL = 5;

let service: TestService;
let bucket: string;

beforeAll(async () => {
  service = await startTestService({
    databaseUrl: await createTestDatabase(),
    roles: ['api'],
    env: { TDS_MAX_QUEUED_RUNS_PER_USER: String(PER_USER), TDS_MAX_QUEUED_RUNS: String(TOTAL) },
  });
  bucket = await createBucket();
  await putObject(bucket, 'in/x.txt', 'x');
});

afterAll(async () => {
  await service?.close();
});

const job = (userId: string, overrides: Record<string, unknown> = {}) =>
  jobBody(bucket, { userId, source_s3_prefix: 'in/', ...overrides });

/** The answer with its Retry-After. */
async function post(url: string, body: unknown) {
  const response = await fetch(`${service.apiUrl}${url}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe('the queued runs a user may have', () => {
  it('refuses one more run past TDS_MAX_QUEUED_RUNS_PER_USER with 429, and answers a repeat from what is stored', async () => {
    const user = uniqueName('queuer');
    const first = job(user);
    expect((await post('/jobs', first)).status).toBe(202);
    for (let i = 1; i < PER_USER; i += 1) expect((await post('/jobs', job(user))).status).toBe(202);

    const refused = await post('/jobs', job(user));
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toBe('30');
    expect(refused.body.message).toBe(
      `user "${user}" has ${PER_USER} runs queued, the most one user may have (TDS_MAX_QUEUED_RUNS_PER_USER); try again once some have started`,
    );

    // A workflow that runs now, a trigger of a stored job: refused the same way.
    const workflow = await post('/workflows', {
      ...job(user, { command: undefined }),
      steps: [{ name: 'a', command: 'true' }],
    });
    expect(workflow.status).toBe(429);
    expect(String(workflow.body.message)).toContain('TDS_MAX_QUEUED_RUNS_PER_USER');
    const recurring = await post('/jobs', job(user, { cron: '0 0 1 1 *' }));
    expect(recurring.status, JSON.stringify(recurring.body)).toBe(202);
    const trigger = await post(`/jobs/${String((recurring.body.job as { id: string }).id)}/trigger`, {});
    expect(trigger.status).toBe(429);

    // The same job posted again is answered from what is stored, queue full or not.
    const repeat = await post('/jobs', first);
    expect(repeat.status).toBe(200);

    // Once a run leaves the queue, there is room for one more.
    const [run] = (await service.request('GET', `/runs?userId=${user}&limit=1`)).body.runs as {
      id: string;
    }[];
    expect((await service.request('POST', `/runs/${run!.id}/cancel`)).status).toBe(202);
    expect((await post('/jobs', job(user))).status).toBe(202);
  });

  it('refuses one more run past TDS_MAX_QUEUED_RUNS of all users together, whoever asks', async () => {
    // The other test's user holds PER_USER runs queued: fill the service up to TOTAL.
    const filler = uniqueName('filler');
    let queued = 0;
    for (;;) {
      const answer = await post('/jobs', job(filler));
      if (answer.status === 429) break;
      expect(answer.status).toBe(202);
      queued += 1;
      expect(queued).toBeLessThanOrEqual(PER_USER);
    }
    // Refused on a count taken afresh: no wait for the remembered one to lapse.
    const refused = await post('/jobs', job(uniqueName('newcomer')));
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toBe('30');
    expect(refused.body.message).toBe(
      `the service has ${TOTAL} runs queued, the most it takes (TDS_MAX_QUEUED_RUNS); try again once some have started`,
    );
  });
});
