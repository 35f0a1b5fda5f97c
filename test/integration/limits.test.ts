import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBucket,
  getText,
  jobBody,
  listKeys,
  putObject,
  startTestService,
  type TestService,
} from '../support/harness.js';

let service: TestService;
let bucket: string;

beforeAll(async () => {
  service = await startTestService({
    env: {
      TDS_MAX_INPUT_BYTES: '1000',
      TDS_MAX_OUTPUT_BYTES: '10000',
      TDS_MAX_LOG_BYTES: '2000',
      TDS_TMP_SIZE_MB: '1',
      // A passing fault of the store would be tried again only after a minute: no run here waits that long.
      TDS_S3_RETRY_DELAY_MS: '60000',
    },
  });
  bucket = await createBucket();
  await putObject(bucket, 'tiny-in/x.txt', 'x');
});

afterAll(async () => {
  await service?.close();
});

async function runToEnd(overrides: Record<string, unknown>) {
  const { status, body } = await service.request(
    'POST',
    '/jobs',
    jobBody(bucket, { source_s3_prefix: 'tiny-in', ...overrides }),
  );
  expect(status, JSON.stringify(body)).toBe(202);
  const run = await service.waitForRun(body.run.id);
  return { run, prefix: run.results.prefix as string };
}

describe('the caps on what a run reads and writes', () => {
  it('fails a run whose inputs come to more than TDS_MAX_INPUT_BYTES before building, naming the size and the cap', async () => {
    for (const name of ['a', 'b', 'c']) await putObject(bucket, `big-in/${name}.bin`, 'x'.repeat(400));
    const { run, prefix } = await runToEnd({ source_s3_prefix: 'big-in', command: 'echo never' });
    expect(run.state).toBe('failed');
    expect(run.failure).toEqual({
      reason: 'input_error',
      message:
        'the inputs under s3://' +
        `${bucket}/big-in/ come to 1.2 KiB (1200 bytes) in 3 files, more than the 1000 bytes a run may stage (TDS_MAX_INPUT_BYTES); the command was not run`,
    });
    expect(run.history.map((e: { state: string }) => e.state)).toEqual(['queued', 'staging', 'failed']);
    // A refusal is final: the inputs are not listed again after a retry delay (a minute here).
    const at = (state: string) =>
      Date.parse(run.history.find((e: { state: string }) => e.state === state).at as string);
    expect(at('failed') - at('staging')).toBeLessThan(30_000);
    expect(JSON.parse((await getText(bucket, `${prefix}run.json`))!).failure.reason).toBe('input_error');
  });

  it("holds a fan-out's manifest, given to its dependants as a file, to TDS_MAX_INPUT_BYTES", async () => {
    // Three items of 300-byte results: a manifest of about 1.5 KB, over the 1000 bytes a run may stage.
    const posted = await service.request('POST', '/workflows', {
      ...jobBody(bucket, { source_s3_prefix: 'tiny-in' }),
      command: undefined,
      steps: [
        { name: 'fan', for_each: [0, 1, 2], command: "head -c 300 /dev/zero | tr '\\0' x; echo" },
        { name: 'reduce', depends_on: ['fan'], command: 'echo never' },
      ],
    });
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    let run: { state: string; steps: { name: string; state: string; reason: string | null }[] } | undefined;
    const deadline = Date.now() + 150_000;
    while (Date.now() < deadline) {
      run = (await service.request('GET', `/workflow-runs/${posted.body.workflowRun.id as string}`)).body;
      if (['succeeded', 'failed', 'cancelled'].includes(run!.state)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(run!.state, JSON.stringify(run)).toBe('failed');
    const reduce = run!.steps.find((s) => s.name === 'reduce')!;
    expect(reduce.state).toBe('failed');
    expect(reduce.reason).toMatch(
      /^input_error: the inputs and the earlier steps' files come to .* more than the 1000 bytes a run may stage \(TDS_MAX_INPUT_BYTES\); the command was not run$/,
    );
  });

  it('runs a job whose inputs are within the cap', async () => {
    await putObject(bucket, 'small-in/a.txt', 'x'.repeat(900));
    const { run, prefix } = await runToEnd({ source_s3_prefix: 'small-in', command: 'wc -c < input/a.txt' });
    expect(run.state).toBe('succeeded');
    expect(await getText(bucket, `${prefix}stdout.log`)).toBe('900\n');
  });

  it('fails a run whose outputs are over TDS_MAX_OUTPUT_BYTES, uploading its logs and the files that fit', async () => {
    const { run, prefix } = await runToEnd({
      command: [
        'for name in one two three; do head -c 4000 /dev/zero > output/$name.bin; done',
        'echo small > output/small.txt',
        'echo "wrote them"',
      ].join('\n'),
    });
    expect(run.state).toBe('failed');
    expect(run.exitCode).toBe(0);
    expect(run.failure.reason).toBe('limit_exceeded');
    expect(run.failure.message).toBe(
      'the outputs came to 11.7 KiB (12006 bytes), more than the 9.8 KiB (10000 bytes) a run may upload (TDS_MAX_OUTPUT_BYTES): 1 file of 3.9 KiB (4000 bytes) did not fit and was not uploaded (listed in run.json)',
    );
    expect(await getText(bucket, `${prefix}stdout.log`)).toBe('wrote them\n');
    const outputs = await listKeys(bucket, `${prefix}output/`);
    expect(outputs).toHaveLength(3);
    expect(outputs).toContain(`${prefix}output/small.txt`);
    const record = JSON.parse((await getText(bucket, `${prefix}run.json`))!);
    expect(record.failure.reason).toBe('limit_exceeded');
    expect(record.outputs).toMatchObject({
      files: 3,
      bytes: 8006,
      overCap: { files: 1, bytes: 4000, maxBytes: 10000 },
    });
    expect(record.outputs.skipped).toHaveLength(1);
    expect(record.outputs.skipped[0].reason).toMatch(/would take the outputs past .*TDS_MAX_OUTPUT_BYTES/);
  });

  it('truncates a log over TDS_MAX_LOG_BYTES with a line saying so, and says so in run.json', async () => {
    const { run, prefix } = await runToEnd({
      command: 'head -c 5000 /dev/zero | tr "\\0" a; echo; echo "short" >&2',
    });
    expect(run.state).toBe('succeeded');
    const stdout = (await getText(bucket, `${prefix}stdout.log`))!;
    expect(stdout).toBe(
      `${'a'.repeat(2000)}\n[task-deploy-service] stdout.log truncated: the command wrote 4.9 KiB (5001 bytes); only the first 2 KiB (2000 bytes) are kept (TDS_MAX_LOG_BYTES)\n`,
    );
    expect(await getText(bucket, `${prefix}stderr.log`)).toBe('short\n');
    const record = JSON.parse((await getText(bucket, `${prefix}run.json`))!);
    expect(record.logs).toEqual({
      stdout: { bytes: 5001, truncated: true },
      stderr: { bytes: 6, truncated: false },
    });
  });

  it('names a truncated log in the failure message of a run that fails', async () => {
    const { run } = await runToEnd({ command: 'head -c 3000 /dev/zero >&2; exit 4' });
    expect(run.state).toBe('failed');
    expect(run.failure).toEqual({
      reason: 'exit_code',
      message:
        'the command exited with code 4; stderr.log was truncated: the command wrote 2.9 KiB (3000 bytes), more than TDS_MAX_LOG_BYTES',
    });
  });

  it('gives the command a /tmp of TDS_TMP_SIZE_MB', async () => {
    const { run, prefix } = await runToEnd({
      command:
        'head -c 2000000 /dev/zero > /tmp/fill 2>/dev/null || echo "tmp full"; df -k /tmp | tail -1 | tr -s " " | cut -d" " -f2',
    });
    expect(run.state).toBe('succeeded');
    expect(await getText(bucket, `${prefix}stdout.log`)).toBe('tmp full\n1024\n');
  });
});
