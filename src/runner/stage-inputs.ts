import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ObjectStore } from '../../services/aws/object-store.js';
import { RunFailure, errorMessage, isTransientStoreError } from '../errors.js';
import type { JobSpec } from '../jobs/job-spec.js';
import { describeBytes } from './sizes.js';

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
export function inputPath(inputDir: string, relativeKey: string): string {
  const segments = relativeKey.split('/');
  if (segments.some((s) => s === '..' || s === '.' || s === '') || relativeKey.includes('\\')) {
    throw new RunFailure(
      'input_error',
      `input key "${relativeKey}" was refused: keys with "..", "." or empty path segments would land outside /job/input`,
    );
  }
  const target = path.resolve(inputDir, relativeKey);
  if (!target.startsWith(inputDir + path.sep)) {
    throw new RunFailure('input_error', `input key "${relativeKey}" would land outside /job/input`);
  }
  return target;
}

/** `amount` says how much there is: "12 MiB (12582912 bytes) in 3 files". */
function overCap(spec: JobSpec, amount: string, maxBytes: number): RunFailure {
  return new RunFailure(
    'input_error',
    `the inputs under s3://${spec.s3_bucket}/${spec.source_s3_prefix} come to ${amount}, more than the ${describeBytes(maxBytes)} a run may stage (TDS_MAX_INPUT_BYTES); the command was not run`,
  );
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
  const staged: StagedInputs = { files: 0, bytes: 0, excluded: 0 };
  const listed = { files: 0, bytes: 0 };
  const resolvedDir = path.resolve(inputDir);
  await mkdir(resolvedDir, { recursive: true });
  const excludePrefix = spec.destination_s3_prefix.startsWith(spec.source_s3_prefix)
    ? `${spec.destination_s3_prefix}${spec.uniqueId}/`
    : undefined;
  try {
    for await (const object of store.listObjects(spec.s3_bucket, spec.source_s3_prefix)) {
      signal.throwIfAborted();
      if (excludePrefix !== undefined && object.key.startsWith(excludePrefix)) {
        staged.excluded += 1;
        continue;
      }
      const relative = object.key.slice(spec.source_s3_prefix.length);
      if (relative === '' || relative.endsWith('/')) continue; // folder markers
      listed.files += 1;
      listed.bytes += object.size;
      if (listed.bytes > maxBytes) continue;
      const target = inputPath(resolvedDir, relative);
      await mkdir(path.dirname(target), { recursive: true });
      const body = await store.getObjectStream(spec.s3_bucket, object.key);
      await pipeline(body, capped(maxBytes - staged.bytes, spec, maxBytes), createWriteStream(target), {
        signal,
      });
      staged.files += 1;
      staged.bytes += object.size;
    }
    if (listed.bytes > maxBytes) {
      throw overCap(spec, `${describeBytes(listed.bytes)} in ${listed.files} files`, maxBytes);
    }
  } catch (error) {
    if (error instanceof RunFailure || signal.aborted) throw error;
    throw new RunFailure(
      'input_error',
      `could not read the inputs from s3://${spec.s3_bucket}/${spec.source_s3_prefix}: ${errorMessage(error)}`,
      { cause: error, transient: isTransientStoreError(error) },
    );
  }
  return staged;
}

/** Passes at most `room` bytes through: an object that grew after it was listed cannot pass the cap. */
function capped(room: number, spec: JobSpec, maxBytes: number): Transform {
  let passed = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      passed += chunk.length;
      if (passed > room) {
        done(overCap(spec, `more than listed (an object grew while it was read)`, maxBytes));
      } else {
        done(null, chunk);
      }
    },
  });
}
