import { Upload } from '@aws-sdk/lib-storage';
import Docker from 'dockerode';
import { afterAll, describe, it } from 'vitest';
import type { RunState } from '../../src/runs/run-states.js';
import {
  createBucket,
  createTestDatabase,
  eventually,
  getText,
  jobBody,
  s3Client,
  startTestService,
  type TestService,
} from '../support/harness.js';
import { removeDir, startServiceProcess, type ServiceProcess } from '../support/service-process.js';

const docker = new Docker();
const processes: ServiceProcess[] = [];
const services: TestService[] = [];

afterAll(async () => {
  for (const p of processes) {
    await p.kill();
    await removeDir(p.dataDir);
  }
  for (const s of services) await s.close();
});

// Fencing is fencing.test.ts's: a heartbeat held up on a loaded machine must not make a worker stop its run.
const worker = (databaseUrl: string, workerId: string, dataDir?: string) =>
  startServiceProcess(
    databaseUrl,
    {
      TDS_ROLES: 'worker',
      TDS_WORKER_ID: workerId,
      TDS_RECONCILE_INTERVAL_MS: '300',
      TDS_LEASE_MS: '1500',
      TDS_FENCE_MS: '0',
    },
    dataDir,
  ).then((p) => {
    processes.push(p);
    return p;
  });

/**
 * A worker process is killed (-9) while a run is in `stage`; then either the same worker comes
 * back (same id, same data folder), or, if it does not, another takes over once the lease lapses.
 * Either way the run ends succeeded, its results are in S3, and nothing is left on the engine.
 */
const cases: {
  stage: RunState;
  then: 'restart' | 'takeover';
  body: Record<string, unknown>;
  expected: RegExp;
}[] = [
  {
    stage: 'staging',
    then: 'takeover',
    body: { source_s3_prefix: 'big/', command: 'wc -c < input/blob' },
    expected: /^157286400\n$/,
  },
  {
    stage: 'building',
    then: 'restart',
    body: { linux_dependencies: ['bc'], command: 'echo 6*7 | bc' },
    expected: /^42\n$/,
  },
  {
    stage: 'running',
    then: 'takeover',
    body: { command: 'echo begun; sleep 4; echo ended' },
    expected: /^begun\nended\n$/,
  },
  {
    stage: 'uploading',
    then: 'restart',
    body: { command: 'head -c 314572800 /dev/zero > output/big.bin; echo written' },
    expected: /^written\n$/,
  },
];

// The four cases run at once: each has its own database, service, workers, bucket and run, and
// waits on its own run's state, so none depends on another's timing.
describe('a worker killed mid-run', () => {
  it.concurrent.for(cases)(
    'in $stage: the run still ends, its results delivered ($then)',
    async ({ stage, then, body, expected }, { expect }) => {
      const databaseUrl = await createTestDatabase();
      const api = await startTestService({ databaseUrl, roles: ['api'] });
      services.push(api);
      const bucket = await createBucket();
      if (stage === 'staging') {
        await new Upload({
          client: s3Client(),
          params: { Bucket: bucket, Key: 'big/blob', Body: Buffer.alloc(150 * 1024 * 1024, 7) },
        }).done();
      }
      const first = await worker(databaseUrl, `crash-${stage}`);
      const { body: posted } = await api.request('POST', '/jobs', jobBody(bucket, body));
      expect(posted.run).toBeTruthy();
      await api.waitForRun(posted.run.id, (s) => s === stage, 120_000);
      await first.kill('SIGKILL');

      if (then === 'restart') await worker(databaseUrl, `crash-${stage}`, first.dataDir);
      else await worker(databaseUrl, `heir-${stage}`);
      const run = await api.waitForRun(posted.run.id, undefined, 150_000);
      expect(run.state).toBe('succeeded');
      expect(await getText(bucket, `${run.results.prefix}stdout.log`)).toMatch(expected);
      expect(JSON.parse((await getText(bucket, `${run.results.prefix}run.json`))!).state).toBe('succeeded');
      if (stage === 'uploading') {
        const head = await s3Client().send(
          new (await import('@aws-sdk/client-s3')).HeadObjectCommand({
            Bucket: bucket,
            Key: `${run.results.prefix}output/big.bin`,
          }),
        );
        expect(head.ContentLength).toBe(314572800);
      }
      const starts = run.history.filter(
        (e: { state: string; detail: { containerId?: string } | null }) =>
          e.state === 'running' && e.detail?.containerId,
      );
      expect(starts).toHaveLength(1);
      await eventually('the container and its volumes to be removed', async () => {
        const containers = await docker.listContainers({
          all: true,
          filters: { label: [`tds.run-id=${run.id}`] },
        });
        const { Volumes } = await docker.listVolumes({ filters: { label: [`tds.run-id=${run.id}`] } });
        return containers.length === 0 && (Volumes ?? []).length === 0;
      });
    },
  );
});
