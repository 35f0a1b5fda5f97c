import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import type { ContainerEngine } from '../../services/docker/container-engine.js';
import { maskingStream } from '../secrets/secret-masker.js';
import { cappedLog, type LogReport } from './capped-log.js';
import { METRICS_PATH, OUTPUT_DIR } from './container-paths.js';
import { readMetrics, type MetricsReadLimits, type MetricsReading } from './metrics-reading.js';
import { describeBytes } from '../sizes.js';
import { withoutTrailing } from '../text/without-trailing.js';

/** S3 refuses longer keys. */
export const MAX_KEY_BYTES = 1024;
/** run.json lists at most this many skipped entries (a hostile job could leave millions). */
export const MAX_SKIPPED_LISTED = 1000;

export interface OutputReport {
  files: number;
  bytes: number;
  /**
   * Entries not uploaded, each with why: links, devices and other special files, names that would
   * leave the folder or are too long for S3, and files that did not fit under the output cap.
   * At most MAX_SKIPPED_LISTED are listed; `skippedNotListed` counts the rest.
   */
  skipped: { path: string; reason: string }[];
  skippedNotListed: number;
  /** The files left out because the outputs came to more than TDS_MAX_OUTPUT_BYTES; null if none. */
  overCap: { files: number; bytes: number; maxBytes: number } | null;
  /**
   * The files left out because the worker's spool, where results wait for their upload, had no
   * room for them (TDS_SPOOL_MAX_BYTES); absent when all fitted.
   */
  overSpool?: { files: number; bytes: number; maxBytes: number };
}

export interface LogsReport {
  stdout: LogReport;
  stderr: LogReport;
}

export const CONTENT_TYPES = {
  log: 'text/plain; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json',
} as const;

/**
 * Copies the container's stdout and stderr to `files` on this host, where they wait for their
 * upload. Each keeps at most `maxBytes` of what the command wrote, and ends with a line saying so
 * when it was cut. The values in `mask` (the run's secrets) are replaced with `***` before the cap,
 * so that a cut never leaves part of one.
 */
export async function collectLogs(
  engine: ContainerEngine,
  containerId: string,
  files: { stdout: string; stderr: string },
  maxBytes: number,
  mask: readonly string[] = [],
): Promise<LogsReport> {
  const stdoutStream = createWriteStream(files.stdout);
  const stderrStream = createWriteStream(files.stderr);
  const closed = Promise.all([
    new Promise<void>((resolve, reject) => stdoutStream.on('close', () => resolve()).on('error', reject)),
    new Promise<void>((resolve, reject) => stderrStream.on('close', () => resolve()).on('error', reject)),
  ]);
  const stdout = cappedLog(stdoutStream, 'stdout.log', maxBytes);
  const stderr = cappedLog(stderrStream, 'stderr.log', maxBytes);
  if (mask.length === 0) {
    await engine.copyLogs(containerId, stdout.sink, stderr.sink);
  } else {
    const masked = { stdout: maskingStream(mask), stderr: maskingStream(mask) };
    masked.stdout.pipe(stdout.sink);
    masked.stderr.pipe(stderr.sink);
    await engine.copyLogs(containerId, masked.stdout, masked.stderr);
  }
  await closed;
  return { stdout: stdout.report, stderr: stderr.report };
}

/** Where output files go as they are read from the container: the worker's spool. */
export interface OutputSink {
  /** Takes `bytes` of the spool's budget; false when the spool has no room for them. */
  reserve(bytes: number): boolean;
  /** Keeps one file under `key`; its bytes were reserved. */
  keep(key: string, body: Readable, bytes: number): Promise<void>;
  /** The spool's budget, named in the report of files that did not fit. */
  readonly maxBytes: number;
}

/** The key an output entry is stored under, or undefined when its name could leave the folder. */
export function outputKey(prefix: string, entryName: string): string | undefined {
  if (entryName !== 'output' && !entryName.startsWith('output/')) return undefined;
  const relative = withoutTrailing(entryName.slice('output/'.length), '/');
  if (relative === '') return undefined;
  const segments = relative.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..') || relative.includes('\\')) return undefined;
  return `${prefix}output/${relative}`;
}

