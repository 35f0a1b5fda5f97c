import { createHash } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_JOB_USER } from '../../src/config.js';
import { packageImageTag } from '../../src/runner/image-builder.js';
import {
  createBucket,
  eventually,
  getText,
  jobBody,
  listKeys,
  putObject,
  s3Client,
  startTestService,
  type TestService,
} from '../support/harness.js';

let service: TestService;
let bucket: string;
const docker = new Docker();

// The tests run at once, each on runs, buckets or prefixes of its own, checked by their ids: room
// for their runs side by side.
beforeAll(async () => {
  service = await startTestService({ env: { TDS_MAX_CONCURRENT_RUNS: '4' } });
  bucket = await createBucket();
  await putObject(bucket, 'inputs/data.csv', 'a,b\n1,2\n3,4\n');
  await putObject(bucket, 'inputs/nested/deep/notes.txt', 'deep file\n');
});

afterAll(async () => {
  await service?.close();
});

/**
 * Runs stage the file's inputs unless told otherwise, not the whole bucket: the tests run at once,
 * and the others' results land in it meanwhile.
 */
async function submit(overrides: Record<string, unknown>) {
  const { status, body } = await service.request(
    'POST',
    '/jobs',
    jobBody(bucket, { source_s3_prefix: 'inputs', ...overrides }),
  );
  expect(status, JSON.stringify(body)).toBe(202);
  return body as { job: { id: string }; run: { id: string; results: { prefix: string } } };
}

async function runToEnd(overrides: Record<string, unknown>) {
  const { run } = await submit(overrides);
  const ended = await service.waitForRun(run.id);
  return { run: ended, prefix: run.results.prefix as string };
}

async function resourcesOf(runId: string) {
  const containers = await docker.listContainers({ all: true, filters: { label: [`tds.run-id=${runId}`] } });
  const { Volumes } = await docker.listVolumes({ filters: { label: [`tds.run-id=${runId}`] } });
  return { containers: containers.length, volumes: (Volumes ?? []).length };
}

