import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBucket,
  createTestDatabase,
  jobBody,
  startTestService,
  uniqueName,
  type TestService,
} from '../support/harness.js';

/**
 * Where runs go and how fast workers hear of them: a worker takes on runs only as far as its
 * CPUs and memory go (TDS_WORKER_CPUS, TDS_WORKER_MEMORY_MB), and a worker on the pg driver is
 * woken by the database's notification when a run is queued, not by its fallback poll.
 */

let bucket: string;
const services: TestService[] = [];

beforeAll(async () => {
  bucket = await createBucket();
});

afterAll(async () => {
  for (const service of services.reverse()) await service.close();
});

async function start(...args: Parameters<typeof startTestService>): Promise<TestService> {
  const service = await startTestService(...args);
  services.push(service);
  return service;
}

describe('placement by CPUs and memory', () => {
  it.concurrent(
    'claims the runs that fit in its memory, leaves the next queued until one ends, and says why a run too large waits',
    async () => {
      const service = await start({
        workerId: uniqueName('memory'),
        env: { TDS_MAX_CONCURRENT_RUNS: '4', TDS_WORKER_MEMORY_MB: '1000', TDS_WORKER_CPUS: '8' },
      });
      const submit = async (command: string, memoryMb: number) => {
        const { status, body } = await service.request(
          'POST',
          '/jobs',
          jobBody(bucket, { command, memory_mb: memoryMb }),
        );
        expect(status, JSON.stringify(body)).toBe(202);
        return body.run.id as string;
      };
      // Two runs of 400 MiB fit in 1000; a third does not, beside them.
      const first = await submit('sleep 6', 400);
      const second = await submit('sleep 6', 400);
      await service.waitForRun(first, (state) => state === 'running');
      await service.waitForRun(second, (state) => state === 'running');
      const third = await submit('echo third', 400);
      const tooLarge = await submit('echo never', 2000);

      // The worker looks at the queue every 100 ms and is notified of each run queued: while both
      // run, the third stays queued (they sleep 6 s, some 50 looks).
      const whileBoth = (await service.request('GET', `/runs/${third}`)).body;
      const [a, b] = [
        (await service.request('GET', `/runs/${first}`)).body,
        (await service.request('GET', `/runs/${second}`)).body,
      ];
      expect(whileBoth.state).toBe('queued');
      expect(whileBoth.waiting_reason).toBeUndefined();
      expect([a.state, b.state]).toEqual(['running', 'running']);

      const ended = await service.waitForRun(third);
      expect(ended.state, JSON.stringify(ended.failure)).toBe('succeeded');
      const firstEnded = await service.waitForRun(first);
      const secondEnded = await service.waitForRun(second);
      type Timings = { timings: { claimedAt: string; finishedAt: string } };
      const claimedAt = (run: Timings) => Date.parse(run.timings.claimedAt);
      const finishedAt = (run: Timings) => Date.parse(run.timings.finishedAt);
      // Claimed only once one of the two had ended (its memory given back).
      expect(claimedAt(ended)).toBeGreaterThanOrEqual(
        Math.min(finishedAt(firstEnded), finishedAt(secondEnded)),
      );

      // The run asking for more than any worker has stays queued, and says why.
      const waiting = (await service.request('GET', `/runs/${tooLarge}`)).body;
      expect(waiting.state).toBe('queued');
      expect(waiting.waiting_reason).toMatch(/2000 MiB.*at most 8 CPUs and 1000 MiB/);
      await service.request('POST', `/runs/${tooLarge}/cancel`);
      const workers = (await service.request('GET', '/admin/workers')).body;
      const me = (workers.workers ?? workers).find((w: { id: string }) => w.id === service.config.workerId);
      expect({ cpus: me.cpus, memoryMb: me.memoryMb }).toEqual({ cpus: 8, memoryMb: 1000 });
    },
  );

  it.concurrent(
    'claims a queued run on notification, well before its fallback poll, from another process',
    async () => {
      const databaseUrl = await createTestDatabase();
      // A poll of 30 s either way: without the notification, the run waits that long. (On the RDS
      // Data API, which cannot listen, data-api-smoke.test.ts shows the worker polling instead.)
      const slow = { TDS_CLAIM_POLL_MS: '30000', TDS_POLL_INTERVAL_MS: '30000' };
      const worker = await start({
        databaseUrl,
        workerId: uniqueName('listening'),
        roles: ['worker'],
        env: slow,
      });
      // The API in a process of its own: nothing in the worker's process tells it of the run.
      const api = await start({ databaseUrl, roles: ['api'], env: slow });
      // Past the worker's first look at the queue, made when it started.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const { status, body } = await api.request('POST', '/jobs', jobBody(bucket, { command: 'echo woken' }));
      expect(status, JSON.stringify(body)).toBe(202);
      const submittedAt = Date.now();
      const claimed = await api.waitForRun(body.run.id as string, (state) => state !== 'queued', 15_000);
      expect(claimed.workerId).toBe(worker.config.workerId);
      expect(Date.now() - submittedAt).toBeLessThan(15_000);
      expect((await api.waitForRun(body.run.id as string)).state).toBe('succeeded');
    },
  );

  it.concurrent(
    'starts a retry when its backoff ends, though nothing notifies then, well before the fallback poll',
    async () => {
      // Polls of 30 s: without the worker asking when the soonest backoff ends, the retry waits that long.
      const service = await start({
        workerId: uniqueName('backoff'),
        env: { TDS_CLAIM_POLL_MS: '30000', TDS_POLL_INTERVAL_MS: '30000' },
      });
      const { status, body } = await service.request(
        'POST',
        '/jobs',
        jobBody(bucket, {
          command: 'exit 3',
          retry_on_exit_code: true,
          max_attempts: 2,
          retry_backoff_seconds: 2,
        }),
      );
      expect(status, JSON.stringify(body)).toBe(202);
      const first = await service.waitForRun(body.run.id as string);
      expect(first.state).toBe('failed');
      const retries = () =>
        service.db.query<{ id: string; not_before: Date }>(
          'SELECT id, not_before FROM runs WHERE retry_of = $1::uuid',
          [first.id],
        );
      let [retry] = await retries();
      for (let tries = 0; !retry && tries < 50; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        [retry] = await retries();
      }
      expect(retry, 'the retry queued').toBeDefined();
      const claimed = await service.waitForRun(retry!.id, (state) => state !== 'queued', 15_000);
      // Claimed once its backoff was over, and not 30 s later.
      expect(new Date(claimed.timings.claimedAt).getTime()).toBeGreaterThanOrEqual(
        retry!.not_before.getTime(),
      );
      expect((await service.waitForRun(retry!.id)).state).toBe('failed');
    },
  );
});
