import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createBucket,
  createTestDatabase,
  jobBody,
  startTestService,
  until,
  type TestService,
} from '../support/harness.js';
import { removeDir, startServiceProcess, type ServiceProcess } from '../support/service-process.js';

let api: TestService | undefined;

const started: ServiceProcess[] = [];

/** A scheduler-only instance of the service in a process of its own, as in a real deployment. */
async function startScheduler(databaseUrl: string, name: string): Promise<ChildProcess> {
  const scheduler = await startServiceProcess(databaseUrl, { TDS_ROLES: 'scheduler', TDS_WORKER_ID: name });
  started.push(scheduler);
  return scheduler.child;
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.on('exit', () => resolve()));

afterAll(async () => {
  for (const instance of started) {
    await instance.kill();
    await removeDir(instance.dataDir);
  }
  await api?.close();
});

describe('several scheduler instances', () => {
  it('turn every fire time into exactly one run, while one of them is killed and another starts', async () => {
    const databaseUrl = await createTestDatabase();
    api = await startTestService({ databaseUrl, roles: ['api'] });
    const bucket = await createBucket();
    const { body } = await api.request(
      'POST',
      '/jobs',
      jobBody(bucket, { cron: '* * * * * *', overlap_policy: 'allow' }),
    );
    const jobId: string = body.job.id;

    const fireCount = async () =>
      (
        await api!.db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM schedule_fires WHERE job_id = $1::uuid',
          [jobId],
        )
      )[0]!.n;
    /** Waits until `more` fire times beyond those recorded now are recorded (one a second). */
    const moreFires = async (more: number) => {
      const target = (await fireCount()) + more;
      await until(
        `${target} fire times recorded`,
        async () => ((await fireCount()) >= target ? true : undefined),
        60_000,
        100,
      );
    };

    const instances = await Promise.all(
      ['a', 'b', 'c'].map((name) => startScheduler(databaseUrl, `scheduler-${name}`)),
    );
    await moreFires(3);
    instances[0]!.kill('SIGKILL');
    await exited(instances[0]!);
    const late = await startScheduler(databaseUrl, 'scheduler-d');
    // Fire times after the late one is up, with the killed one gone.
    await moreFires(3);
    for (const child of [instances[1]!, instances[2]!, late]) child.kill('SIGTERM');
    await Promise.all([instances[1]!, instances[2]!, late].map(exited));

    const runs = await api.db.query<{ at: Date; n: number }>(
      'SELECT scheduled_for AS at, count(*)::int AS n FROM runs WHERE job_id = $1::uuid GROUP BY 1 ORDER BY 1',
      [jobId],
    );
    expect(runs.length).toBeGreaterThanOrEqual(6);
    expect(runs.filter((r) => r.n !== 1)).toEqual([]);
    // No fire time between the first and the last was lost.
    const times = runs.map((r) => r.at.getTime());
    for (let i = 1; i < times.length; i += 1) expect(times[i]! - times[i - 1]!).toBe(1000);
    const fires = await api.db.query<{ outcome: string; run_id: string | null }>(
      'SELECT outcome, run_id FROM schedule_fires WHERE job_id = $1::uuid ORDER BY fire_at',
      [jobId],
    );
    expect(fires.length).toBe(runs.length);
    expect(fires.every((f) => f.outcome === 'queued' && f.run_id !== null)).toBe(true);
  });
});