describe.concurrent('a run, from POST /jobs to results in S3', () => {
  it('stages the inputs, runs the command in /job, and uploads logs, outputs, metrics and run.json', async ({
    expect,
  }) => {
    const command = [
      'set -e',
      'pwd',
      'cat input/data.csv',
      'cat input/nested/deep/notes.txt',
      'echo "to stderr" >&2',
      'mkdir -p output/reports',
      'wc -l < input/data.csv > output/reports/lines.txt',
      'printf done > output/status',
    ].join('\n');
    const { run, prefix } = await runToEnd({
      source_s3_prefix: '/inputs/',
      destination_s3_prefix: '/results/',
      command,
    });

    expect(run.state).toBe('succeeded');
    expect(run.exitCode).toBe(0);
    expect(run.failure).toBeNull();
    expect(run.history.map((e: { state: string }) => e.state)).toEqual([
      'queued',
      'staging',
      'building',
      'running',
      'uploading',
      'succeeded',
    ]);
    expect(prefix).toMatch(new RegExp(`^results/job-[0-9a-f]+/${run.id}/$`));

    expect(await listKeys(bucket, prefix)).toEqual(
      [
        'metrics.csv',
        'metrics.json',
        'output/reports/lines.txt',
        'output/status',
        'run.json',
        'stderr.log',
        'stdout.log',
      ].map((k) => `${prefix}${k}`),
    );
    expect(await getText(bucket, `${prefix}stdout.log`)).toBe('/job\na,b\n1,2\n3,4\ndeep file\n');
    expect(await getText(bucket, `${prefix}stderr.log`)).toBe('to stderr\n');
    expect(await getText(bucket, `${prefix}output/reports/lines.txt`)).toBe('3\n');
    expect(await getText(bucket, `${prefix}output/status`)).toBe('done');

    const csv = (await getText(bucket, `${prefix}metrics.csv`))!;
    expect(csv.split('\n')[0]).toBe('timestamp,elapsed_seconds,cpu_percent,memory_bytes');
    expect(csv.trim().split('\n').length).toBeGreaterThanOrEqual(2);
    const metrics = JSON.parse((await getText(bucket, `${prefix}metrics.json`))!);
    expect(metrics.samples).toBeGreaterThanOrEqual(1);
    expect(metrics.memory_bytes_peak).toBeGreaterThan(0);
    expect(metrics.duration_seconds).toBeGreaterThanOrEqual(0);

    const record = JSON.parse((await getText(bucket, `${prefix}run.json`))!);
    expect(record).toMatchObject({
      runId: run.id,
      state: 'succeeded',
      exitCode: 0,
      failure: null,
      // The package image the container was created from: a run has no image of its own.
      image: expect.stringMatching(/^tds-packages:[0-9a-f]{24}$/) as unknown,
      outputs: { files: 2, skipped: [] },
      spec: { command, source_s3_prefix: 'inputs/', destination_s3_prefix: 'results/' },
    });
    expect(record.history.at(-1).state).toBe('succeeded');

    await eventually('its container and volumes to be removed', async () => {
      const left = await resourcesOf(run.id);
      return left.containers === 0 && left.volumes === 0;
    });
  });

  it('streams a large output file to S3 intact (multipart)', async ({ expect }) => {
    // A bucket of its own: the later jobs here, which stage the whole shared bucket, would each
    // stage this 64 MiB output again.
    const own = await createBucket();
    const { status, body } = await service.request(
      'POST',
      '/jobs',
      jobBody(own, {
        command: 'head -c 67108864 /dev/urandom > output/big.bin && sha256sum output/big.bin | cut -d" " -f1',
      }),
    );
    expect(status, JSON.stringify(body)).toBe(202);
    const run = await service.waitForRun(body.run.id);
    expect(run.state).toBe('succeeded');
    const prefix = run.results.prefix as string;
    const digest = (await getText(own, `${prefix}stdout.log`))!.trim();
    const object = await s3Client().send(
      new GetObjectCommand({ Bucket: own, Key: `${prefix}output/big.bin` }),
    );
    expect(object.ContentLength).toBe(64 * 1024 * 1024);
    const hash = createHash('sha256');
    for await (const chunk of object.Body as AsyncIterable<Buffer>) hash.update(chunk);
    expect(hash.digest('hex')).toBe(digest);
  });

  it('records a failing command as failed with its exit code, and still uploads its logs', async ({
    expect,
  }) => {
    const { run, prefix } = await runToEnd({ command: 'echo partial; echo broken >&2; exit 3' });
    expect(run.state).toBe('failed');
    expect(run.exitCode).toBe(3);
    expect(run.failure).toEqual({ reason: 'exit_code', message: 'the command exited with code 3' });
    expect(await getText(bucket, `${prefix}stdout.log`)).toBe('partial\n');
    expect(await getText(bucket, `${prefix}stderr.log`)).toBe('broken\n');
    const record = JSON.parse((await getText(bucket, `${prefix}run.json`))!);
    expect(record.failure.reason).toBe('exit_code');
    expect(record.exitCode).toBe(3);
  });

  it('finishes a command that writes nothing as succeeded, with empty logs and no outputs', async ({
    expect,
  }) => {
    const { run, prefix } = await runToEnd({ command: 'true' });
    expect(run.state).toBe('succeeded');
    expect(await getText(bucket, `${prefix}stdout.log`)).toBe('');
    expect(await listKeys(bucket, `${prefix}output/`)).toEqual([]);
    expect(JSON.parse((await getText(bucket, `${prefix}run.json`))!).outputs).toEqual({
      files: 0,
      bytes: 0,
      skipped: [],
      skippedNotListed: 0,
      overCap: null,
    });
  });

  it('runs a command full of quotes, newlines, $() and Dockerfile keywords exactly as written', async ({
    expect,
  }) => {
    const command = [
      `echo "double \\"quoted\\"" 'single '"'"'quoted'"'"`,
      'echo $(echo sub)$((6*7)) `echo back`',
      'RUN=1; FROM=2; CMD=3; ENTRYPOINT=4',
      'echo "RUN $RUN FROM $FROM CMD $CMD ENTRYPOINT $ENTRYPOINT"',
      "cat <<'EOF'",
      'COPY / /etc',
      '  indented \\',
      'EOF',
      "printf '%s\\n' '#!/bin/sh' \"\\$HOME\"",
    ].join('\n');
    const { run, prefix } = await runToEnd({ command });
    expect(run.state).toBe('succeeded');
    expect(await getText(bucket, `${prefix}stdout.log`)).toBe(
      [
        'double "quoted" single \'quoted\'',
        'sub42 back',
        'RUN 1 FROM 2 CMD 3 ENTRYPOINT 4',
        'COPY / /etc',
        '  indented \\',
        '#!/bin/sh',
        '$HOME',
        '',
      ].join('\n'),
    );
  });

  it('passes the job env to the command and none of the service environment', async ({ expect }) => {
    process.env.TDS_TEST_SERVICE_SECRET = 'must-not-leak';
    const { run, prefix } = await runToEnd({
      command: 'echo "greeting=$GREETING"; env | grep -c -e S3RVER -e must-not-leak -e AWS_ || true',
      env: { GREETING: 'hello there' },
    });
    expect(run.state).toBe('succeeded');
    expect(await getText(bucket, `${prefix}stdout.log`)).toBe('greeting=hello there\n0\n');
  });

  it('records a package that does not exist as build_error and uploads the build log', async ({ expect }) => {
    const { run, prefix } = await runToEnd({ linux_dependencies: ['no-such-package-tds'] });
    expect(run.state).toBe('failed');
    expect(run.failure.reason).toBe('build_error');
    expect(run.failure.message).toMatch(/installing no-such-package-tds on .* failed/);
    const log = await getText(bucket, `${prefix}build.log`);
    expect(log).toMatch(/Unable to locate package no-such-package-tds/);
    expect(JSON.parse((await getText(bucket, `${prefix}run.json`))!).failure.reason).toBe('build_error');
    await eventually('its container and volumes to be removed', async () => {
      const left = await resourcesOf(run.id);
      return left.containers === 0 && left.volumes === 0;
    });
  });

  it('installs linux_dependencies with the package manager, and reuses the package image the next time', async ({
    expect,
  }) => {
    const body = { command: "python3 -c 'print(56789)'", linux_dependencies: ['python3'] };
    const first = await runToEnd(body);
    expect(first.run.state, JSON.stringify(first.run.failure)).toBe('succeeded');
    expect(await getText(bucket, `${first.prefix}stdout.log`)).toBe('56789\n');

    const packageImages = await docker.listImages({ filters: { label: ['tds.kind=packages'] } });
    expect(packageImages.length).toBeGreaterThanOrEqual(1);
    const baseId = (await docker.getImage(inject('baseImage')).inspect()).Id;
    const tag = await packageImageTag(baseId, body.linux_dependencies, DEFAULT_JOB_USER);
    const built = (await docker.getImage(tag).inspect()).Id;

    const second = await runToEnd({ ...body, command: "python3 -c 'print(2 ** 10)'" });
    expect(second.run.state).toBe('succeeded');
    expect(await getText(bucket, `${second.prefix}stdout.log`)).toBe('1024\n');
    // The second run needs no package install: it runs on the very image the first one built
    // (an install would have made another).
    expect((await docker.getImage(tag).inspect()).Id).toBe(built);
  });

  it('stages every object under the prefix, past the 1,000 of one listing page', async ({ expect }) => {
    const many = await createBucket();
    const keys = Array.from({ length: 1050 }, (_, i) => `bulk/part-${String(i).padStart(4, '0')}.txt`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((key) => putObject(many, key, key)));
    }
    const { status, body } = await service.request(
      'POST',
      '/jobs',
      jobBody(many, { source_s3_prefix: 'bulk', command: 'ls input | wc -l; cat input/part-1049.txt' }),
    );
    expect(status).toBe(202);
    const run = await service.waitForRun(body.run.id);
    expect(run.state).toBe('succeeded');
    expect(await getText(many, `${run.results.prefix}stdout.log`)).toBe('1050\nbulk/part-1049.txt');
  });

  it("leaves out the job's own earlier results when the destination lies under the source", async ({
    expect,
  }) => {
    const own = await createBucket();
    const uniqueId = `reader-${Date.now()}`;
    await putObject(own, 'data.txt', 'x');
    await putObject(own, `out/${uniqueId}/earlier-run/stdout.log`, 'earlier result');
    await putObject(own, 'out/another-job/run/stdout.log', 'another job');
    const { status, body } = await service.request(
      'POST',
      '/jobs',
      jobBody(own, {
        uniqueId,
        source_s3_prefix: '',
        destination_s3_prefix: 'out',
        command: 'find input -type f | sort',
      }),
    );
    expect(status).toBe(202);
    const run = await service.waitForRun(body.run.id);
    expect(run.state).toBe('succeeded');
    expect(await getText(own, `${run.results.prefix}stdout.log`)).toBe(
      'input/data.txt\ninput/out/another-job/run/stdout.log\n',
    );
  });
});

