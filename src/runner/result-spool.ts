import { createReadStream, createWriteStream } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { RunOutcome } from '../runs/transitions.js';
import type { LogsReport, OutputReport } from './collect-results.js';
import type { MetricsSummary } from './metrics-summary.js';

/** One file a run produced, kept on the worker's disk until it is in the object store. */
export interface SpoolEntry {
  /** Its key in the bucket (the run's results prefix included). */
  key: string;
  /** Its file in the run's spool folder (a number: names a job chose never touch this disk). */
  file: string;
  contentType?: string;
  bytes: number;
}

/** What was collected from a run's container, as run.json reports it. */
export interface SpooledRecord {
  exitCode: number | null;
  logs?: LogsReport;
  outputs?: OutputReport;
  metrics?: MetricsSummary & { sampledFrom: string };
  result: string | null;
}

/**
 * What a run's spool says once everything the run produced is in it: where it goes, and how the
 * run ended. Written last, so a spool with a manifest is complete, and a restarted worker delivers
 * it rather than running the command again.
 */
export interface SpoolManifest {
  runId: string;
  bucket: string;
  prefix: string;
  /** When the results were spooled: the upload patience counts from here, across restarts. */
  spooledAt: string;
  files: number;
  bytes: number;
  outcome: RunOutcome;
  /** What run.json says of the results, kept to write it again once the run's end is known. */
  record: SpooledRecord;
  /** Set when delivery gave up (the run ended `upload_error`): the housekeeper tries again later. */
  gaveUp?: { at: string; message: string };
}

/** A run's spool being written. */
export interface SpoolWriter {
  readonly dir: string;
  /** A new file in the spool, to be written by the caller, then added with `add`. */
  newFile(): string;
  /** Takes `bytes` of the spool budget; false when they would take the spool past it. */
  reserve(bytes: number): boolean;
  /** Adds a file written with `newFile` (its bytes count against the budget, without refusal). */
  add(entry: Omit<SpoolEntry, 'bytes'>, bytes: number, reserved?: boolean): Promise<void>;
  /** Writes `body` to a new file and adds it (`reserved`: its bytes were reserved beforehand). */
  keep(
    key: string,
    body: Readable | string,
    bytes: number,
    options?: { contentType?: string; reserved?: boolean },
  ): Promise<void>;
  /** Marks the spool complete. */
  complete(manifest: Omit<SpoolManifest, 'files' | 'bytes' | 'spooledAt'>): Promise<SpoolManifest>;
  /** The writer is done (complete or not): its bytes no longer count as in flight. */
  close(): void;
}

export interface ResultSpool {
  readonly root: string;
  readonly maxBytes: number;
  dirOf(runId: string): string;
  /** Starts a run's spool afresh (what an earlier, incomplete attempt left is dropped). */
  open(runId: string): Promise<SpoolWriter>;
  /** The run's manifest, when its spool is complete. */
  read(runId: string): Promise<SpoolManifest | undefined>;
  entries(runId: string): AsyncIterable<SpoolEntry>;
  /** Replaces one file's content (run.json, once the run's end is known), keeping its key. */
  rewrite(runId: string, key: string, body: string): Promise<void>;
  markGaveUp(runId: string, message: string): Promise<void>;
  /** A file of a complete spool, by its key; undefined when the run has no such file here. */
  openFile(runId: string, key: string): Promise<Readable | undefined>;
  remove(runId: string): Promise<void>;
  /** The run ids with a folder in the spool. */
  list(): Promise<string[]>;
  /** Bytes the spool holds: complete spools (from their manifests) and those being written. */
  usage(): Promise<number>;
}

const MANIFEST = 'manifest.json';
const ENTRIES = 'entries.jsonl';
const FILES = 'files';

/**
 * The spool of a worker: `<dataDir>/spool/<runId>/` holds `files/<n>`, `entries.jsonl` (one line
 * per file: key, file, bytes; read a line at a time, so millions of small outputs cost no memory)
 * and `manifest.json`. It holds at most `maxBytes` (TDS_SPOOL_MAX_BYTES) of output files.
 */
