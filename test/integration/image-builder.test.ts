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
const builder = createImageBuilder(createDockerEngine(docker, logger, 'local'), logger, 'image-builder-test');
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
  { timeoutSeconds: 60, cpus: 1, memoryMb: 256, metricsIntervalSeconds: 1, baseImage: BASE_IMAGE },
);

/** Builds a run's image from a context holding the same input file every time. */
async function buildRun(): Promise<string> {
  const contextDir = await mkdtemp(path.join(os.tmpdir(), 'tds-build-'));
  dirs.push(contextDir);
  await mkdir(path.join(contextDir, 'input'));
  await writeFile(path.join(contextDir, 'input', 'data.txt'), 'the same input\n');
  const tag = await builder.buildJobImage(
    randomUUID(),
    spec,
    BASE_IMAGE,
    contextDir,
    () => undefined,
    new AbortController().signal,
  );
  tags.push(tag);
  return tag;
}

/** Ids of the image's layers that were built locally (the base image's own show as "<missing>"). */
async function builtLayers(tag: string): Promise<string[]> {
  const history = (await docker.getImage(tag).history()) as { Id: string }[];
  const base = new Set(((await docker.getImage(BASE_IMAGE).history()) as { Id: string }[]).map((h) => h.Id));
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

  it('hold the inputs, the output folder and the runtime files under /job, and nothing else', async () => {
    const tag = await buildRun();
    const container = await docker.createContainer({
      Image: tag,
      Entrypoint: ['/bin/sh', '-c', 'cd /job && find . | sort'],
      Tty: true,
    });
    try {
      await container.start();
      await container.wait();
      const listing = (await container.logs({ stdout: true })).toString().split(/\r?\n/);
      expect(listing.filter(Boolean)).toEqual([
        '.',
        './.tds',
        './.tds/command.sh',
        './.tds/entrypoint.sh',
        './.tds/metrics.sh',
        './input',
        './input/data.txt',
        './output',
      ]);
    } finally {
      await container.remove({ force: true });
    }
  });
});
