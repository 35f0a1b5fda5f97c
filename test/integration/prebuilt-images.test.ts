import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createBucket,
  getText,
  jobBody,
  listKeys,
  putObject,
  startTestService,
  uniqueName,
  type TestService,
} from '../support/harness.js';

const docker = new Docker();
const tag = uniqueName('test');
/** An image with a shell, an entrypoint script, a default command, a working folder and a user of its own. */
const SCRIPTED_IMAGE = `tds-test-prebuilt-sh:${tag}`;
/** An image with one static program and nothing else: no shell. */
const SCRATCH_IMAGE = `tds-test-prebuilt-scratch:${tag}`;

const TOOL_SCRIPT = `echo "args: $*"
echo "uid: $(id -u)"
echo "pwd: $(pwd)"
cat /job/input/data.txt
echo made > /job/output/made.txt
exit "\${EXIT_WITH:-0}"
`;

let service: TestService;
let bucket: string;

async function buildImage(tagName: string, files: Record<string, string | Buffer>, dockerfile: string) {
  const context = pack();
  context.entry({ name: 'Dockerfile', mode: 0o644 }, dockerfile);
  for (const [name, content] of Object.entries(files)) context.entry({ name, mode: 0o755 }, content);
  context.finalize();
  const stream = await docker.buildImage(context as unknown as NodeJS.ReadableStream, { t: tagName });
  let failure: string | undefined;
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error) => (error ? reject(error) : resolve()),
      (event: { error?: string }) => {
        failure ??= event.error;
      },
    );
  });
  if (failure) throw new Error(`building ${tagName} failed: ${failure}`);
}

/** The probe program, built static so that an image FROM scratch can run it. */
async function staticProbe(): Promise<Buffer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tds-probe-'));
  try {
    const binary = path.join(dir, 'probe');
    await promisify(execFile)('gcc', [
      '-static',
      '-O1',
      '-o',
      binary,
      path.resolve('test/support/prebuilt/probe.c'),
    ]);
    return await readFile(binary);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  const base = inject('baseImage');
  [service, bucket] = await Promise.all([startTestService(), createBucket()]);
  await Promise.all([
    putObject(bucket, 'img-in/data.txt', 'input data\n'),
    buildImage(
      SCRIPTED_IMAGE,
      { 'tool.sh': TOOL_SCRIPT },
      `FROM ${base}\nCOPY tool.sh /usr/local/bin/tool.sh\nWORKDIR /app\nUSER 1234\nENTRYPOINT ["/bin/sh", "/usr/local/bin/tool.sh"]\nCMD ["default-arg"]\n`,
    ),
    staticProbe().then((probe) =>
      buildImage(SCRATCH_IMAGE, { probe }, 'FROM scratch\nCOPY probe /probe\nENTRYPOINT ["/probe"]\n'),
    ),
  ]);
});

afterAll(async () => {
  await service?.close();
  for (const image of [SCRIPTED_IMAGE, SCRATCH_IMAGE]) {
    await docker
      .getImage(image)
      .remove({ force: true })
      .catch(() => undefined);
  }
});

async function runToEnd(overrides: Record<string, unknown>) {
  const { command: _command, ...body } = jobBody(bucket, { source_s3_prefix: 'img-in/', ...overrides });
  const { status, body: created } = await service.request('POST', '/jobs', body);
  expect(status, JSON.stringify(created)).toBe(202);
  const run = await service.waitForRun(created.run.id as string);
  const prefix = run.results.prefix as string;
  const [stdout, metrics, record, keys] = await Promise.all([
    getText(bucket, `${prefix}stdout.log`),
    getText(bucket, `${prefix}metrics.json`),
    getText(bucket, `${prefix}run.json`),
    listKeys(bucket, prefix),
  ]);
  return {
    run,
    prefix,
    keys,
    lines: (stdout ?? '').trim().split('\n'),
    metrics: JSON.parse(metrics ?? 'null'),
    record: JSON.parse(record ?? 'null'),
  };
}

