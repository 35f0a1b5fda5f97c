import type { ChildProcess } from 'node:child_process';
import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createBucket,
  createTestDatabase,
  eventually,
  getText,
  jobBody,
  putObject,
  startTestService,
  type TestService,
} from '../support/harness.js';
import { removeDir, startServiceProcess, type ServiceProcess } from '../support/service-process.js';

const docker = new Docker();
let api: TestService | undefined;

const started: ServiceProcess[] = [];

/** A worker-only instance of the service in a process of its own, as on another host. */
async function startWorker(databaseUrl: string, workerId: string): Promise<ChildProcess> {
  const worker = await startServiceProcess(databaseUrl, {
    TDS_ROLES: 'worker',
    TDS_WORKER_ID: workerId,
    TDS_MAX_CONCURRENT_RUNS: '2',
    TDS_RECONCILE_INTERVAL_MS: '500',
    TDS_LEASE_MS: '3000',
  });
  started.push(worker);
  return worker.child;
}

afterAll(async () => {
  for (const instance of started) {
    await instance.kill();
    await removeDir(instance.dataDir);
  }
  await api?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('several worker processes sharing one database', () => {
  it('run every job exactly once, spread the load, and lose nothing when one is killed mid-flight', async () => {
    const databaseUrl = await createTestDatabase();
    api = await startTestService({ databaseUrl, roles: ['api'] });
    const bucket = await createBucket();
    // One small input for every job: the bucket's root would hold every earlier job's results, and
    // each run would stage all of them.
    await putObject(bucket, 'in/data.txt', 'data\n');
    const workers = await Promise.all(['w1', 'w2', 'w3'].map((id) => startWorker(databaseUrl, id)));

    // Enough jobs that every worker, the one started after the kill included, takes several while
    // the queue is still long: 48 keeps six runs at a time busy for well past the kill.
    const total = 48;
    const jobs: { jobId: string; n: number }[] = [];
    for (let n = 0; n < total; n += 1) {
      // Every tenth job runs for a while, so the kill finds runs at every stage.
      const command = n % 10 === 0 ? `sleep 2; echo ${n}` : `echo ${n}`;
      const { status, body } = await api.request(
        'POST',
        '/jobs',
        jobBody(bucket, { source_s3_prefix: 'in/', command }),
      );
      expect(status).toBe(202);
      jobs.push({ jobId: body.job.id, n });
    }

    const ended = async () =>
      (
        await api!.db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM runs WHERE state IN ('succeeded', 'failed', 'cancelled', 'timed_out')",
        )
      )[0]!.n;
    // Killed once some runs have ended and while it holds a run: mid-flight, not between runs.
    const holding = async () =>
      (
        await api!.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM runs
           WHERE worker_id = 'w1' AND state IN ('staging', 'building', 'running', 'uploading')`,
        )
      )[0]!.n;
    const killBy = Date.now() + 180_000;
    let held = 0;
    while (Date.now() < killBy) {
      if ((await ended()) >= 8 && (held = await holding()) > 0) break;
      await sleep(100);
    }
    workers[0]!.kill('SIGKILL');
    expect(held, 'runs w1 held when it was killed').toBeGreaterThan(0);
    await startWorker(databaseUrl, 'w4');

    // Every job ends: no run is left queued or under way (a failed run's retry included).
    const unfinished = async () =>
      api!.db.query<{ id: string; state: string; worker_id: string | null; heartbeat_at: Date | null }>(
        `SELECT id, state, worker_id, heartbeat_at FROM runs
         WHERE state IN ('queued', 'staging', 'building', 'running', 'uploading')`,
      );
    const deadline = Date.now() + 360_000;
    let left = await unfinished();
    while (left.length > 0 && Date.now() < deadline) {
      await sleep(500);
      left = await unfinished();
    }
    expect(left, `runs not ended: ${JSON.stringify(left)}`).toEqual([]);
    const [{ n: withoutRuns }] = (await api.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM jobs j WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE r.job_id = j.id)',
    )) as [{ n: number }];
    expect(withoutRuns).toBe(0);
    const notSucceeded = await api.db.query<{ id: string; state: string; failure_message: string | null }>(
      `SELECT r.id, r.state, r.failure_message FROM runs r WHERE NOT EXISTS
         (SELECT 1 FROM runs s WHERE s.job_id = r.job_id AND s.state = 'succeeded')`,
    );
    if (notSucceeded.length > 0)
      console.warn('jobs that ended without success:', JSON.stringify(notSucceeded));

    // No run's container was started twice, and every job has its output.
    const starts = await api.db.query<{ run_id: string; n: number }>(
      `SELECT run_id, count(*)::int AS n FROM run_events
       WHERE state = 'running' AND detail ? 'containerId' GROUP BY run_id`,
    );
    expect(starts.filter((s) => s.n !== 1)).toEqual([]);
    const succeeded = await api.db.query<{ job_id: string; results_prefix: string }>(
      "SELECT job_id, results_prefix FROM runs WHERE state = 'succeeded'",
    );
    // Never two successes for one job.
    expect(new Set(succeeded.map((r) => r.job_id)).size).toBe(succeeded.length);
    for (const { jobId, n } of jobs.filter((j) => j.n % 15 === 0)) {
      const run = succeeded.find((r) => r.job_id === jobId);
      if (!run) continue;
      expect(await getText(bucket, `${run.results_prefix}stdout.log`)).toBe(`${n}\n`);
    }

    // The load was spread over the workers, the killed one included.
    const claims = await api.db.query<{ worker: string; n: number }>(
      `SELECT detail->>'workerId' AS worker, count(*)::int AS n FROM run_events
       WHERE state = 'staging' AND detail ? 'workerId' GROUP BY 1 ORDER BY 1`,
    );
    const byWorker = Object.fromEntries(claims.map((c) => [c.worker, c.n]));
    for (const id of ['w1', 'w2', 'w3', 'w4']) expect(byWorker[id] ?? 0).toBeGreaterThan(0);

    // Nothing is left behind on the engine.
    const ids = succeeded.map((r) => r.results_prefix.split('/').at(-2)!);
    await eventually('every run container to be removed', async () => {
      const containers = await docker.listContainers({ all: true, filters: { label: ['tds.managed=true'] } });
      return containers.filter((c) => ids.includes(c.Labels['tds.run-id'] ?? '')).length === 0;
    });
  }, 420_000);
});
