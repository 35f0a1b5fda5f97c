import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createHostNames,
  forward,
  loadImage,
  saveImage,
  startDockerHost,
  type DockerHost,
} from '../support/docker-hosts.js';
import {
  createBucket,
  createTestDatabase,
  eventually,
  getText,
  jobBody,
  startTestService,
  type TestService,
} from '../support/harness.js';
import { removeDir, startServiceProcess, type ServiceProcess } from '../support/service-process.js';

/**
 * A fleet across real separate engines: two hosts, each a network namespace with a Docker engine
 * of its own and a worker process, sharing the suite's Postgres and S3 over their veth links, and
 * an API beside them. One set of hosts serves the whole file (starting one and loading the base
 * image into it takes seconds); the tests run in order: tags, a drain, then one host killed.
 */
const asRoot = process.getuid?.() === 0;
const LEASE = { TDS_RECONCILE_INTERVAL_MS: '500', TDS_LEASE_MS: '3000' };

let api: TestService | undefined;
let bucket: string;
let scratch: string | undefined;
/** Each host, by the id of its worker. */
const hosts = new Map<string, DockerHost>();
const workers = new Map<string, ServiceProcess>();
const forwards: { close(): Promise<void> }[] = [];

/** A worker process inside `host`'s namespace, on its engine, reaching Postgres and S3 over the link. */
async function startWorker(host: DockerHost, databaseUrl: string, id: string, tags: string) {
  const viaLink = async (url: string) => {
    const target = new URL(url);
    const forwarder = await forward(host.rootAddress, { host: target.hostname, port: Number(target.port) });
    forwards.push(forwarder);
    target.hostname = host.rootAddress;
    target.port = String(forwarder.port);
    return target.toString().replace(/\/$/, '');
  };
  const worker = await startServiceProcess(
    await viaLink(databaseUrl),
    {
      TDS_ROLES: 'worker',
      TDS_WORKER_ID: id,
      TDS_WORKER_TAGS: tags,
      TDS_MAX_CONCURRENT_RUNS: '2',
      DOCKER_HOST: host.dockerHost,
      S3_ENDPOINT: await viaLink(inject('s3Endpoint')),
      ...LEASE,
    },
    undefined,
    host.enter,
  );
  workers.set(id, worker);
}