describe('a job that runs a prebuilt image', () => {
  it('keeps its entrypoint with args as its command, in its working folder, as the sandbox user', async () => {
    const [listed, defaults, failing] = await Promise.all([
      runToEnd({ image: SCRIPTED_IMAGE, args: ['one two', 'three'] }),
      runToEnd({ image: SCRIPTED_IMAGE }),
      runToEnd({ image: SCRIPTED_IMAGE, args: ['x'], env: { EXIT_WITH: '3' } }),
    ]);
    expect(listed.run.state, JSON.stringify(listed.run.failure)).toBe('succeeded');
    expect(listed.lines).toEqual(['args: one two three', 'uid: 10001', 'pwd: /app', 'input data']);
    expect(listed.keys).toEqual(expect.arrayContaining([`${listed.prefix}output/made.txt`]));
    expect(await getText(bucket, `${listed.prefix}output/made.txt`)).toBe('made\n');
    expect(listed.metrics.sampledFrom).toBe('engine');
    expect(listed.metrics.samples).toBeGreaterThanOrEqual(1);
    expect(listed.record.spec).toMatchObject({
      image: SCRIPTED_IMAGE,
      command: null,
      args: ['one two', 'three'],
    });
    expect(defaults.lines[0]).toBe('args: default-arg');
    expect(failing.run.state).toBe('failed');
    expect(failing.run.failure.reason).toBe('exit_code');
    expect(failing.run.exitCode).toBe(3);
  });

  it("runs args given as a string with the image's shell, in /job when the image names no folder, sandboxed", async () => {
    const { run, lines } = await runToEnd({
      image: inject('baseImage'),
      args: [
        'echo "sum: $((1 + 2))"; id -u; pwd; ls /job/input',
        'touch /etc/x 2>/dev/null && echo "root writable" || echo "root read-only"',
        "grep -E '^(CapEff|NoNewPrivs):' /proc/self/status | tr -s '\\t' ' '",
      ].join('\n'),
      network: 'none',
    });
    expect(run.state, JSON.stringify(run.failure)).toBe('succeeded');
    expect(lines).toEqual([
      'sum: 3',
      '10001',
      '/job',
      'data.txt',
      'root read-only',
      'CapEff: 0000000000000000',
      'NoNewPrivs: 1',
    ]);
  });

  it('runs an image without a shell, sampling its metrics from the engine', async () => {
    const { run, lines, metrics, keys, prefix } = await runToEnd({
      image: SCRATCH_IMAGE,
      // The engine refreshes a container's stats about once a second: 5 s of work gives it time
      // for several readings however busy the machine is.
      args: ['hello', 'exit=0', 'spin=5'],
      metrics_interval_seconds: 0.5,
      capture_result: true,
    });
    expect(run.state, JSON.stringify(run.failure)).toBe('succeeded');
    expect(lines).toEqual([
      'arg: hello',
      'arg: exit=0',
      'arg: spin=5',
      'uid: 10001',
      'pwd: /job',
      'input: input data',
      'done spinning',
    ]);
    expect(run.result).toBe('done spinning');
    expect(keys).toEqual(expect.arrayContaining([`${prefix}output/static.txt`, `${prefix}metrics.csv`]));
    expect(metrics.sampledFrom).toBe('engine');
    expect(metrics.samples).toBeGreaterThanOrEqual(3);
    // The probe keeps a core busy for 5 s; how much of it it gets depends on the machine's load.
    expect(metrics.cpu_percent_peak).toBeGreaterThan(5);
    expect(metrics.memory_bytes_peak).toBeGreaterThan(0);
    const csv = (await getText(bucket, `${prefix}metrics.csv`)) ?? '';
    expect(csv.split('\n')[0]).toBe('timestamp,elapsed_seconds,cpu_percent,memory_bytes');
  });

  it('passes on the exit code of an image without a shell, and refuses string args for it', async () => {
    const [exited, stringArgs] = await Promise.all([
      runToEnd({ image: SCRATCH_IMAGE, args: ['exit=4'] }),
      runToEnd({ image: SCRATCH_IMAGE, args: 'echo hi' }),
    ]);
    expect(exited.run.state).toBe('failed');
    expect(exited.run.exitCode).toBe(4);
    expect(stringArgs.run.state).toBe('failed');
    expect(stringArgs.run.failure.reason).toBe('image_error');
    expect(stringArgs.run.failure.message).toContain('has no /bin/sh: give args as a list');
  });

  it("fails image_error with the engine's message for an image that is not there and cannot be pulled", async () => {
    const missing = `tds-test-no-such-image:${tag}`;
    const { run, record } = await runToEnd({ image: missing, args: ['x'] });
    expect(run.state).toBe('failed');
    expect(run.failure.reason).toBe('image_error');
    expect(run.failure.message).toContain(
      `image "${missing}" is not on the engine and could not be pulled: `,
    );
    expect(run.failure.message.length).toBeGreaterThan(
      `image "${missing}" is not on the engine and could not be pulled: `.length,
    );
    expect(record.failure.reason).toBe('image_error');
    expect(run.results.files).toEqual(['build.log', 'run.json']);
    expect(await getText(bucket, `${run.results.prefix as string}build.log`)).toContain(`Pulling ${missing}`);
  });

  it('refuses packages with an image, before anything is stored', async () => {
    const { command: _command, ...body } = jobBody(bucket, {
      image: SCRIPTED_IMAGE,
      linux_dependencies: ['curl'],
    });
    const { status, body: refused } = await service.request('POST', '/jobs', body);
    expect(status).toBe(400);
    expect(refused.message).toContain('linux_dependencies cannot be installed on a prebuilt "image"');
  });
});

