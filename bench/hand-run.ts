/**
 * The baseline for dispatch and throughput: the same work the service does for a job, done by
 * hand the way a shell script would, with the Docker CLI and the AWS SDK, and no database.
 */
import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { GetObjectCommand, ListObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

const run = promisify(execFile);

export const HAND_RUN_DESCRIPTION =
  'The hand-run baseline does, per job: list and download the inputs from the same S3 server with the ' +
  'AWS SDK into a build folder; write the command to a file and a Dockerfile ' +
  '(`FROM <cached package image>`, `COPY input/`, `COPY command.sh`); `docker build --no-cache` ' +
  "(as the service built run images before it put a run's files into its container instead; the package image stays cached); " +
  '`docker run -d` (the container is running when it returns); `docker wait`; `docker logs` into ' +
  'stdout/stderr files; `docker cp` of /job/output; upload of both logs and every output file with ' +
  'the AWS SDK (results in S3 when the last upload ends); then `docker rm` and `docker rmi` (not timed, ' +
  'as the service cleans up after recording the end state). It keeps no records, takes no metrics ' +
  'and runs no sampler.';

export interface HandRunJob {
  bucket: string;
  sourcePrefix: string;
  destinationPrefix: string;
  command: string;
  fromImage: string;
}

export interface HandRunTimes {
  /** From the start to the container running. */
  runningMs: number;
  /** From the start to the last result uploaded. */
  doneMs: number;
}

async function upload(s3: S3Client, bucket: string, key: string, body: Readable): Promise<void> {
  await new Upload({ client: s3, params: { Bucket: bucket, Key: key, Body: body } }).done();
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

export async function handRun(s3: S3Client, job: HandRunJob, id: string): Promise<HandRunTimes> {
  const started = performance.now();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tds-hand-run-'));
  const tag = `tds-bench-hand:${id}`;
  let container: string | undefined;
  try {
    const context = path.join(dir, 'context');
    await mkdir(path.join(context, 'input'), { recursive: true });
    const listing = await s3.send(new ListObjectsCommand({ Bucket: job.bucket, Prefix: job.sourcePrefix }));
    for (const item of listing.Contents ?? []) {
      const relative = item.Key!.slice(job.sourcePrefix.length);
      const target = path.join(context, 'input', relative);
      await mkdir(path.dirname(target), { recursive: true });
      const object = await s3.send(new GetObjectCommand({ Bucket: job.bucket, Key: item.Key! }));
      await pipeline(object.Body as Readable, createWriteStream(target));
    }
    await writeFile(path.join(context, 'command.sh'), job.command);
    await writeFile(
      path.join(context, 'Dockerfile'),
      `FROM ${job.fromImage}\nCOPY input/ /job/input/\nCOPY command.sh /job/command.sh\nWORKDIR /job\n`,
    );
    // Without the build cache, as the service built run images: with it, parallel runs of the same
    // job share layers that one run's `docker rmi` deletes from under another's build.
    await run('docker', ['build', '--no-cache', '-q', '-t', tag, context]);
    container = (await run('docker', ['run', '-d', tag, 'sh', '/job/command.sh'])).stdout.trim();
    const runningMs = performance.now() - started;
    await run('docker', ['wait', container]);

    const results = path.join(dir, 'results');
    await mkdir(results);
    await new Promise<void>((resolve, reject) => {
      const child = execFile('docker', ['logs', container!]);
      const out = createWriteStream(path.join(results, 'stdout.log'));
      const err = createWriteStream(path.join(results, 'stderr.log'));
      child.stdout!.pipe(out);
      child.stderr!.pipe(err);
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`docker logs: ${code}`))));
    });
    await run('docker', ['cp', `${container}:/job/output`, path.join(results, 'output')]);
    const prefix = `${job.destinationPrefix}${id}/`;
    for (const file of await listFiles(results)) {
      const key = `${prefix}${path.relative(results, file)}`;
      await upload(s3, job.bucket, key, createReadStream(file));
    }
    return { runningMs, doneMs: performance.now() - started };
  } finally {
    if (container) await run('docker', ['rm', '-f', container]).catch(() => undefined);
    await run('docker', ['rmi', '-f', tag]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}
