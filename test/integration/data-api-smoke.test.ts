import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseDriver } from '../support/database-driver.js';
import {
  createBucket,
  createTestDatabase,
  getText,
  jobBody,
  listKeys,
  putObject,
  startTestService,
  uniqueName,
  type TestService,
} from '../support/harness.js';

/**
 * The service end to end on the project's database driver: a job and a workflow run through the
 * API, a worker, Docker and S3. It runs on the RDS Data API driver (project rds-data), where it
 * proves the driver in the real path; what the driver must do statement by statement is the
 * contract suite's (test/contract/), on both drivers, and everything else the service does is
 * checked end to end on pg.
 */
let service: TestService;
let bucket: string;

beforeAll(async () => {
  service = await startTestService({ env: { TDS_MAX_CONCURRENT_RUNS: '3' } });
  bucket = await createBucket();
});

afterAll(async () => {
  await service?.close();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function waitForWorkflowRun(id: string, timeoutMs = 150_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const { status, body } = await service.request('GET', `/workflow-runs/${id}`);
    expect(status, JSON.stringify(body)).toBe(200);
    last = body;
    const ended = ['succeeded', 'failed', 'cancelled'].includes(body.state as string);
    if (ended && body.results.report.writtenAt !== null) return body;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`workflow run ${id} did not end in time; last seen ${JSON.stringify(last)}`);
}

describe(`the service on the ${databaseDriver()} driver`, () => {
  it('claims a run queued by another process with a fallback poll of 30 s: notified on pg, polling every TDS_POLL_INTERVAL_MS on the Data API, which cannot listen', async () => {
    const databaseUrl = await createTestDatabase();
    const slow = {
      TDS_CLAIM_POLL_MS: '30000',
      TDS_POLL_INTERVAL_MS: databaseDriver() === 'pg' ? '30000' : '300',
    };
    const worker = await startTestService({
      databaseUrl,
      workerId: uniqueName('apart'),
      roles: ['worker'],
      env: slow,
    });
    const api = await startTestService({ databaseUrl, roles: ['api'], env: slow });
    try {
      const posted = await api.request('POST', '/jobs', jobBody(bucket, { command: 'echo apart' }));
      expect(posted.status, JSON.stringify(posted.body)).toBe(202);
      const claimed = await api.waitForRun(
        posted.body.run.id as string,
        (state) => state !== 'queued',
        15_000,
      );
      expect(claimed.workerId).toBe(worker.config.workerId);
    } finally {
      await api.close();
      await worker.close();
    }
  });

  it('runs a job: its input staged, its output, logs and record delivered, its states and event recorded', async () => {
    await putObject(bucket, 'smoke-in/data.csv', 'a,b\n1,2\n3,4\n');
    const body = jobBody(bucket, {
      source_s3_prefix: 'smoke-in',
      command: 'echo 56789; wc -l < input/data.csv > output/lines.txt',
    });
    const posted = await service.request('POST', '/jobs', body);
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    expect(posted.body.created).toBe(true);
    const again = await service.request('POST', '/jobs', body);
    expect(again.body).toMatchObject({ created: false, job: { id: posted.body.job.id } });

    const run = await service.waitForRun(posted.body.run.id as string);
    expect(run).toMatchObject({ state: 'succeeded', exitCode: 0 });
    const prefix = `out/${body.uniqueId as string}/${run.id as string}/`;
    expect(await getText(bucket, `${prefix}stdout.log`)).toBe('56789\n');
    expect(await getText(bucket, `${prefix}output/lines.txt`)).toBe('3\n');
    expect(JSON.parse((await getText(bucket, `${prefix}run.json`))!)).toMatchObject({ exitCode: 0 });
    const states = await service.db.query<{ state: string }>(
      'SELECT state FROM run_events WHERE run_id = $1::uuid ORDER BY id',
      [run.id],
    );
    expect(states.map((s) => s.state)).toEqual(
      expect.arrayContaining(['queued', 'staging', 'building', 'running', 'uploading', 'succeeded']),
    );
    const events = await service.db.query<{ type: string }>(
      "SELECT type FROM events WHERE data ->> 'runId' = $1 ORDER BY id",
      [run.id],
    );
    expect(events.map((e) => e.type)).toContain('run.succeeded');
    // Its creation is in the audit log once (the repeat created nothing), read back through the driver.
    const audit = await service.request('GET', `/audit?target=${posted.body.job.id as string}&action=job.*`);
    expect(audit.status, JSON.stringify(audit.body)).toBe(200);
    expect(audit.body.entries).toMatchObject([
      {
        action: 'job.created',
        actor: { kind: 'local', keyId: null, address: '127.0.0.1' },
        ownerId: body.userId,
        summary: { uniqueId: body.uniqueId, runId: run.id },
      },
    ]);
  });

  it('runs a workflow: a result passed on, a fan-out over it, a reduce, and the report', async () => {
    const uniqueId = uniqueName('wf');
    const posted = await service.request('POST', '/workflows', {
      userId: 'test-user',
      uniqueId,
      s3_bucket: bucket,
      source_s3_prefix: '',
      destination_s3_prefix: '/wf/',
      steps: [
        { name: 'list', command: 'echo \'["a", "b", "c"]\'' },
        { name: 'shard', for_each: '{{steps.list.result}}', command: 'echo "$TDS_INDEX-{{item}}"' },
        { name: 'reduce', depends_on: ['shard'], command: 'echo "$TDS_STEP_SHARD_RESULT"' },
      ],
    });
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    const run = await waitForWorkflowRun(posted.body.workflowRun.id as string);
    expect(run.state, JSON.stringify(run.steps)).toBe('succeeded');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const stepOf = (name: string) => run.steps.find((s: any) => s.name === name);
    expect(stepOf('shard').items).toMatchObject({ total: 3, succeeded: 3 });
    expect(stepOf('reduce').result).toBe('["0-a","1-b","2-c"]');
    const prefix = `wf/${uniqueId}/${run.id as string}/`;
    expect(run.results.prefix).toBe(prefix);
    expect(await listKeys(bucket, prefix)).toEqual(
      expect.arrayContaining([
        `${prefix}report.json`,
        `${prefix}shard/2/stdout.log`,
        `${prefix}reduce/stdout.log`,
      ]),
    );
    expect(JSON.parse((await getText(bucket, `${prefix}report.json`))!)).toMatchObject({
      state: 'succeeded',
    });
  });
});