export function createResultSpool(dataDir: string, maxBytes: number): ResultSpool {
  const root = path.join(dataDir, 'spool');
  const dirOf = (runId: string) => path.join(root, runId);
  /** Bytes of spools being written in this process, by run. */
  const inFlight = new Map<string, number>();
  /** Bytes of complete spools, counted once from disk, then kept up to date. */
  let stored: Map<string, number> | undefined;

  async function storedBytes(): Promise<Map<string, number>> {
    if (stored) return stored;
    const found = new Map<string, number>();
    for (const runId of await list()) {
      const manifest = await read(runId);
      if (manifest) found.set(runId, manifest.bytes);
    }
    stored ??= found;
    return stored;
  }

  async function list(): Promise<string[]> {
    return readdir(root).catch(() => [] as string[]);
  }

  async function read(runId: string): Promise<SpoolManifest | undefined> {
    const text = await readFile(path.join(dirOf(runId), MANIFEST), 'utf8').catch(() => undefined);
    return text === undefined ? undefined : (JSON.parse(text) as SpoolManifest);
  }

  async function writeManifest(runId: string, manifest: SpoolManifest): Promise<void> {
    const file = path.join(dirOf(runId), MANIFEST);
    // Written aside and renamed: a crash leaves the old manifest or the new, never half of one.
    await writeFile(`${file}.tmp`, `${JSON.stringify(manifest)}\n`);
    await rename(`${file}.tmp`, file);
  }

  async function* entries(runId: string): AsyncIterable<SpoolEntry> {
    const lines = createInterface({ input: createReadStream(path.join(dirOf(runId), ENTRIES)) });
    for await (const line of lines) {
      if (line.trim() !== '') yield JSON.parse(line) as SpoolEntry;
    }
  }

  async function usage(): Promise<number> {
    let total = 0;
    for (const bytes of (await storedBytes()).values()) total += bytes;
    for (const bytes of inFlight.values()) total += bytes;
    return total;
  }

  return {
    root,
    maxBytes,
    dirOf,
    read,
    entries,
    list,
    usage,

    async open(runId) {
      const dir = dirOf(runId);
      await rm(dir, { recursive: true, force: true });
      (await storedBytes()).delete(runId);
      await mkdir(path.join(dir, FILES), { recursive: true });
      await writeFile(path.join(dir, ENTRIES), '');
      let free = maxBytes - (await usage());
      let files = 0;
      let bytes = 0;
      inFlight.set(runId, 0);
      const count = (n: number) => {
        bytes += n;
        inFlight.set(runId, bytes);
      };
      const writer: SpoolWriter = {
        dir,
        newFile: () => path.join(dir, FILES, String(files++)),
        reserve(n) {
          if (n > free) return false;
          free -= n;
          return true;
        },
        async add(entry, n, reserved = false) {
          if (!reserved) free -= n;
          count(n);
          await appendFile(path.join(dir, ENTRIES), `${JSON.stringify({ ...entry, bytes: n })}\n`);
        },
        async keep(key, body, n, options = {}) {
          const file = writer.newFile();
          if (typeof body === 'string') await writeFile(file, body);
          else await pipeline(body, createWriteStream(file));
          await writer.add(
            { key, file: path.basename(file), contentType: options.contentType },
            n,
            options.reserved,
          );
        },
        async complete(fields) {
          const manifest: SpoolManifest = {
            ...fields,
            spooledAt: new Date().toISOString(),
            files,
            bytes,
          };
          await writeManifest(runId, manifest);
          (await storedBytes()).set(runId, bytes);
          inFlight.delete(runId);
          return manifest;
        },
        close() {
          inFlight.delete(runId);
        },
      };
      return writer;
    },

    async rewrite(runId, key, body) {
      for await (const entry of entries(runId)) {
        if (entry.key === key) await writeFile(path.join(dirOf(runId), FILES, entry.file), body);
      }
    },

    async openFile(runId, key) {
      if (!(await read(runId))) return undefined;
      for await (const entry of entries(runId)) {
        if (entry.key === key) return createReadStream(path.join(dirOf(runId), FILES, entry.file));
      }
      return undefined;
    },

    async markGaveUp(runId, message) {
      const manifest = await read(runId);
      if (manifest)
        await writeManifest(runId, { ...manifest, gaveUp: { at: new Date().toISOString(), message } });
    },

    async remove(runId) {
      await rm(dirOf(runId), { recursive: true, force: true });
      (await storedBytes()).delete(runId);
    },
  };
}

/** The path of a spooled file. */
export function spooledFile(spool: ResultSpool, runId: string, entry: SpoolEntry): string {
  return path.join(spool.dirOf(runId), FILES, entry.file);
}