/**
 * Streams `/job/output` out of the container, entry by entry, into `sink` under
 * `<prefix>output/...`; only regular files are kept. Links and special files are reported, never
 * followed: the archive is read as a stream, and no name from it is used on this host (the spool
 * numbers its files). Files are kept while they fit under `maxBytes` in all and in the spool;
 * those that do not are reported in `overCap` and `overSpool`.
 */
export async function collectOutputs(
  engine: ContainerEngine,
  containerId: string,
  prefix: string,
  maxBytes: number,
  sink: OutputSink,
): Promise<OutputReport> {
  const report: OutputReport = { files: 0, bytes: 0, skipped: [], skippedNotListed: 0, overCap: null };
  const skip = (shown: string, reason: string) => {
    if (report.skipped.length < MAX_SKIPPED_LISTED) report.skipped.push({ path: shown, reason });
    else report.skippedNotListed += 1;
  };
  const archive = await engine.getArchive(containerId, OUTPUT_DIR);
  if (!archive) return report;
  const entries = extract();
  archive.on('error', (error) => entries.destroy(error));
  archive.pipe(entries);
  for await (const entry of entries) {
    const { name, type } = entry.header;
    const size = entry.header.size ?? 0;
    if (type === 'directory') {
      entry.resume();
      continue;
    }
    const shown = name.replace(/^output\/?/, '');
    const key = outputKey(prefix, name);
    if (type !== 'file' && type !== 'contiguous-file') {
      const target = entry.header.linkname ? ` (pointing at ${entry.header.linkname})` : '';
      skip(shown, `${type ?? 'unknown type'}${target} is not a regular file`);
    } else if (key === undefined) {
      skip(shown, 'the name would leave the output folder');
    } else if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
      skip(
        shown,
        `the name is too long for S3: ${Buffer.byteLength(key)} bytes with the results prefix, at most ${MAX_KEY_BYTES}`,
      );
    } else if (report.bytes + size > maxBytes) {
      report.overCap ??= { files: 0, bytes: 0, maxBytes };
      report.overCap.files += 1;
      report.overCap.bytes += size;
      skip(
        shown,
        `${describeBytes(size)} would take the outputs past ${describeBytes(maxBytes)} (TDS_MAX_OUTPUT_BYTES)`,
      );
    } else if (!sink.reserve(size)) {
      report.overSpool ??= { files: 0, bytes: 0, maxBytes: sink.maxBytes };
      report.overSpool.files += 1;
      report.overSpool.bytes += size;
      skip(
        shown,
        `${describeBytes(size)} would take the worker's spool past ${describeBytes(sink.maxBytes)} (TDS_SPOOL_MAX_BYTES)`,
      );
    } else {
      // tar-stream entries are streamx streams; wrapping keeps backpressure and gives a Node stream.
      await sink.keep(key, Readable.from(entry), size);
      report.files += 1;
      report.bytes += size;
      continue;
    }
    entry.resume();
  }
  return report;
}

/**
 * The metrics CSV the job's own sampler keeps in the container, read as it streams out of the
 * engine (bounded by `limits`); undefined when there is no such regular file. The job's user can
 * write this file: what it holds is the job's word, never a figure recorded for the run.
 */
export async function readContainerMetrics(
  engine: ContainerEngine,
  containerId: string,
  limits: MetricsReadLimits,
  options: { sinceElapsed?: number; durationSeconds: number | null },
): Promise<MetricsReading | undefined> {
  const archive = await engine.getArchive(containerId, METRICS_PATH);
  if (!archive) return undefined;
  const entries = extract();
  archive.on('error', (error) => entries.destroy(error));
  archive.pipe(entries);
  try {
    for await (const entry of entries) {
      // A link or anything else but a regular file is not followed (it could point anywhere).
      if (entry.header.type === 'file')
        return await readMetrics(entry as AsyncIterable<Buffer>, limits, options);
      entry.resume();
    }
    return undefined;
  } finally {
    archive.destroy();
    entries.destroy();
  }
}
