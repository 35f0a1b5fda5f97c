import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createBucket,
  eventually,
  getText,
  listKeys,
  putObject,
  startTestService,
  uniqueName,
  type TestService,
} from '../support/harness.js';

let service: TestService;
let bucket: string;
const docker = new Docker();

// The tests run at once, each on workflow runs of its own, checked by their ids.
beforeAll(async () => {
  service = await startTestService({ env: { TDS_MAX_CONCURRENT_RUNS: '4' } });
  bucket = await createBucket();
  await putObject(bucket, 'wf-in/placeholder.txt', 'x');
});

afterAll(async () => {
  await service?.close();
});

function workflowBody(steps: unknown[], overrides: Record<string, unknown> = {}) {
  return {
    userId: 'test-user',
    uniqueId: uniqueName('wf'),
    s3_bucket: bucket,
    // The file's inputs, not the whole bucket, into which the other tests' results land meanwhile.
    source_s3_prefix: 'wf-in',
    destination_s3_prefix: '/wf/',
    max_parallel: 4,
    steps,
    ...overrides,
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function waitForWorkflowRun(id: string, timeoutMs = 150_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const { status, body } = await service.request('GET', `/workflow-runs/${id}`);
    expect(status, JSON.stringify(body)).toBe(200);
    last = body;
    // Ended, and its report written (just after the end, outside the transaction that ends it).
    const ended = ['succeeded', 'failed', 'cancelled'].includes(body.state as string);
    if (ended && body.results.report.writtenAt !== null) return body;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`workflow run ${id} did not end in time; last seen ${JSON.stringify(last)}`);
}

/** The workflow_run.* events recorded for a workflow run, in order. */
async function workflowRunEvents(id: string): Promise<string[]> {
  const rows = await service.db.query<{ type: string }>(
    "SELECT type FROM events WHERE type LIKE 'workflow_run.%' AND data ->> 'workflowRunId' = $1 ORDER BY id",
    [id],
  );
  return rows.map((r) => r.type);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const stepOf = (run: any, name: string) => run.steps.find((s: { name: string }) => s.name === name);

describe.concurrent('workflows', () => {
  it('pass results and files along, fan out over a list an earlier step made, reduce, and report', async ({
    expect,
  }) => {
    const body = workflowBody([
      { name: 'seed', command: 'echo 20 > /job/output/seed.txt; echo 20' },
      {
        name: 'double',
        command: 'echo $(( {{steps.seed.result}} * 2 ))',
      },
      {
        name: 'img',
        image: inject('baseImage'),
        args: ['sh', '-c', 'echo image-{{steps.double.result}}'],
      },
      {
        name: 'list',
        depends_on: ['seed'],
        command: 'cat /job/steps/seed/seed.txt >/dev/null && echo "[1, 2, \\"three\\"]"',
      },
      {
        name: 'shard',
        for_each: '{{steps.list.result}}',
        command: 'echo "$TDS_INDEX:{{item}}" > /job/output/part.txt; echo "{\\"i\\": $TDS_INDEX}"',
      },
      {
        name: 'reduce',
        depends_on: ['shard', 'double'],
        command: 'echo "$TDS_STEP_DOUBLE_RESULT $TDS_STEP_SHARD_RESULT $(cat /job/steps/shard/2/part.txt)"',
      },
    ]);
    const posted = await service.request('POST', '/workflows', body);
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    expect(posted.body.created).toBe(true);
    const again = await service.request('POST', '/workflows', body);
    expect(again.status).toBe(200);
    expect(again.body.created).toBe(false);
    expect(again.body.workflow.id).toBe(posted.body.workflow.id);

    const run = await waitForWorkflowRun(posted.body.workflowRun.id as string);
    expect(run.state, JSON.stringify(run.steps)).toBe('succeeded');
    expect(stepOf(run, 'double').result).toBe('40');
    expect(stepOf(run, 'img').result).toBe('image-40');
    expect(stepOf(run, 'shard').result).toBe('[{"i":0},{"i":1},{"i":2}]');
    expect(stepOf(run, 'shard').items).toMatchObject({ total: 3, succeeded: 3 });
    expect(stepOf(run, 'reduce').result).toBe('40 [{"i":0},{"i":1},{"i":2}] 2:three');

    const prefix = run.results.prefix as string;
    expect(prefix).toBe(`wf/${body.uniqueId}/${run.id}/`);
    const keys = await listKeys(bucket, prefix);
    expect(keys).toEqual(
      expect.arrayContaining([
        `${prefix}report.json`,
        `${prefix}report.txt`,
        `${prefix}seed/output/seed.txt`,
        `${prefix}shard/1/output/part.txt`,
        `${prefix}reduce/stdout.log`,
      ]),
    );
    const report = (await getText(bucket, `${prefix}report.txt`))!;
    const lines = report.split('\n');
    expect(lines[0]).toBe('Started: seed');
    expect(lines.indexOf('Ended : seed')).toBeLessThan(lines.indexOf('Started: double'));
    expect(lines.indexOf('Ended : shard')).toBeLessThan(lines.indexOf('Started: reduce'));
    expect(report).toMatch(/reduce\s+ok\s+duration\s+[\d.]+s\s+exit 0/);

    const stepRun = await service.request('GET', `/runs/${stepOf(run, 'reduce').runId}`);
    expect(stepRun.body).toMatchObject({
      jobId: null,
      workflowRunId: run.id,
      stepName: 'reduce',
      itemIndex: null,
    });
  });

  it('skip the dependants of a failed step, naming it, still run cleanup, and retry what failed', async ({
    expect,
  }) => {
    const inputs = uniqueName('in');
    await putObject(bucket, `${inputs}/placeholder.txt`, 'x');
    const body = workflowBody(
      [
        { name: 'prepare', command: 'echo prepared-$RANDOM' },
        { name: 'check', depends_on: ['prepare'], command: 'test -f /job/input/fixed.txt && echo fine' },
        { name: 'publish', depends_on: ['check'], command: 'echo published' },
        { name: 'cleanup', depends_on: ['publish'], run_if: 'all_done', command: 'echo cleaned' },
        { name: 'alert', depends_on: ['check'], run_if: 'any_failed', command: 'echo alerted' },
      ],
      { source_s3_prefix: inputs },
    );
    const posted = await service.request('POST', '/workflows', body);
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    const run = await waitForWorkflowRun(posted.body.workflowRun.id as string);
    expect(run.state).toBe('failed');
    expect(run.failure).toMatchObject({ step: 'check', reason: 'step_failed' });
    expect(stepOf(run, 'check')).toMatchObject({ state: 'failed', exitCode: 1 });
    expect(stepOf(run, 'publish')).toMatchObject({ state: 'skipped', reason: 'dependency "check" failed' });
    expect(stepOf(run, 'cleanup')).toMatchObject({ state: 'succeeded', result: 'cleaned' });
    expect(stepOf(run, 'alert')).toMatchObject({ state: 'succeeded', result: 'alerted' });
    const report = (await getText(bucket, `${run.results.prefix}report.txt`))!;
    expect(report).toMatch(/publish\s+skipped .*\(dependency "check" failed\)/);
    expect(report).not.toContain('Started: publish');

    await putObject(bucket, `${inputs}/fixed.txt`, 'ok');
    const retried = await service.request('POST', `/workflow-runs/${run.id}/retry`);
    expect(retried.status, JSON.stringify(retried.body)).toBe(202);
    expect(retried.body.retryOf).toBe(run.id);
    const second = await waitForWorkflowRun(retried.body.id as string);
    expect(second.state).toBe('succeeded');
    expect(stepOf(second, 'prepare')).toMatchObject({
      state: 'succeeded',
      result: stepOf(run, 'prepare').result,
      reusedFrom: run.id,
    });
    expect(stepOf(second, 'publish')).toMatchObject({ state: 'succeeded', result: 'published' });
    expect(stepOf(second, 'alert')).toMatchObject({ state: 'skipped' });

    const from = await service.request('POST', `/workflow-runs/${second.id}/retry?from=publish`);
    expect(from.status).toBe(202);
    const third = await waitForWorkflowRun(from.body.id as string);
    expect(third.state).toBe('succeeded');
    expect(stepOf(third, 'check').reusedFrom).toBe(second.id);
    expect(stepOf(third, 'prepare').reusedFrom).toBe(run.id);
    expect(stepOf(third, 'publish').reusedFrom).toBeNull();
  });

  it('refuse an invalid workflow whole, listing every problem, and answer a dry run with the plan', async ({
    expect,
  }) => {
    const uniqueId = uniqueName('bad');
    const bad = await service.request(
      'POST',
      '/workflows',
      workflowBody(
        [
          { name: 'a', command: 'echo', depends_on: ['b'] },
          { name: 'b', command: 'echo', depends_on: ['a'] },
          { name: 'a', command: 'echo' },
          { name: 'c', command: 'echo {{steps.zzz.result}}', run_if: 'maybe' },
        ],
        { uniqueId },
      ),
    );
    expect(bad.status).toBe(400);
    const paths = (bad.body.problems as { path: string }[]).map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining(['/steps/2/name', '/steps/0/depends_on', '/steps/3/command', '/steps/3/run_if']),
    );
    expect(bad.body.message).toContain('a → b → a');
    const listed = await service.request('GET', '/workflows?userId=test-user&limit=200');
    expect(listed.body.workflows.map((w: { uniqueId: string }) => w.uniqueId)).not.toContain(uniqueId);

    const dry = await service.request(
      'POST',
      '/workflows?dry_run=true',
      workflowBody(
        [
          { name: 'b', command: 'echo {{steps.a.result}}' },
          { name: 'a', command: 'echo 1' },
          { name: 'c', for_each: [1, 2], command: 'echo {{item}}', depends_on: ['b'] },
        ],
        { uniqueId },
      ),
    );
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body).toEqual({
      valid: true,
      plan: {
        steps: [
          { name: 'b', dependsOn: ['a'], runIf: 'all_succeeded', forEach: 'none' },
          { name: 'a', dependsOn: [], runIf: 'all_succeeded', forEach: 'none' },
          { name: 'c', dependsOn: ['b'], runIf: 'all_succeeded', forEach: 'static', items: 2 },
        ],
        order: ['a', 'b', 'c'],
      },
      definition: expect.objectContaining({ maxParallel: 4, order: ['a', 'b', 'c'] }),
    });
    const after = await service.request('GET', '/workflows?userId=test-user&limit=200');
    expect(after.body.workflows.map((w: { uniqueId: string }) => w.uniqueId)).not.toContain(uniqueId);
  });

  it("give a fan-out's result over TDS_MAX_RESULT_BYTES to its dependants as its manifest, a file", async ({
    expect,
  }) => {
    // Three items of 50,000 bytes each: their result array (150,010 bytes) is over the 64 KiB a
    // step's result carries inline; the reduce reads every item's result from the manifest.
    const posted = await service.request(
      'POST',
      '/workflows',
      workflowBody([
        { name: 'wide', for_each: [0, 1, 2], command: "head -c 50000 /dev/zero | tr '\\0' x; echo" },
        {
          name: 'count',
          depends_on: ['wide'],
          command:
            'echo "env ${#TDS_STEP_WIDE_RESULT} manifest $(grep -c \'"result":"x\' "$TDS_STEP_WIDE_MANIFEST") $(wc -c < "$TDS_STEP_WIDE_MANIFEST")"',
        },
      ]),
    );
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    const run = await waitForWorkflowRun(posted.body.workflowRun.id);
    const states = run.steps.map((s: { name: string; state: string; reason: string }) => [
      s.name,
      s.state,
      s.reason,
    ]);
    expect(run.state, JSON.stringify(states)).toBe('succeeded');
    expect(stepOf(run, 'wide')).toMatchObject({ result: null, resultTruncated: true });
    const manifest = await getText(bucket, `${stepOf(run, 'wide').results.prefix as string}items.jsonl`);
    expect(stepOf(run, 'count').result).toBe(`env 0 manifest 3 ${Buffer.byteLength(manifest!)}`);
  });

  it("write a fan-out step's manifest, failed items included, and list its items a page at a time", async ({
    expect,
  }) => {
    const body = workflowBody([
      {
        name: 'fan',
        for_each: ['a', 'b', 'c'],
        max_failures: 1,
        command: 'test "{{item}}" != b || exit 7; echo "got-{{item}}"',
      },
    ]);
    const posted = await service.request('POST', '/workflows', body);
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    const run = await waitForWorkflowRun(posted.body.workflowRun.id as string);
    expect(run.state).toBe('succeeded');
    expect(stepOf(run, 'fan').items).toMatchObject({ total: 3, succeeded: 2, failed: 1 });

    const key = `${stepOf(run, 'fan').results.prefix}items.jsonl`;
    expect(key).toBe(`wf/${body.uniqueId}/${run.id}/fan/items.jsonl`);
    let manifest: string | undefined;
    await eventually('the manifest', async () => (manifest = await getText(bucket, key)) !== undefined);
    const lines = manifest!
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    const runId = expect.any(String);
    const results = (index: number) => `s3://${bucket}/${stepOf(run, 'fan').results.prefix}${index}/`;
    expect(lines).toEqual([
      {
        index: 0,
        item: 'a',
        state: 'succeeded',
        exitCode: 0,
        attempts: 1,
        result: 'got-a',
        runId,
        reason: null,
        results: results(0),
      },
      {
        index: 1,
        item: 'b',
        state: 'failed',
        exitCode: 7,
        attempts: 1,
        result: null,
        runId,
        reason: expect.stringMatching(/^exit_code: /),
        results: results(1),
      },
      {
        index: 2,
        item: 'c',
        state: 'succeeded',
        exitCode: 0,
        attempts: 1,
        result: 'got-c',
        runId,
        reason: null,
        results: results(2),
      },
    ]);

    // The same items a page at a time, and filtered by state.
    const items = `/workflow-runs/${run.id}/steps/fan/items`;
    const first = await service.request('GET', `${items}?limit=2`);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.items.map((i: { index: number }) => i.index)).toEqual([0, 1]);
    const second = await service.request('GET', `${items}?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body).toEqual({ items: [lines[2]], nextCursor: null });
    const failed = await service.request('GET', `${items}?state=failed`);
    expect(failed.body.items).toEqual([lines[1]]);
    expect((await service.request('GET', `${items}?state=exploded`)).status).toBe(400);
    expect((await service.request('GET', `/workflow-runs/${run.id}/steps/nope/items`)).status).toBe(404);

    // Its workflow's runs, and the user's, newest first a page at a time.
    const again = await service.request('POST', `/workflow-runs/${run.id}/retry?from=fan`);
    expect(again.status).toBe(202);
    const listed = await service.request('GET', `/workflows/${run.workflowId}/runs?limit=1`);
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    expect(listed.body.workflowRuns.map((r: { id: string }) => r.id)).toEqual([again.body.id]);
    const older = await service.request(
      'GET',
      `/workflows/${run.workflowId}/runs?limit=1&cursor=${listed.body.nextCursor}`,
    );
    expect(older.body.workflowRuns).toEqual([
      expect.objectContaining({ id: run.id, state: 'succeeded', stepCounts: { succeeded: 1 } }),
    ]);
    // A listed workflow run is GET /workflow-runs/:id less its steps: the same results, report written.
    const { steps: _steps, ...header } = run;
    expect(older.body.workflowRuns[0]).toEqual({ ...header, stepCounts: { succeeded: 1 } });
    expect(older.body.workflowRuns[0].results.report.writtenAt).toEqual(expect.any(String));
    expect(older.body.nextCursor).toBeNull();
    const byState = await service.request(
      'GET',
      `/workflow-runs?userId=test-user&workflowId=${run.workflowId}&state=succeeded,failed`,
    );
    expect(byState.body.workflowRuns.map((r: { id: string }) => r.id)).toContain(run.id);
    for (const listedRun of byState.body.workflowRuns) expect(listedRun.workflowId).toBe(run.workflowId);
    await waitForWorkflowRun(again.body.id as string);
  });

  it("fan out over object items, each its own image and args, and give the reduce every item's verdict and files", async ({
    expect,
  }) => {
    // Each item names its own image: the base image under two more names, both local (tds-test-*).
    const tag = uniqueName('items');
    const repos = ['tds-test-items-a', 'tds-test-items-b'];
    const images = [inject('baseImage'), ...repos.map((repo) => `${repo}:${tag}`)];
    for (const repo of repos) await docker.getImage(inject('baseImage')).tag({ repo, tag });
    try {
      const tasks = [
        {
          id: 't0',
          image: images[0],
          arguments: ['sh', '-c', 'echo zero > /job/output/t0.txt; echo "$TASK-0"'],
        },
        { id: 't1', image: images[1], arguments: ['sh', '-c', 'echo partial > /job/output/t1.txt; exit 3'] },
        { id: 't2', image: images[2], arguments: ['sh', '-c', 'echo "$TASK-2"'] },
      ];
      const body = workflowBody([
        {
          name: 'task',
          for_each: tasks,
          max_failures: 1,
          image: '{{item.image}}',
          args: ['{{item.arguments}}'],
          env: { TASK: 'task-{{item.id}}' },
        },
        // Items known only when the step starts: one lacking the field its command names fails, saying so.
        { name: 'list', command: 'echo \'[{"id": "ok"}, {"name": "no id"}]\'' },
        { name: 'dyn', for_each: '{{steps.list.result}}', max_failures: 1, command: 'echo "{{item.id}}"' },
        {
          name: 'reduce',
          depends_on: ['task'],
          command:
            'echo "$(sed -E \'s/.*"index":([0-9]+),.*"state":"([a-z]+)","exitCode":([0-9]+).*/\\1 \\2 \\3/\' "$TDS_STEP_TASK_ITEMS" | paste -sd,) | $(cat /job/steps/task/1/t1.txt)"',
        },
      ]);
      const posted = await service.request('POST', '/workflows', body);
      expect(posted.status, JSON.stringify(posted.body)).toBe(202);
      const run = await waitForWorkflowRun(posted.body.workflowRun.id as string);
      const states = run.steps.map((s: { name: string; state: string; reason: string }) => [
        s.name,
        s.state,
        s.reason,
      ]);
      expect(run.state, JSON.stringify(states)).toBe('succeeded');
      expect(stepOf(run, 'task').result).toBe('["task-t0-0",null,"task-t2-2"]');
      expect(stepOf(run, 'reduce').result).toBe('0 succeeded 0,1 failed 3,2 succeeded 0 | partial');

      const manifest = await getText(bucket, `${stepOf(run, 'task').results.prefix as string}items.jsonl`);
      const lines = manifest!
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(lines.map((l) => [l.item.id, l.state, l.exitCode])).toEqual([
        ['t0', 'succeeded', 0],
        ['t1', 'failed', 3],
        ['t2', 'succeeded', 0],
      ]);
      expect(lines[1].reason).toMatch(/^exit_code: /);
      expect(lines[0].reason).toBeNull();
      for (const line of lines)
        expect(line.results).toBe(`s3://${bucket}/${stepOf(run, 'task').results.prefix}${line.index}/`);

      const dyn = await service.request('GET', `/workflow-runs/${run.id}/steps/dyn/items`);
      expect(
        dyn.body.items.map((i: { state: string; result: string | null }) => [i.state, i.result]),
      ).toEqual([
        ['succeeded', 'ok'],
        ['failed', null],
      ]);
      expect(dyn.body.items[1].reason).toBe('input_error: {{item.id}}: the item has no field "id"');
    } finally {
      for (const name of images.slice(1))
        await docker
          .getImage(name)
          .remove()
          .catch(() => undefined);
    }
  });

  it('refuse a literal item that lacks a field its step names, or whose image no job may name', async ({
    expect,
  }) => {
    const posted = await service.request(
      'POST',
      '/workflows?dry_run=true',
      workflowBody([
        {
          name: 'task',
          for_each: [{ image: 'busybox:1' }, { id: 'x' }, { image: 'tds-run:abc' }],
          image: '{{item.image}}',
        },
        { name: 'bad', for_each: [1], image: 'Upper/{{item}}' },
      ]),
    );
    expect(posted.status, JSON.stringify(posted.body)).toBe(400);
    expect(posted.body.problems).toEqual([
      { path: '/steps/0/for_each/1', message: '{{item.image}}: the item has no field "image"' },
      {
        path: '/steps/0/for_each/2',
        message: expect.stringMatching(
          /^image "\{\{item.image\}\}" of this item: "tds-run:abc" is an image the service makes/,
        ),
      },
      {
        path: '/steps/1/image',
        message: expect.stringMatching(
          /^"Upper\/\{\{item\}\}", its item placeholders aside: "Upper\/x" is not an image reference/,
        ),
      },
    ]);
  });

  it('keep a step queued while no worker holds a tag it requires, without holding back the others', async ({
    expect,
  }) => {
    const tag = uniqueName('gpu').toLowerCase();
    const posted = await service.request(
      'POST',
      '/workflows',
      workflowBody([
        { name: 'needs', command: 'echo never', requires: [tag] },
        { name: 'plain', command: 'echo fine' },
        { name: 'after', depends_on: ['plain'], command: 'echo {{steps.plain.result}}' },
      ]),
    );
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    expect(posted.body.warnings).toEqual([expect.stringContaining(`"${tag}"`)]);
    const id = posted.body.workflowRun.id as string;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let current: any;
    const deadline = Date.now() + 90_000;
    do {
      current = (await service.request('GET', `/workflow-runs/${id}`)).body;
      if (stepOf(current, 'after').state === 'succeeded') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    } while (Date.now() < deadline);
    expect(stepOf(current, 'after')).toMatchObject({ state: 'succeeded', result: 'fine' });
    expect(stepOf(current, 'needs').state).toBe('queued');
    const waiting = await service.request('GET', `/runs/${stepOf(current, 'needs').runId}`);
    expect(waiting.body).toMatchObject({ state: 'queued', stepName: 'needs', waiting_for: [tag] });
    expect((await service.request('POST', `/workflow-runs/${id}/cancel`)).status).toBe(202);
    expect((await waitForWorkflowRun(id, 30_000)).state).toBe('cancelled');
    expect(await workflowRunEvents(id)).toEqual(['workflow_run.started', 'workflow_run.cancelled']);
  });

  it('cancel: running steps are stopped, pending ones end cancelled, and so does the workflow run', async ({
    expect,
  }) => {
    const posted = await service.request(
      'POST',
      '/workflows',
      workflowBody([
        { name: 'slow', command: 'echo started; sleep 60' },
        { name: 'after', depends_on: ['slow'], command: 'echo never' },
      ]),
    );
    expect(posted.status).toBe(202);
    const id = posted.body.workflowRun.id as string;
    const deadline = Date.now() + 60_000;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let current: any;
    // Cancelled once the command has written its first line (a run is running once its command is
    // let go, a moment before it prints), so that there is a log up to the cancel to keep.
    let printed = false;
    do {
      current = (await service.request('GET', `/workflow-runs/${id}`)).body;
      if (stepOf(current, 'slow').runId) {
        const logs = await service.request('GET', `/runs/${stepOf(current, 'slow').runId}/logs`);
        printed = String(logs.body.stdout ?? '').includes('started');
        if (printed) break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    } while (Date.now() < deadline);
    expect(printed, 'the slow step printed its first line within 60 s').toBe(true);
    const cancelled = await service.request('POST', `/workflow-runs/${id}/cancel`);
    expect(cancelled.status).toBe(202);
    const run = await waitForWorkflowRun(id, 60_000);
    expect(run.state).toBe('cancelled');
    expect(stepOf(run, 'slow').state).toBe('cancelled');
    expect(stepOf(run, 'after').state).toBe('cancelled');
    const stdout = await getText(bucket, `${stepOf(run, 'slow').results.prefix}stdout.log`);
    expect(stdout).toBe('started\n');
    expect(await workflowRunEvents(id)).toEqual(['workflow_run.started', 'workflow_run.cancelled']);
  });

  it('PUT replaces the definition: a new version, history kept, a run under way keeps its own', async ({
    expect,
  }) => {
    const body = workflowBody([
      { name: 'hold', command: 'sleep 2; echo held' },
      { name: 'after', depends_on: ['hold'], command: 'echo first' },
    ]);
    const posted = await service.request('POST', '/workflows', body);
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    expect(posted.body.workflow.version).toBe(1);
    const id = posted.body.workflow.id as string;
    const changedBody = {
      ...body,
      steps: [body.steps[0], { name: 'after', depends_on: ['hold'], command: 'echo second' }],
    };
    const put = await service.request('PUT', `/workflows/${id}`, changedBody);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ changed: true, version: 2, workflow: { id, version: 2 } });
    const again = await service.request('PUT', `/workflows/${id}`, changedBody);
    expect(again.body).toMatchObject({ changed: false, version: 2 });

    const invalid = await service.request('PUT', `/workflows/${id}`, {
      ...body,
      uniqueId: 'another',
      steps: [{ name: 'after', depends_on: ['nowhere'], command: 'echo' }],
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.problems.map((p: { path: string }) => p.path)).toEqual(
      expect.arrayContaining(['/uniqueId']),
    );
    const graph = await service.request('PUT', `/workflows/${id}`, {
      ...body,
      steps: [{ name: 'after', depends_on: ['nowhere'], command: 'echo' }],
    });
    expect(graph.status).toBe(400);
    expect(graph.body.problems.map((p: { path: string }) => p.path)).toEqual(['/steps/0/depends_on/0']);

    const versions = await service.request('GET', `/workflows/${id}/versions`);
    expect(
      versions.body.versions.map((v: { version: number; current: boolean }) => [v.version, v.current]),
    ).toEqual([
      [2, true],
      [1, false],
    ]);
    expect(versions.body.versions[1].definition.steps[1].spec.command).toBe('echo first');

    // The run started before the update goes on with the definition it started with.
    const run = await waitForWorkflowRun(posted.body.workflowRun.id as string);
    expect(run.state).toBe('succeeded');
    expect(stepOf(run, 'after').result).toBe('first');
    // A retry runs the changed step again under the new definition and reuses the unchanged one.
    const retried = await service.request('POST', `/workflow-runs/${run.id}/retry`);
    const second = await waitForWorkflowRun(retried.body.id as string);
    expect(stepOf(second, 'hold').reusedFrom).toBe(run.id);
    expect(stepOf(second, 'after').result).toBe('second');

    // Made recurring by a PUT: its schedule follows the new definition.
    const recurring = await service.request('PUT', `/workflows/${id}`, { ...changedBody, cron: '0 3 1 1 *' });
    expect(recurring.status, JSON.stringify(recurring.body)).toBe(200);
    expect(recurring.body).toMatchObject({ changed: true, version: 3 });
    expect(recurring.body.workflow.schedule).toMatchObject({ cron: '0 3 1 1 *', paused: false });
    expect(recurring.body.workflow.schedule.nextFireTimes[0]).toMatch(/-01-01T03:00:00/);
  });
});
