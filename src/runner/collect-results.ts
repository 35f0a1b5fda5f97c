import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import type { ObjectStore } from '../../services/aws/object-store.js';
import type { ContainerEngine } from '../../services/docker/container-engine.js';

export const METRICS_PATH = '/job/.tds/metrics.csv';
const MAX_METRICS_BYTES = 64 * 1024 * 1024;

export interface OutputReport {
  files: number;
  bytes: number;
  /** Entries that are not regular files (links, devices...) are not uploaded; each is listed here. */
  skipped: { path: string; reason: string }[];
}

export const CONTENT_TYPES = {
  log: 'text/plain; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json',
} as const;

/**
 * Copies the container's stdout and stderr to files in `dir` (so they survive an upload failure),
 * then uploads them as stdout.log and stderr.log.
 */
export async function collectLogs(
  engine: ContainerEngine,
  store: ObjectStore,
  containerId: string,
  dir: string,
  bucket: string,
  prefix: string,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const stdoutFile = path.join(dir, 'stdout.log');
  const stderrFile = path.join(dir, 'stderr.log');
  const stdout = createWriteStream(stdoutFile);
  const stderr = createWriteStream(stderrFile);
  const closed = Promise.all([
    new Promise<void>((resolve, reject) => stdout.on('close', () => resolve()).on('error', reject)),
    new Promise<void>((resolve, reject) => stderr.on('close', () => resolve()).on('error', reject)),
  ]);
  await engine.copyLogs(containerId, stdout, stderr);
  await closed;
  await store.putObject(bucket, `${prefix}stdout.log`, createReadStream(stdoutFile), CONTENT_TYPES.log);
  await store.putObject(bucket, `${prefix}stderr.log`, createReadStream(stderrFile), CONTENT_TYPES.log);
}

/** The key an output entry is stored under, or undefined when its name could leave the folder. */
export function outputKey(prefix: string, entryName: string): string | undefined {
  if (entryName !== 'output' && !entryName.startsWith('output/')) return undefined;
  const relative = entryName.slice('output/'.length).replace(/\/+$/, '');
  if (relative === '') return undefined;
  const segments = relative.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..') || relative.includes('\\')) return undefined;
  return `${prefix}output/${relative}`;
}

/**
 * Streams `/job/output` out of the container, entry by entry, into `<prefix>output/...`; only
 * regular files are uploaded. Links and special files are reported, never followed: the
 * archive is read as a stream, nothing of it is unpacked onto this host.
 */
export async function collectOutputs(
  engine: ContainerEngine,
  store: ObjectStore,
  containerId: string,
  bucket: string,
  prefix: string,
): Promise<OutputReport> {
  const report: OutputReport = { files: 0, bytes: 0, skipped: [] };
  const archive = await engine.getArchive(containerId, '/job/output');
  if (!archive) return report;
  const entries = extract();
  archive.on('error', (error) => entries.destroy(error));
  archive.pipe(entries);
  for await (const entry of entries) {
    const { name, type, size } = entry.header;
    if (type === 'directory') {
      entry.resume();
      continue;
    }
    const shown = name.replace(/^output\/?/, '');
    const key = outputKey(prefix, name);
    if (type !== 'file' && type !== 'contiguous-file') {
      report.skipped.push({ path: shown, reason: `${type ?? 'unknown type'} is not a regular file` });
      entry.resume();
      continue;
    }
    if (key === undefined) {
      report.skipped.push({ path: shown, reason: 'the name would leave the output folder' });
      entry.resume();
      continue;
    }
    // tar-stream entries are streamx streams; wrapping keeps backpressure and gives the SDK a Node stream.
    await store.putObject(bucket, key, Readable.from(entry));
    report.files += 1;
    report.bytes += size ?? 0;
  }
  return report;
}

async function readSingleFile(archive: Readable, limit: number): Promise<string | undefined> {
  const entries = extract();
  archive.on('error', (error) => entries.destroy(error));
  archive.pipe(entries);
  let text: string | undefined;
  for await (const entry of entries) {
    if (text === undefined && entry.header.type === 'file') {
      const chunks: Buffer[] = [];
      let total = 0;
      for await (const chunk of entry) {
        total += (chunk as Buffer).length;
        if (total <= limit) chunks.push(chunk as Buffer);
      }
      text = Buffer.concat(chunks).toString('utf8');
    } else {
      entry.resume();
    }
  }
  return text;
}

/** The metrics CSV the sampler left in the container, or undefined when there is none. */
export async function readMetricsCsv(
  engine: ContainerEngine,
  containerId: string,
): Promise<string | undefined> {
  const archive = await engine.getArchive(containerId, METRICS_PATH);
  if (!archive) return undefined;
  return readSingleFile(archive, MAX_METRICS_BYTES);
}