describe.concurrent('stopping a run', () => {
  it('cancels a running container, ending the run cancelled with the logs up to then', async ({ expect }) => {
    const { run } = await submit({ command: 'echo started; sleep 60; echo never' });
    await service.waitForRun(run.id, (s) => s === 'running');
    // Live logs while it runs.
    let live: { source: string; stdout: string } | undefined;
    await eventually('the live log to show the first line', async () => {
      live = (await service.request('GET', `/runs/${run.id}/logs`)).body;
      return live?.stdout === 'started\n';
    }).catch(() => undefined); // what it last saw is checked below
    expect(live).toMatchObject({ source: 'live', stdout: 'started\n' });

    const cancel = await service.request('POST', `/runs/${run.id}/cancel`);
    expect(cancel.status).toBe(202);
    expect(cancel.body.cancelRequested).toBe(true);
    const ended = await service.waitForRun(run.id);
    expect(ended.state).toBe('cancelled');
    expect(ended.failure.reason).toBe('cancelled');
    expect(await getText(bucket, `${run.results.prefix}stdout.log`)).toBe('started\n');
    expect(await getText(bucket, `${run.results.prefix}metrics.json`)).toBeDefined();
    const stored = (await service.request('GET', `/runs/${run.id}/logs`)).body;
    expect(stored).toMatchObject({ source: 'stored', stdout: 'started\n' });
    await eventually('its container and volumes to be removed', async () => {
      const left = await resourcesOf(run.id);
      return left.containers === 0 && left.volumes === 0;
    });
  });

  it('stops a command that outlives its timeout, ending the run timed_out with its logs', async ({
    expect,
  }) => {
    const { run } = await submit({ command: 'echo before; sleep 60', timeout_seconds: 2 });
    const ended = await service.waitForRun(run.id);
    expect(ended.state).toBe('timed_out');
    expect(ended.failure.reason).toBe('timeout');
    expect(ended.failure.message).toMatch(/timeout of 2 s/);
    expect(await getText(bucket, `${run.results.prefix}stdout.log`)).toBe('before\n');
  });
});
