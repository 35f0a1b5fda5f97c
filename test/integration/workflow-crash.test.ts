import { afterAll, describe, expect, it } from 'vitest';
import {
  createBucket,
  createTestDatabase,
  startTestService,
  uniqueName,
  type TestService,
} from '../support/harness.js';
import { removeDir, startServiceProcess, type ServiceProcess } from '../support/service-process.js';

let api: TestService | undefined;
const started: ServiceProcess[] = [];

const worker = async (databaseUrl: string, workerId: string, dataDir?: string) => {
  const process = await startServiceProcess(
    databaseUrl,
    {
      TDS_ROLES: 'worker',
      TDS_WORKER_ID: workerId,
      TDS_RECONCILE_INTERVAL_MS: '300',
      TDS_LEASE_MS: '1500',
      // Fencing is fencing.test.ts's: a heartbeat held up on a loaded machine must not make this worker stop its run.
      TDS_FENCE_MS: '0',
      TDS_WORKFLOW_PASS_INTERVAL_MS: '500',
      TDS_MAX_CONCURRENT_RUNS: '3',
    },
    dataDir,
  );
  started.push(process);
  return process;
};

afterAll(async () => {
  for (const instance of started) {
    await instance.kill();
    await removeDir(instance.dataDir);
  }
  await api?.close();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function until(id: string, done: (run: any) => boolean, timeoutMs = 120_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const { body } = await api!.request('GET', `/workflow-runs/${id}`);
    last = body;
    if (done(body)) return body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the workflow run did not get there in time; last seen ${JSON.stringify(last)}`);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const step = (run: any, name: string) => run.steps.find((s: { name: string }) => s.name === name);

describe('a workflow run across kill -9 of its worker', () => {
  it('starts no step twice, strands none, and finishes', async () => {
    const databaseUrl = await createTestDatabase();
    api = await startTestService({ databaseUrl, roles: ['api'] });
    const bucket = await createBucket();
    let current = await worker(databaseUrl, 'wf-crash');
    const posted = await api.request('POST', '/workflows', {
      userId: 'test-user',
      uniqueId: uniqueName('crash'),
      s3_bucket: bucket,
      source_s3_prefix: '',
      destination_s3_prefix: '',
      max_parallel: 2,
      steps: [
        { name: 'first', command: 'sleep 1; echo 1' },
        { name: 'second', command: 'echo $(( {{steps.first.result}} + 1 ))' },
        { name: 'fan', depends_on: ['second'], for_each: [1, 2, 3], command: 'sleep 1; echo {{item}}' },
        { name: 'last', command: 'echo "{{steps.fan.result}}"' },
      ],
    });
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    const id = posted.body.workflowRun.id as string;

    // Killed as soon as the first step has ended: between a step's end and its dependant's start.
    await until(id, (run) => step(run, 'first').state === 'succeeded');
    await current.kill('SIGKILL');
    current = await worker(databaseUrl, 'wf-crash', current.dataDir);
    // Killed again while the fan-out's items run.
    await until(id, (run) => step(run, 'fan').items.running > 0);
    await current.kill('SIGKILL');
    current = await worker(databaseUrl, 'wf-crash', current.dataDir);

    const run = await until(id, (r) => ['succeeded', 'failed', 'cancelled'].includes(r.state as string));
    expect(run.state, JSON.stringify(run.steps)).toBe('succeeded');
    expect(step(run, 'second').result).toBe('2');
    expect(step(run, 'last').result).toBe('[1,2,3]');
    const runs = await api.db.query<{ step_name: string; item_index: number | null; count: number }>(
      `SELECT step_name, item_index, count(*)::int AS count FROM runs WHERE workflow_run_id = $1::uuid
       GROUP BY step_name, item_index ORDER BY step_name, item_index`,
      [id],
    );
    expect(runs).toEqual([
      { step_name: 'fan', item_index: 0, count: 1 },
      { step_name: 'fan', item_index: 1, count: 1 },
      { step_name: 'fan', item_index: 2, count: 1 },
      { step_name: 'first', item_index: null, count: 1 },
      { step_name: 'last', item_index: null, count: 1 },
      { step_name: 'second', item_index: null, count: 1 },
    ]);
    // Its start and end told once each, whatever the crashes.
    const events = await api.db.query<{ type: string }>(
      "SELECT type FROM events WHERE data ->> 'workflowRunId' = $1 AND type LIKE 'workflow_run.%' ORDER BY id",
      [id],
    );
    expect(events.map((e) => e.type)).toEqual(['workflow_run.started', 'workflow_run.succeeded']);
  });
});
