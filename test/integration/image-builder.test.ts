import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import pino from 'pino';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDockerEngine } from '../../services/docker/docker-engine.js';
import { normaliseJobRequest } from '../../src/jobs/job-spec.js';
import { createImageBuilder } from '../../src/runner/image-builder.js';

const BASE_IMAGE = inject('baseImage');
const docker = new Docker();
const logger = pino({ level: 'silent' });
const builder = createImageBuilder(createDockerEngine(docker, logger, 'local'), logger, '10001:10001', {
  installationId: randomUUID(),
  localImages: [BASE_IMAGE],
});
const tags: string[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const tag of tags)
    await docker
      .getImage(tag)
      .remove({ force: true })
      .catch(() => undefined);
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

/** The package image the runs build on (no packages: the base image with the runtime files). */
let fromImage: Promise<string> | undefined;

/** Builds a run's image from a context holding the same input file every time. */
async function buildRun(): Promise<string> {
  fromImage ??= builder.ensurePackageImage(spec, () => undefined, new AbortController().signal);
  const contextDir = await mkdtemp(path.join(os.tmpdir(), 'tds-build-'));
  dirs.push(contextDir);
  await mkdir(path.join(contextDir, 'input'));
  await writeFile(path.join(contextDir, 'input', 'data.txt'), 'the same input\n');
  const tag = await builder.buildJobImage(
    randomUUID(),
    spec,
    await fromImage,
    contextDir,
    () => undefined,
    new AbortController().signal,
  );
  tags.push(tag);
  return tag;
}

/** Ids of the layers a run's build added on top of its package image. */
async function builtLayers(tag: string): Promise<string[]> {
  const history = (await docker.getImage(tag).history()) as { Id: string }[];
  const base = new Set(
    ((await docker.getImage(await fromImage!).history()) as { Id: string }[]).map((h) => h.Id),
  );
  return history.map((entry) => entry.Id).filter((id) => id !== '<missing>' && !base.has(id));
}

describe('job images', () => {
  it('are built afresh for each run, sharing no layer with another run of the same job', async () => {
    // Removing a run's image when it ends deletes its layers; a build reusing them from the cache
    // at that moment fails. Each run's image must therefore stand on its own layers.
    const first = await buildRun();
    const second = await buildRun();
    const firstLayers = await builtLayers(first);
    const secondLayers = await builtLayers(second);
    expect(firstLayers.length).toBeGreaterThan(0);
    expect(secondLayers.filter((id) => firstLayers.includes(id))).toEqual([]);
  });

  it('are one copy step on the package image, and the labels naming their run and installation', async () => {
    const tag = await buildRun();
    const built = new Set(await builtLayers(tag));
    const steps = (
      (await docker.getImage(tag).history()) as { Id: string; CreatedBy: string; Size: number }[]
    )
      .filter((entry) => built.has(entry.Id))
      .map((entry) => ({ label: /\bLABEL\b/.test(entry.CreatedBy), files: entry.Size > 0 }));
    // The copy is the only step with files; the build's labels are a step of their own, files none.
    expect(steps.sort((a, b) => Number(a.label) - Number(b.label))).toEqual([
      { label: false, files: true },
      { label: true, files: false },
    ]);
  });

  it('hold the inputs, the output folder and the runtime files under /job, and nothing else', async () => {
    const tag = await buildRun();
    const container = await docker.createContainer({
      Image: tag,
      Entrypoint: ['/bin/sh', '-c', 'cd /job && find . -printf "%p %u:%g\\n" | sort'],
      Tty: true,
    });
    try {
      await container.start();
      await container.wait();
      const listing = (await container.logs({ stdout: true })).toString().split(/\r?\n/);
      // Only the output and metrics folders belong to the job's user: the rest is root's.
      expect(listing.filter(Boolean)).toEqual([
        '. root:root',
        './.metrics 10001:10001',
        './.tds root:root',
        './.tds/command.sh root:root',
        './.tds/entrypoint.sh root:root',
        './.tds/metrics.sh root:root',
        './input root:root',
        './input/data.txt root:root',
        './output 10001:10001',
      ]);
    } finally {
      await container.remove({ force: true });
    }
  });
});

describe('images a run may build on', () => {
  it("refuses the service's own images when a run starts, whatever a stored job names", async () => {
    // A job stored before names were checked when jobs are posted: refused when the run starts.
    const built = await buildRun();
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
      { ...spec, base_image: await fromImage! },
      () => undefined,
      signal,
    );
    await expect(asBase).rejects.toMatchObject({
      reason: 'build_error',
      message: expect.stringContaining('is an image the service makes for its runs') as unknown,
    });
  });
});
