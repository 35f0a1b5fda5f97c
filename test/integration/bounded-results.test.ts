import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSpec } from '../../src/jobs/job-spec.js';
import { finish } from '../../src/runs/transitions.js';
import {
  createBucket,
  eventually,
  getText,
  listKeys,
  s3Client,
  startTestService,
  uniqueName,
  type TestService,
} from '../support/harness.js';

const KIB = 1024;

function workflowBody(bucket: string, steps: unknown[], overrides: Record<string, unknown> = {}) {
  return {
    userId: 'test-user',
    uniqueId: uniqueName('wf'),
    s3_bucket: bucket,
    source_s3_prefix: '',
    destination_s3_prefix: '/wf/',
    max_parallel: 4,
    steps,
    ...overrides,
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function waitForWorkflowRun(service: TestService, id: string, timeoutMs = 150_000): Promise<any> {
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

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const stepOf = (run: any, name: string) => run.steps.find((s: { name: string }) => s.name === name);

/** An object's bytes from `start` to `end` (inclusive), as text. */
async function rangeOf(bucket: string, key: string, start: number, end: number): Promise<string> {
  const got = await s3Client().send(
    new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${end}` }),
  );
  return got.Body!.transformToString('utf8');
}

// The two parts run at once, each with its own service, bucket and workflow runs: the control path's
// fan-out keeps the database and S3 busy while the containers of the other part run.
describe.concurrent('a fan-out of 10,000 items of 64 KiB each (the control path, no containers)', () => {
  const ITEMS = 10_000;
  let service: TestService;
  let bucket: string;

  beforeAll(async () => {
    // No worker: the items' runs are ended here, as a worker's finisher ends them.
    service = await startTestService({ roles: ['api'] });
    bucket = await createBucket();
  });

  afterAll(async () => {
    await service?.close();
  });

  it('ends with every state right, its result kept only in the streamed manifest its dependant is given', async ({
    expect,
  }) => {
    const body = workflowBody(bucket, [
      { name: 'fan', for_each: Array.from({ length: ITEMS }, (_, i) => i), command: 'true' },
      { name: 'reduce', depends_on: ['fan'], command: 'wc -l < "$TDS_STEP_FAN_MANIFEST"' },
    ]);
    const posted = await service.request('POST', '/workflows', { ...body, max_parallel: 1000 });
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    const id = posted.body.workflowRun.id as string;
    // Each item's result is 64 KiB exactly (the most a run keeps): "<index>:xxx…". Together, as
    // one string, they would be 640 MiB, more than JavaScript can hold (the RangeError this guards).
    const resultSql = `rpad(item_index::text || ':', ${64 * KIB}, 'x')`;
    const queuedItems = () =>
      service.db.query<{ id: string; item_index: number }>(
        `SELECT id, item_index FROM runs WHERE workflow_run_id = $1::uuid AND state = 'queued'
           AND item_index IS NOT NULL ORDER BY item_index`,
        [id],
      );
    for (let queued = await queuedItems(); queued.length > 0; queued = await queuedItems()) {
      const last = queued.find((r) => r.item_index === ITEMS - 1);
      // A fixture, not the product: the runs of a round end in one statement (the containers of
      // 10,000 items take about an hour here), then the workflow run is moved on as a step's end
      // moves it, which starts the next round. The very last item ends as a worker ends it below.
      await service.db.query(
        `UPDATE runs SET state = 'succeeded', exit_code = 0, result = ${resultSql}, finished_at = now()
         WHERE id = ANY($1::uuid[])`,
        [queued.filter((r) => r !== last).map((r) => r.id)],
      );
      if (last) {
        // The transaction that ends the last item: it ends the step and reads every item's run.
        await service.db.transaction(async (tx) => {
          const ended = await finish(
            tx,
            last.id,
            { state: 'succeeded' },
            { exitCode: 0, result: `${ITEMS - 1}:`.padEnd(64 * KIB, 'x') },
          );
          expect(ended?.state).toBe('succeeded');
          const moved = await service.workflows.advance(tx, id);
          expect(moved).toMatchObject({ queued: 0, ended: false, fanOutEnded: true });
        });
      } else {
        await service.db.transaction((tx) => service.workflows.advance(tx, id));
      }
    }

    let run = (await service.request('GET', `/workflow-runs/${id}`)).body;
    expect(stepOf(run, 'fan')).toMatchObject({
      state: 'succeeded',
      result: null,
      resultTruncated: true,
      reason: null,
      items: { total: ITEMS, succeeded: ITEMS, pending: 0, running: 0, failed: 0 },
    });
    // Its dependant waits for the manifest it is to be given, written just after that transaction.
    expect(stepOf(run, 'reduce').state).toBe('pending');

    await service.workflows.writeReportOf(id);
    const key = `${stepOf(run, 'fan').results.prefix as string}items.jsonl`;
    expect(key).toBe(`wf/${body.uniqueId}/${id}/fan/items.jsonl`);
    const head = await s3Client().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    const size = head.ContentLength!;
    const firstLine = JSON.parse((await rangeOf(bucket, key, 0, 70 * KIB)).split('\n')[0]!);
    expect(firstLine).toEqual({
      index: 0,
      item: 0,
      state: 'succeeded',
      exitCode: 0,
      attempts: 1,
      result: '0:'.padEnd(64 * KIB, 'x'),
      runId: expect.any(String),
      reason: null,
      results: `s3://${bucket}/${stepOf(run, 'fan').results.prefix as string}0/`,
    });
    const tail = (await rangeOf(bucket, key, size - 70 * KIB, size - 1)).split('\n');
    expect(tail.at(-1)).toBe('');
    const lastLine = JSON.parse(tail.at(-2)!);
    expect(lastLine).toMatchObject({
      index: ITEMS - 1,
      state: 'succeeded',
      result: `${ITEMS - 1}:`.padEnd(64 * KIB, 'x'),
    });
    // Every item's line, in order: the object read as a stream, its newlines counted.
    const stream = (await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: key })))
      .Body as AsyncIterable<Uint8Array>;
    let lines = 0;
    for await (const chunk of stream) {
      const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, at + 1)) lines++;
    }
    expect(lines).toBe(ITEMS);
    expect(size).toBeGreaterThan(ITEMS * 64 * KIB);

    // The dependant is queued now, given the manifest as a file and a variable naming it.
    const [reduce] = await service.db.query<{ id: string; spec: JobSpec }>(
      `SELECT id, spec FROM runs WHERE workflow_run_id = $1::uuid AND step_name = 'reduce'`,
      [id],
    );
    expect(reduce!.spec.env).toMatchObject({ TDS_STEP_FAN_MANIFEST: '/job/steps/fan/items.jsonl' });
    expect(reduce!.spec.env).not.toHaveProperty('TDS_STEP_FAN_RESULT');
    expect(reduce!.spec.step_inputs).toContainEqual({
      name: 'fan',
      bucket,
      prefix: `wf/${body.uniqueId}/${id}/fan/`,
      file: 'items.jsonl',
    });
    expect(reduce!.spec.step_inputs).toHaveLength(ITEMS + 1);
    await service.db.transaction(async (tx) => {
      await finish(tx, reduce!.id, { state: 'succeeded' }, { exitCode: 0, result: String(ITEMS) });
      expect(await service.workflows.advance(tx, id)).toMatchObject({ ended: true });
    });
    await service.workflows.writeReportOf(id);

    // What the API answers and the report holds stay small.
    const answer = await service.request('GET', `/workflow-runs/${id}`);
    run = answer.body;
    expect(run.state).toBe('succeeded');
    expect(stepOf(run, 'reduce')).toMatchObject({ state: 'succeeded', result: String(ITEMS) });
    expect(JSON.stringify(answer.body).length).toBeLessThan(16 * KIB);
    const report = await getText(bucket, run.results.prefix + 'report.json');
    expect(report!.length).toBeLessThan(16 * KIB);
    expect(stepOf(JSON.parse(report!), 'fan')).toMatchObject({ result: null, resultTruncated: true });
    const [step] = await service.db.query<{ manifest_written_at: Date | null }>(
      `SELECT manifest_written_at FROM workflow_steps WHERE workflow_run_id = $1::uuid AND name = 'fan'`,
      [id],
    );
    expect(step!.manifest_written_at).not.toBeNull();
  }, 600_000);
});

