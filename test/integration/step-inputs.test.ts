import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../services/db/database.js';
import type { JobSpec } from '../../src/jobs/job-spec.js';
import { insertRun } from '../../src/runs/queue-runs.js';
import { newRunId } from '../../src/runs/run-repository.js';
import { connectTestDatabase } from '../support/database-driver.js';
import {
  createBucket,
  createTestDatabase,
  getText,
  jobBody,
  putObject,
  startTestService,
  type TestService,
} from '../support/harness.js';

let service: TestService;
let db: Database;
let bucket: string;
let otherBucket: string;
let job: { id: string; spec: JobSpec };

beforeAll(async () => {
  const databaseUrl = await createTestDatabase();
  db = connectTestDatabase(databaseUrl);
  service = await startTestService({ databaseUrl });
  [bucket, otherBucket] = await Promise.all([createBucket(), createBucket()]);
  await Promise.all([
    putObject(bucket, 'in/data.txt', 'input\n'),
    putObject(bucket, 'wf/r1/list/output/items.json', '[1,2,3]\n'),
    putObject(bucket, 'wf/r1/list/output/nested/deep.txt', 'deep\n'),
    putObject(bucket, 'wf/r1/fan/items.jsonl', '{"index":0}\n'),
    putObject(bucket, 'wf/r1/fan/items.jsonl.bak', 'old\n'),
    putObject(bucket, 'wf/r1/fan/0/stdout.log', 'item log\n'),
    putObject(otherBucket, 'wf/r1/square/2/output/r.txt', '4\n'),
  ]);
  const { status, body } = await service.request(
    'POST',
    '/jobs',
    jobBody(bucket, { source_s3_prefix: 'in/', command: 'true' }),
  );
  expect(status, JSON.stringify(body)).toBe(202);
  job = body.job;
  await service.waitForRun(body.run.id as string);
});

afterAll(async () => {
  await service?.close();
  await db?.close();
});

/** Queues a run of the job with files from earlier steps, as the workflow engine does. */
async function runWithSteps(stepInputs: JobSpec['step_inputs'], command: string) {
  const run = await insertRun(db, {
    id: newRunId(),
    jobId: job.id,
    trigger: 'manual',
    spec: { ...job.spec, step_inputs: stepInputs, command },
  });
  const ended = await service.waitForRun(run.id);
  const stdout = (await getText(bucket, `${ended.results.prefix as string}stdout.log`)) ?? '';
  return { run: ended, lines: stdout.trim().split('\n') };
}

describe('files from earlier steps', () => {
  it('are staged under /job/steps/<name>/, beside the inputs, read-only for the command', async () => {
    const { run, lines } = await runWithSteps(
      [
        { name: 'list', bucket, prefix: 'wf/r1/list/output/' },
        { name: 'square/2', bucket: otherBucket, prefix: 'wf/r1/square/2/output/' },
      ],
      [
        'cat /job/input/data.txt',
        'cd /job/steps && find . -type f | sort',
        'cat list/items.json list/nested/deep.txt square/2/r.txt',
        'stat -c "%u %a" /job/steps/list /job/steps/list/items.json',
        'echo x > /job/steps/list/new.txt 2>/dev/null && echo "write worked" || echo "write refused"',
        'rm /job/steps/list/items.json 2>/dev/null && echo "rm worked" || echo "rm refused"',
      ].join('\n'),
    );
    expect(run.state, JSON.stringify(run.failure)).toBe('succeeded');
    expect(lines).toEqual([
      'input',
      './list/items.json',
      './list/nested/deep.txt',
      './square/2/r.txt',
      '[1,2,3]',
      'deep',
      '4',
      '0 755',
      '0 644',
      'write refused',
      'rm refused',
    ]);
  });

  it("may be one object of a step's folder (a fan-out's manifest), staged alone beside the items' folders", async () => {
    const { run, lines } = await runWithSteps(
      [
        { name: 'square/2', bucket: otherBucket, prefix: 'wf/r1/square/2/output/' },
        // The manifest has a longer neighbour and an item's folder beside it: only it is staged.
        { name: 'square', bucket, prefix: 'wf/r1/fan/', file: 'items.jsonl' },
      ],
      'cd /job/steps && find . -type f | sort && cat square/items.jsonl',
    );
    expect(run.state, JSON.stringify(run.failure)).toBe('succeeded');
    expect(lines).toEqual(['./square/2/r.txt', './square/items.jsonl', '{"index":0}']);
  });

  it('that cannot be read fail the run input_error, naming the step, before anything runs', async () => {
    const { run } = await runWithSteps(
      [{ name: 'gone', bucket: 'no-such-bucket-for-steps', prefix: 'wf/r1/gone/output/' }],
      'echo ran',
    );
    expect(run.state).toBe('failed');
    expect(run.failure.reason).toBe('input_error');
    expect(run.failure.message).toContain('could not read the files of step "gone"');
    expect(run.exitCode).toBeNull();
  });
});