describe.runIf(asRoot)('a fleet on two separate Docker engines', () => {
  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    scratch = await mkdtemp(path.join(os.tmpdir(), 'tds-fleet-'));
    const names = createHostNames();
    const [image] = await Promise.all([
      saveImage(inject('baseImage'), scratch),
      ...['host-a', 'host-b'].map(async (id, index) =>
        hosts.set(id, await startDockerHost(names, index + 1)),
      ),
    ]);
    await Promise.all([...hosts.values()].map((host) => loadImage(host, image)));
    api = await startTestService({ databaseUrl, roles: ['api'], env: LEASE });
    bucket = await createBucket();
    await Promise.all([
      startWorker(hosts.get('host-a')!, databaseUrl, 'host-a', 'zone-a'),
      startWorker(hosts.get('host-b')!, databaseUrl, 'host-b', 'zone-b'),
    ]);
  });

  afterAll(async () => {
    for (const worker of workers.values()) {
      await worker.kill();
      await removeDir(worker.dataDir);
    }
    for (const host of hosts.values()) await host.remove();
    for (const forwarder of forwards) await forwarder.close();
    await api?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  type Listed = { id: string; state: string; runsInHand: number; drained: boolean; tags: string[] };
  const fleet = async (): Promise<Record<string, Listed>> =>
    Object.fromEntries(
      ((await api!.request('GET', '/admin/workers')).body.workers as Listed[]).map((w) => [w.id, w]),
    );

  async function submit(overrides: Record<string, unknown>) {
    const { status, body } = await api!.request(
      'POST',
      '/jobs',
      jobBody(bucket, { network: 'none', retry_backoff_seconds: 1, ...overrides }),
    );
    expect(status, JSON.stringify(body)).toBe(202);
    return body as { job: { id: string }; run: { id: string } };
  }

  it('sends jobs with tags to the host holding them, and jobs without to either', async () => {
    const listed = await fleet();
    expect(listed['host-a']).toMatchObject({ state: 'active', runsInHand: 0 });
    expect(listed['host-a']!.tags).toContain('zone-a');
    expect(listed['host-b']!.tags).toContain('zone-b');

    const jobs = await Promise.all([
      ...['zone-a', 'zone-b', 'zone-a', 'zone-b'].map((zone) =>
        submit({ requires: [zone], command: `echo ${zone}` }),
      ),
      submit({ command: 'echo anywhere' }),
    ]);
    const ended = await Promise.all(jobs.map((job) => api!.waitForRun(job.run.id)));
    expect(ended.map((run) => [run.state, run.workerId])).toEqual([
      ['succeeded', 'host-a'],
      ['succeeded', 'host-b'],
      ['succeeded', 'host-a'],
      ['succeeded', 'host-b'],
      ['succeeded', expect.stringMatching(/^host-[ab]$/)],
    ]);
    expect(await getText(bucket, `${ended[1].results.prefix}stdout.log`)).toBe('zone-b\n');
  });

  it('drains a host: new work goes to the other, what it runs finishes uninterrupted', async () => {
    const long = await submit({ requires: ['zone-a'], command: 'sleep 3; echo long' });
    await api!.waitForRun(long.run.id, (state) => state === 'running');
    expect((await api!.request('POST', '/admin/workers/host-a/drain')).status).toBe(202);
    expect((await fleet())['host-a']).toMatchObject({ state: 'draining', runsInHand: 1, drained: false });

    const after = await Promise.all([1, 2, 3].map((n) => submit({ command: `echo after ${n}` })));
    for (const job of after) {
      expect(await api!.waitForRun(job.run.id)).toMatchObject({ state: 'succeeded', workerId: 'host-b' });
    }
    const finished = await api!.waitForRun(long.run.id);
    expect(finished).toMatchObject({ state: 'succeeded', workerId: 'host-a', attempt: 1 });
    expect(await getText(bucket, `${finished.results.prefix}stdout.log`)).toBe('long\n');
    await eventually('host-a to be drained', async () => (await fleet())['host-a']!.drained);
  });

  it('leaves every run of a killed host ended on the other, once, with its results in S3', async () => {
    // host-a is drained, so host-b takes the first runs; host-a is undrained once it holds them.
    const jobs = await Promise.all(
      [1, 2, 3, 4].map((n) => submit({ command: `sleep 4; echo job ${n}`, max_attempts: 3 })),
    );
    // Its containers running: the hard case, as they die with the host and no other engine has them.
    await eventually('host-b to be running two containers', async () => {
      const held = await api!.db.query(
        "SELECT 1 FROM runs WHERE worker_id = 'host-b' AND state = 'running' AND job_id = ANY($1::uuid[])",
        [jobs.map((job) => job.job.id)],
      );
      return held.length === 2;
    });
    expect((await api!.request('POST', '/admin/workers/host-a/undrain')).status).toBe(202);
    await workers.get('host-b')!.kill('SIGKILL');
    await hosts.get('host-b')!.kill();
    expect((await fleet())['host-b']!.runsInHand).toBeGreaterThan(0);

    await eventually('host-b to be gone', async () => (await fleet())['host-b']!.state === 'gone', 10_000);
    expect((await fleet())['host-a']!.state).toBe('active');

    // Every job ends with one run that succeeded, on host-a, its output in S3.
    const db = api!.db;
    await eventually(
      'every job to succeed',
      async () => {
        const [{ n }] = (await db.query<{ n: number }>(
          `SELECT count(DISTINCT job_id)::int AS n FROM runs WHERE job_id = ANY($1::uuid[]) AND state = 'succeeded'`,
          [jobs.map((job) => job.job.id)],
        )) as [{ n: number }];
        return n === jobs.length;
      },
      90_000,
    );
    const runs = await db.query<{
      job_id: string;
      state: string;
      worker_id: string;
      failure_reason: string | null;
      results_prefix: string;
    }>(
      'SELECT job_id, state, worker_id, failure_reason, results_prefix FROM runs WHERE job_id = ANY($1::uuid[])',
      [jobs.map((job) => job.job.id)],
    );
    expect(runs.filter((r) => !['succeeded', 'failed'].includes(r.state))).toEqual([]);
    for (const [n, job] of jobs.entries()) {
      const succeeded = runs.filter((r) => r.job_id === job.job.id && r.state === 'succeeded');
      expect(succeeded).toHaveLength(1);
      expect(succeeded[0]!.worker_id).toBe('host-a');
      expect(await getText(bucket, `${succeeded[0]!.results_prefix}stdout.log`)).toBe(`job ${n + 1}\n`);
    }
    // The runs host-b held were ended by host-a: failed for want of their container, then retried.
    const lost = runs.filter((r) => r.state === 'failed');
    expect(lost.length).toBeGreaterThan(0);
    for (const run of lost) expect(run).toMatchObject({ worker_id: 'host-a', failure_reason: 'infra_error' });
  });
});