describe('which images a job may run', () => {
  it("refuses another run's image, a package image or an image id, by any spelling, before anything is stored", async () => {
    // Another user's run, under way: its image holds their inputs and command.
    const victim = await service.request(
      'POST',
      '/jobs',
      jobBody(bucket, { userId: 'victim', command: 'sleep 3', network: 'none' }),
    );
    expect(victim.status).toBe(202);
    const runId = victim.body.run.id as string;
    await service.waitForRun(runId, (state) => state === 'running');
    const { command: _command, ...body } = jobBody(bucket, { userId: 'intruder' });
    const refused = [
      { image: `tds-run:${runId}` },
      { image: `docker.io/library/tds-run:${runId}` },
      { image: `library/tds-run:${runId}` },
      { image: 'tds-packages:0123456789abcdef01234567' },
      { image: `sha256:${'a'.repeat(64)}` },
      { command: 'true', base_image: `tds-run:${runId}` },
    ];
    for (const fields of refused) {
      const { status, body: answer } = await service.request('POST', '/jobs', { ...body, ...fields });
      expect(status, JSON.stringify(fields)).toBe(400);
      expect(answer.message).toMatch(
        /is an image the service makes for its runs|is an image id, which names an image on one engine only/,
      );
    }
    const stored = await service.db.query("SELECT 1 FROM jobs WHERE user_id = 'intruder'");
    expect(stored).toEqual([]);
    expect((await service.waitForRun(runId)).state).toBe('succeeded');
  });

  it('pulls an image that is on the engine but not on the list of local images, and never runs it as it is', async () => {
    // Present on the engine (another user may have pulled it with their credentials), not listed in
    // TDS_LOCAL_IMAGES: it must be pulled for the run, and no registry answers here.
    const unlisted = `tds-unlisted-prebuilt:${tag}`;
    await docker.getImage(SCRIPTED_IMAGE).tag({ repo: unlisted.split(':')[0]!, tag });
    try {
      const { run, record } = await runToEnd({ image: unlisted, args: ['x'] });
      expect(run.state).toBe('failed');
      expect(run.failure.reason).toBe('image_error');
      expect(run.failure.message).toContain(
        `image "${unlisted}" is pulled for each run (only the images in TDS_LOCAL_IMAGES are taken from the engine as they are) and could not be pulled: `,
      );
      expect(record.exitCode ?? null).toBeNull();
      expect(run.results.files).toEqual(['build.log', 'run.json']);
    } finally {
      await docker.getImage(unlisted).remove();
    }
  });
});
