import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBucket,
  getText,
  jobBody,
  listKeys,
  startTestService,
  type TestService,
} from '../support/harness.js';

let service: TestService;
let bucket: string;

beforeAll(async () => {
  service = await startTestService();
  bucket = await createBucket();
});

afterAll(async () => {
  await service?.close();
});

async function runToEnd(overrides: Record<string, unknown>) {
  const { status, body } = await service.request('POST', '/jobs', jobBody(bucket, overrides));
  expect(status, JSON.stringify(body)).toBe(202);
  const run = await service.waitForRun(body.run.id as string);
  const prefix = run.results.prefix as string;
  const record = JSON.parse((await getText(bucket, `${prefix}run.json`)) ?? 'null');
  return { run, prefix, record };
}

describe("a run's result", () => {
  it('is the last non-empty line of stdout, in the run view and run.json, for runs that ask for it', async () => {
    const [captured, plain] = await Promise.all([
      runToEnd({
        capture_result: true,
        command: `echo first; echo "the answer: 42  "; printf '\\n  \\n\\r\\n'`,
      }),
      runToEnd({ command: 'echo 42' }),
    ]);
    expect(captured.run.state).toBe('succeeded');
    expect(captured.run.result).toBe('the answer: 42  ');
    expect(captured.record.result).toBe('the answer: 42  ');
    expect(captured.record.spec.capture_result).toBe(true);
    expect(plain.run.state).toBe('succeeded');
    expect(plain.run.result).toBeNull();
    expect(plain.record.result).toBeNull();
  });

  it('over 64 KiB fails the run result_too_large, saying how large it was, with its logs and outputs uploaded', async () => {
    const { run, prefix, record } = await runToEnd({
      capture_result: true,
      command: `echo start; head -c 70000 /dev/zero | tr '\\0' x; echo; echo kept > /job/output/kept.txt`,
    });
    expect(run.state).toBe('failed');
    expect(run.exitCode).toBe(0);
    expect(run.failure.reason).toBe('result_too_large');
    expect(run.failure.message).toContain('68.4 KiB (70000 bytes)');
    expect(run.failure.message).toContain('64 KiB (65536 bytes)');
    expect(run.result).toBeNull();
    expect(record.failure.reason).toBe('result_too_large');
    const keys = await listKeys(bucket, prefix);
    expect(keys).toEqual(
      expect.arrayContaining([`${prefix}stdout.log`, `${prefix}output/kept.txt`, `${prefix}metrics.json`]),
    );
    expect((await getText(bucket, `${prefix}stdout.log`))?.length).toBe('start\n'.length + 70_001);
  });

  it('is kept for a command that fails, whose own failure stays the reason', async () => {
    const { run } = await runToEnd({ capture_result: true, command: 'echo "partial 7"; exit 3' });
    expect(run.state).toBe('failed');
    expect(run.failure.reason).toBe('exit_code');
    expect(run.result).toBe('partial 7');
  });
});
