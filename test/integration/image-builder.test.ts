import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import Docker from 'dockerode';
import pino from 'pino';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDockerEngine } from '../../services/docker/docker-engine.js';
import { normaliseJobRequest } from '../../src/jobs/job-spec.js';
import { JOB_DIR } from '../../src/runner/container-paths.js';
import { createImageBuilder, runVolumes } from '../../src/runner/image-builder.js';
import { runFilesArchive } from '../../src/runner/run-files.js';

const BASE_IMAGE = inject('baseImage');
const docker = new Docker();
const logger = pino({ level: 'silent' });
const engine = createDockerEngine(docker, logger, 'local');
const builder = createImageBuilder(engine, logger, '10001:10001', {
  installationId: randomUUID(),
  localImages: [BASE_IMAGE],
});
const runIds: string[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const runId of runIds) {
    await engine.removeContainer(`tds-test-${runId}`);
    for (const volume of runVolumes(runId)) await engine.removeVolume(volume.name);
  }
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const spec = normaliseJobRequest(
  {
    userId: 'builder',
    uniqueId: 'same-every-time',
    s3_bucket: 'unused-bucket',
    source_s3_prefix: '',
    destination_s3_prefix: '',
    command: 'cat input/data.txt > output/copy.txt',
    linux_dependencies: [],
  },
  {
    timeoutSeconds: 60,
    cpus: 1,
    memoryMb: 256,
    diskMb: 1024,
    metricsIntervalSeconds: 1,
    baseImage: BASE_IMAGE,
    network: 'none',
  },
);

/** The package image the runs start from (no packages: the base image with the runtime files). */
let fromImage: Promise<string> | undefined;
const packageImage = () =>
  (fromImage ??= builder.ensurePackageImage(spec, () => undefined, new AbortController().signal));

/**
 * Runs `script` as the job's user in a run's sandbox made as the worker makes it: created from
 * `image` itself, with the run's files (the same input file every time) put into its volumes, /job
 * read-only. Resolves with its output lines and the container's image id.
 */
async function runInSandbox(image: string, prebuilt: boolean, script: string) {
  const runId = randomUUID();
  runIds.push(runId);
  const contextDir = await mkdtemp(path.join(os.tmpdir(), 'tds-files-'));
  dirs.push(contextDir);
  await mkdir(path.join(contextDir, 'input'));
  await writeFile(path.join(contextDir, 'input', 'data.txt'), 'the same input\n');
  const volumes = runVolumes(runId);
  for (const volume of volumes) await engine.createVolume(volume.name, { 'tds.run-id': runId });
  const id = await engine.runContainer({
    name: `tds-test-${runId}`,
    image,
    env: [],
    labels: { 'tds.run-id': runId },
    cpus: 1,
    memoryBytes: 256 * 1024 * 1024,
    pidsLimit: 64,
    workingDir: JOB_DIR,
    user: '10001:10001',
    network: 'none',
    volumes: volumes.map((volume) => ({ ...volume, readOnly: volume.dir === JOB_DIR })),
    files: {
      dir: JOB_DIR,
      archive: await runFilesArchive(
        { ...spec, command: prebuilt ? null : spec.command },
        contextDir,
        '10001:10001',
        prebuilt,
      ),
    },
    tmpfs: {},
    entrypoint: ['/bin/sh', '-c', script],
  });
  const container = docker.getContainer(id);
  await container.wait();
  let output = '';
  const collect = () =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        output += chunk.toString();
        done();
      },
    });
  await engine.copyLogs(id, collect(), collect());
  const lines = output.split('\n').filter(Boolean);
  return { lines, image: (await container.inspect()).Image };
}

const LISTING = 'cd /job && find . -printf "%p %u:%g %m\\n" | sort';
const WRITE_PROBES =
  'for f in /job/probe /job/input/data.txt /job/.tds/command.sh; do (echo x >> $f) 2>/dev/null && echo "$f written" || echo "$f refused"; done; echo y > /job/output/ok && echo "output written"';

describe("a run's container", () => {
  it('is created from the package image itself, no image of its own, with its files put under /job', async () => {
    const tag = await packageImage();
    const { lines, image } = await runInSandbox(tag, false, `${LISTING}; ${WRITE_PROBES}`);
    expect(image).toBe(await engine.imageId(tag));
    // Only the output and metrics folders belong to the job's user: the rest is root's, and /job
    // is as read-only as the root filesystem.
    expect(lines).toEqual([
      '. root:root 755',
      './.metrics 10001:10001 755',
      './.tds root:root 755',
      './.tds/command.sh root:root 644',
      './.tds/entrypoint.sh root:root 644',
      './.tds/metrics.sh root:root 644',
      './input root:root 755',
      './input/data.txt root:root 644',
      './output 10001:10001 755',
      '/job/probe refused',
      '/job/input/data.txt refused',
      '/job/.tds/command.sh refused',
      'output written',
    ]);
  });

  it('of a prebuilt image gets the runtime scripts and the folders its user writes to in the same way', async () => {
    const { lines, image } = await runInSandbox(
      BASE_IMAGE,
      true,
      // touch's refusal on the same stream as the rest: the order of two streams is not kept.
      `${LISTING}; ${WRITE_PROBES}; touch /job/x 2>&1 || true`,
    );
    expect(image).toBe(await engine.imageId(BASE_IMAGE));
    expect(lines).toEqual([
      '. root:root 755',
      './.metrics 10001:10001 755',
      './.tds root:root 755',
      './.tds/entrypoint.sh root:root 644',
      './.tds/metrics.sh root:root 644',
      './input root:root 755',
      './input/data.txt root:root 644',
      './output 10001:10001 755',
      '/job/probe refused',
      '/job/input/data.txt refused',
      '/job/.tds/command.sh refused',
      'output written',
      "touch: cannot touch '/job/x': Read-only file system",
    ]);
  });
});

describe('images a run may build on', () => {
  it("refuses the service's own images when a run starts, whatever a stored job names", async () => {
    // A job stored before names were checked when jobs are posted: refused when the run starts.
    const built = `tds-run:${randomUUID()}`;
    const signal = new AbortController().signal;
    const asImage = builder.preparePrebuiltImage(
      randomUUID(),
      { ...spec, command: null, image: built, args: null },
      () => undefined,
      {},
    );
    await expect(asImage).rejects.toMatchObject({
      reason: 'image_error',
      message: expect.stringContaining('is an image the service makes for its runs') as unknown,
    });
    const asBase = builder.ensurePackageImage(
      { ...spec, base_image: await packageImage() },
      () => undefined,
      signal,
    );
    await expect(asBase).rejects.toMatchObject({
      reason: 'build_error',
      message: expect.stringContaining('is an image the service makes for its runs') as unknown,
    });
  });
});
