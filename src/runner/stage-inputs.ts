import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ObjectStore } from '../../services/aws/object-store.js';
import { RunFailure, errorMessage, isTransientStoreError } from '../errors.js';
import type { JobSpec } from '../jobs/job-spec.js';
import { INPUT_DIR, STEPS_DIR } from './container-paths.js';
import { describeBytes } from '../sizes.js';

export interface StagedInputs {
  files: number;
  bytes: number;
  /** Keys left out because they are results of earlier runs (the destination lies under the source). */
  excluded: number;
}

/**
 * Where an input key lands under `inputDir`, or an error when it would land anywhere else
 * (`..` segments, absolute or empty path parts).
 */
export function inputPath(inputDir: string, relativeKey: string, shownDir = INPUT_DIR): string {
  const segments = relativeKey.split('/');
  if (segments.some((s) => s === '..' || s === '.' || s === '') || relativeKey.includes('\\')) {
    throw new RunFailure(
      'input_error',
      `input key "${relativeKey}" was refused: keys with "..", "." or empty path segments would land outside ${shownDir}`,
    );
  }
  const target = path.resolve(inputDir, relativeKey);
  if (!target.startsWith(inputDir + path.sep)) {
    throw new RunFailure('input_error', `input key "${relativeKey}" would land outside ${shownDir}`);
  }
  return target;
}

/** One part of a step input's name: a step's name, or a fan-out item's index. */
const STEP_NAME_PART = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Where the files of the earlier step `name` land under `stepsDir`: `<stepsDir>/<name>/`. A name
 * is a step's name, or `<step>/<index>` for one item of a fan-out step; anything else (more parts,
 * `..`, empty parts, other characters) is refused.
 */
export function stepInputDir(stepsDir: string, name: string): string {
  const parts = name.split('/');
  if (parts.length > 2 || !parts.every((part) => STEP_NAME_PART.test(part) && !/^\.+$/.test(part))) {
    throw new RunFailure(
      'input_error',
      `step input name "${name}" was refused: it must be a step name, or <step>/<index>, of letters, digits, ".", "_" and "-"`,
    );
  }
  return path.join(path.resolve(stepsDir), ...parts);
}

/** What the staged files are, for messages: the job's inputs, or those and earlier steps' files. */
interface Source {
  bucket: string;
  prefix: string;
  /** Keys under this are left out. */
  excludePrefix?: string;
  /** Only this object under the prefix (its name relative to it); every object when absent. */
  only?: string;
  /** The folder the files land in, as the command sees it. */
  shownDir: string;
}

/** Counts of what was listed and staged so far, shared by every source of one run. */
interface Tally {
  staged: StagedInputs;
  listed: { files: number; bytes: number };
}

function overCap(what: string, amount: string, maxBytes: number): RunFailure {
  return new RunFailure(
    'input_error',
    `${what} come to ${amount}, more than the ${describeBytes(maxBytes)} a run may stage (TDS_MAX_INPUT_BYTES); the command was not run`,
  );
}

/**
 * Streams every object under the source's prefix into `dir`, keeping its path relative to the
 * prefix; objects are never held whole in memory. Once the listing shows the tally is over
 * `maxBytes`, nothing more is downloaded (the caller names the total).
 */
async function stageObjects(
  store: ObjectStore,
  source: Source,
  dir: string,
  tally: Tally,
  signal: AbortSignal,
  maxBytes: number,
  what: string,
): Promise<void> {
  const { staged, listed } = tally;
  await mkdir(dir, { recursive: true });
  const listPrefix = source.only === undefined ? source.prefix : `${source.prefix}${source.only}`;
  for await (const object of store.listObjects(source.bucket, listPrefix)) {
    signal.throwIfAborted();
    if (source.excludePrefix !== undefined && object.key.startsWith(source.excludePrefix)) {
      staged.excluded += 1;
      continue;
    }
    const relative = object.key.slice(source.prefix.length);
    if (relative === '' || relative.endsWith('/')) continue; // folder markers
    if (source.only !== undefined && relative !== source.only) continue;
    listed.files += 1;
    listed.bytes += object.size;
    if (listed.bytes > maxBytes) continue;
    const target = inputPath(dir, relative, source.shownDir);
    await mkdir(path.dirname(target), { recursive: true });
    const body = await store.getObjectStream(source.bucket, object.key);
    await pipeline(body, capped(maxBytes - staged.bytes, what, maxBytes), createWriteStream(target), {
      signal,
    });
    staged.files += 1;
    staged.bytes += object.size;
  }
}