describe.concurrent('bounded results, with real containers', () => {
  let service: TestService;
  let bucket: string;

  beforeAll(async () => {
    // A small bound, so that a few small items pass it. Its two tests run at once, each on a
    // workflow run of its own, checked by its id.
    service = await startTestService({
      env: { TDS_MAX_CONCURRENT_RUNS: '3', TDS_MAX_RESULT_BYTES: String(KIB) },
    });
    bucket = await createBucket();
  });

  afterAll(async () => {
    await service?.close();
  });

  it("give a fan-out's result over the bound as its manifest, refuse to paste it, and hold a huge single result to the bound", async ({
    expect,
  }) => {
    const posted = await service.request(
      'POST',
      '/workflows',
      workflowBody(bucket, [
        // Three items of 600 bytes: their array, 1,811 bytes, is over the 1 KiB bound.
        {
          name: 'fan',
          for_each: [0, 1, 2],
          command: "printf '{{item}}'; head -c 599 /dev/zero | tr '\\0' x; echo",
        },
        {
          name: 'count',
          depends_on: ['fan'],
          command:
            'echo "result=${TDS_STEP_FAN_RESULT-unset} file=$TDS_STEP_FAN_MANIFEST lines=$(wc -l < "$TDS_STEP_FAN_MANIFEST") ok=$(grep -c \'"state":"succeeded"\' "$TDS_STEP_FAN_MANIFEST") first=$(head -c 60 "$TDS_STEP_FAN_MANIFEST" | cut -c1-39)"',
        },
        { name: 'pasted', depends_on: ['fan'], command: "echo '{{steps.fan.result}}' | wc -c" },
        // A 10 MB last line with capture_result: the step fails, and nothing of it is kept.
        { name: 'huge', command: "head -c 10000000 /dev/zero | tr '\\0' x; echo" },
      ]),
    );
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    const answer = await waitForWorkflowRun(service, posted.body.workflowRun.id as string);
    const run = answer;
    expect(run.state).toBe('failed');
    expect(stepOf(run, 'fan')).toMatchObject({ state: 'succeeded', result: null, resultTruncated: true });
    expect(stepOf(run, 'count')).toMatchObject({
      state: 'succeeded',
      resultTruncated: false,
      result:
        'result=unset file=/job/steps/fan/items.jsonl lines=3 ok=3 first={"index":0,"item":0,"state":"succeeded"',
    });
    expect(stepOf(run, 'pasted').state).toBe('failed');
    expect(stepOf(run, 'pasted').reason).toContain(
      'the result of fan-out step "fan" (its items\' results as one array) came to more than 1024 bytes (TDS_MAX_RESULT_BYTES)',
    );
    expect(stepOf(run, 'pasted').runId).toBeNull();
    expect(stepOf(run, 'huge').state).toBe('failed');
    expect(stepOf(run, 'huge').result).toBeNull();
    expect(stepOf(run, 'huge').reason).toMatch(
      /^result_too_large: .*9\.5 MiB \(10000000 bytes\), more than the 1 KiB \(1024 bytes\)/,
    );
    expect(JSON.stringify(run).length).toBeLessThan(16 * KIB);
    const report = await getText(bucket, `${run.results.prefix as string}report.json`);
    expect(report!.length).toBeLessThan(16 * KIB);

    // Within the bound, a fan-out's result is its array, as before.
    const small = await service.request(
      'POST',
      '/workflows',
      workflowBody(bucket, [
        { name: 'fan', for_each: ['a', 'b'], command: 'echo "got-{{item}}"' },
        { name: 'echo', command: 'echo "$TDS_STEP_FAN_RESULT" \'{{steps.fan.result}}\'' },
      ]),
    );
    const smallRun = await waitForWorkflowRun(service, small.body.workflowRun.id as string);
    expect(stepOf(smallRun, 'fan')).toMatchObject({ result: '["got-a","got-b"]', resultTruncated: false });
    expect(stepOf(smallRun, 'echo').result).toBe('["got-a","got-b"] ["got-a","got-b"]');
  });

  it('write a run’s manifests, report and events under the definition it started with, whatever a PUT changes meanwhile', async ({
    expect,
  }) => {
    const body = workflowBody(
      bucket,
      [{ name: 'fan', for_each: [0, 1], command: 'sleep 3; echo {{item}}' }],
      { destination_s3_prefix: '/old/' },
    );
    const posted = await service.request('POST', '/workflows', body);
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    const put = await service.request('PUT', `/workflows/${posted.body.workflow.id as string}`, {
      ...body,
      destination_s3_prefix: '/new/',
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ changed: true, version: 2 });
    const id = posted.body.workflowRun.id as string;
    const run = await waitForWorkflowRun(service, id);
    expect(run.state).toBe('succeeded');
    const folder = `old/${body.uniqueId}/${id}/`;
    expect(run.results.prefix).toBe(folder);
    await eventually(
      'the manifest',
      async () => (await getText(bucket, `${folder}fan/items.jsonl`)) !== undefined,
    );
    expect(await listKeys(bucket, folder)).toEqual(
      expect.arrayContaining([`${folder}report.json`, `${folder}report.txt`, `${folder}fan/items.jsonl`]),
    );
    expect(await listKeys(bucket, `new/${body.uniqueId}/`)).toEqual([]);
    const events = await service.db.query<{ type: string; prefix: string }>(
      `SELECT type, data -> 'results' ->> 'prefix' AS prefix FROM events
       WHERE type LIKE 'workflow_run.%' AND data ->> 'workflowRunId' = $1 ORDER BY id`,
      [id],
    );
    expect(events).toEqual([
      { type: 'workflow_run.started', prefix: folder },
      { type: 'workflow_run.succeeded', prefix: folder },
    ]);
  });
});