/** Turns a store's error into the run's failure (a passing fault marked so). */
function readFailure(error: unknown, where: string, signal: AbortSignal): unknown {
  if (error instanceof RunFailure || signal.aborted) return error;
  return new RunFailure('input_error', `could not read ${where}: ${errorMessage(error)}`, {
    cause: error,
    transient: isTransientStoreError(error),
  });
}

/**
 * Streams every object under the source prefix into `inputDir`, keeping its path relative to the
 * prefix. Objects are never held whole in memory. Earlier results are left out when the
 * destination prefix lies under the source prefix, so a recurring job does not feed on its output.
 * Inputs larger than `maxBytes` in all fail the run with `input_error`: once the listing shows the
 * total is over, nothing more is downloaded, and the listing is only read on to name the total.
 */
export async function stageInputs(
  store: ObjectStore,
  spec: JobSpec,
  inputDir: string,
  signal: AbortSignal,
  maxBytes: number,
): Promise<StagedInputs> {
  const tally: Tally = { staged: { files: 0, bytes: 0, excluded: 0 }, listed: { files: 0, bytes: 0 } };
  const what = `the inputs under s3://${spec.s3_bucket}/${spec.source_s3_prefix}`;
  const source: Source = {
    bucket: spec.s3_bucket,
    prefix: spec.source_s3_prefix,
    excludePrefix: spec.destination_s3_prefix.startsWith(spec.source_s3_prefix)
      ? `${spec.destination_s3_prefix}${spec.uniqueId}/`
      : undefined,
    shownDir: INPUT_DIR,
  };
  try {
    await stageObjects(store, source, path.resolve(inputDir), tally, signal, maxBytes, what);
  } catch (error) {
    throw readFailure(error, `the inputs from s3://${spec.s3_bucket}/${spec.source_s3_prefix}`, signal);
  }
  if (tally.listed.bytes > maxBytes) {
    throw overCap(what, `${describeBytes(tally.listed.bytes)} in ${tally.listed.files} files`, maxBytes);
  }
  return tally.staged;
}

/**
 * Streams the files of each earlier step in `spec.step_inputs` (every object under its bucket and
 * prefix, or the one `file` there) into `<stepsDir>/<name>/`, as inputs are staged: never whole in memory, keys that would
 * leave the folder refused. They count against the same cap as the inputs: `alreadyStaged` bytes
 * of it are taken.
 */
export async function stageStepInputs(
  store: ObjectStore,
  spec: JobSpec,
  stepsDir: string,
  signal: AbortSignal,
  maxBytes: number,
  alreadyStaged: number,
): Promise<StagedInputs> {
  const tally: Tally = {
    staged: { files: 0, bytes: alreadyStaged, excluded: 0 },
    listed: { files: 0, bytes: alreadyStaged },
  };
  const what = "the inputs and the earlier steps' files";
  for (const input of spec.step_inputs) {
    const dir = stepInputDir(stepsDir, input.name);
    const prefix = input.prefix === '' || input.prefix.endsWith('/') ? input.prefix : `${input.prefix}/`;
    const source: Source = {
      bucket: input.bucket,
      prefix,
      shownDir: `${STEPS_DIR}/${input.name}`,
      only: input.file,
    };
    try {
      await stageObjects(store, source, dir, tally, signal, maxBytes, what);
    } catch (error) {
      throw readFailure(
        error,
        `the files of step "${input.name}" from s3://${input.bucket}/${prefix}`,
        signal,
      );
    }
  }
  if (tally.listed.bytes > maxBytes) {
    throw overCap(what, describeBytes(tally.listed.bytes), maxBytes);
  }
  return { ...tally.staged, bytes: tally.staged.bytes - alreadyStaged };
}

/** Passes at most `room` bytes through: an object that grew after it was listed cannot pass the cap. */
function capped(room: number, what: string, maxBytes: number): Transform {
  let passed = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      passed += chunk.length;
      if (passed > room) {
        done(overCap(what, `more than listed (an object grew while it was read)`, maxBytes));
      } else {
        done(null, chunk);
      }
    },
  });
}
