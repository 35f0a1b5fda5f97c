import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../services/aws/object-store.js';
import { RunFailure } from '../../src/errors.js';
import type { JobSpec } from '../../src/jobs/job-spec.js';
import { stageInputs, stageStepInputs, stepInputDir } from '../../src/runner/stage-inputs.js';

/** An object store listing whatever keys it is given: real S3 allows keys that s3rver normalises away. */
function storeWith(objects: Record<string, string>): ObjectStore {
  return {
    probePrefix: async () => 'objects',
    async *listObjects(_bucket, prefix) {
      for (const [key, body] of Object.entries(objects)) {
        if (key.startsWith(prefix)) yield { key, size: Buffer.byteLength(body) };
      }
    },
    getObjectStream: async (_bucket, key) => Readable.from([Buffer.from(objects[key] ?? '')]),
    getObjectText: async () => undefined,
    putObject: async () => undefined,
    putFile: async () => undefined,
    createBucket: async () => undefined,
    deletePrefix: async () => 0,
  };
}

const spec = (overrides: Partial<JobSpec> = {}) =>
  ({
    s3_bucket: 'b',
    source_s3_prefix: 'in/',
    destination_s3_prefix: 'out/',
    uniqueId: 'u',
    ...overrides,
  }) as JobSpec;

let root: string;
let inputDir: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'tds-stage-'));
  inputDir = path.join(root, 'context', 'input');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('staging inputs', () => {
  it('writes each object under the input folder at its path relative to the prefix', async () => {
    const store = storeWith({
      'in/a.txt': 'A',
      'in/deep/er/b.txt': 'B',
      'in/folder/': '',
      'other/c.txt': 'C',
    });
    const staged = await stageInputs(store, spec(), inputDir, new AbortController().signal, 1_000_000);
    expect(staged).toEqual({ files: 2, bytes: 2, excluded: 0 });
    expect(await readFile(path.join(inputDir, 'a.txt'), 'utf8')).toBe('A');
    expect(await readFile(path.join(inputDir, 'deep/er/b.txt'), 'utf8')).toBe('B');
  });

  it.each(['in/../escape.txt', 'in/a/../../escape.txt', 'in/./x', 'in//abs', 'in/a\\..\\b'])(
    'refuses the key %s as input_error and writes nothing outside the input folder',
    async (key) => {
      const store = storeWith({ [key]: 'hostile' });
      const error = await stageInputs(store, spec(), inputDir, new AbortController().signal, 1_000_000).catch(
        (e) => e,
      );
      expect(error).toBeInstanceOf(RunFailure);
      expect(error.reason).toBe('input_error');
      expect(error.message).toContain(key.slice('in/'.length));
      expect((await readdir(root)).sort()).toEqual(['context']);
      expect(await readdir(path.join(root, 'context'))).toEqual(['input']);
    },
  );

  it("leaves out this job's own results when the destination lies under the source", async () => {
    const store = storeWith({
      'data.txt': 'd',
      'out/u/run-1/stdout.log': 'old',
      'out/v/run-1/stdout.log': 'other',
    });
    const staged = await stageInputs(
      store,
      spec({ source_s3_prefix: '' }),
      inputDir,
      new AbortController().signal,
      1_000_000,
    );
    expect(staged.excluded).toBe(1);
    expect((await readdir(inputDir)).sort()).toEqual(['data.txt', 'out']);
    expect(await readdir(path.join(inputDir, 'out'))).toEqual(['v']);
  });

  it('turns a store failure into input_error naming the bucket and prefix', async () => {
    const store = storeWith({});
    store.listObjects = async function* () {
      yield* [];
      throw new Error('Access Denied');
    };
    const error = await stageInputs(store, spec(), inputDir, new AbortController().signal, 1_000_000).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(RunFailure);
    expect(error.reason).toBe('input_error');
    expect(error.message).toBe('could not read the inputs from s3://b/in/: Access Denied');
  });

  it('refuses inputs over the cap as input_error naming their size and the cap, downloading nothing more', async () => {
    const store = storeWith({ 'in/a': 'x'.repeat(400), 'in/b': 'x'.repeat(400), 'in/c': 'x'.repeat(400) });
    const read: string[] = [];
    const getObjectStream = store.getObjectStream.bind(store);
    store.getObjectStream = async (bucket, key) => {
      read.push(key);
      return getObjectStream(bucket, key);
    };
    const error = await stageInputs(store, spec(), inputDir, new AbortController().signal, 1000).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(RunFailure);
    expect(error.reason).toBe('input_error');
    expect(error.message).toBe(
      'the inputs under s3://b/in/ come to 1.2 KiB (1200 bytes) in 3 files, more than the 1000 bytes a run may stage (TDS_MAX_INPUT_BYTES); the command was not run',
    );
    expect(read).toEqual(['in/a', 'in/b']);
  });

  it('stops reading an object that turns out larger than listed once it passes the cap', async () => {
    const store = storeWith({ 'in/a': 'x' });
    store.getObjectStream = async () => Readable.from([Buffer.alloc(600), Buffer.alloc(600)]);
    const error = await stageInputs(store, spec(), inputDir, new AbortController().signal, 1000).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(RunFailure);
    expect(error.reason).toBe('input_error');
    expect(error.message).toContain('more than the 1000 bytes a run may stage (TDS_MAX_INPUT_BYTES)');
  });

  it('stages inputs of exactly the cap', async () => {
    const store = storeWith({ 'in/a': 'x'.repeat(500), 'in/b': 'x'.repeat(500) });
    const staged = await stageInputs(store, spec(), inputDir, new AbortController().signal, 1000);
    expect(staged).toEqual({ files: 2, bytes: 1000, excluded: 0 });
  });
});

describe('stepInputDir', () => {
  const steps = path.resolve('/ctx/steps');

  it('places a step under its name, and a fan-out item under <step>/<index>', () => {
    expect(stepInputDir(steps, 'build')).toBe(path.join(steps, 'build'));
    expect(stepInputDir(steps, 'square/3')).toBe(path.join(steps, 'square', '3'));
    expect(stepInputDir(steps, 'a.b_c-d')).toBe(path.join(steps, 'a.b_c-d'));
  });

  it.each(['', '..', '.', 'a/..', '../a', 'a/b/c', 'a//b', '/a', 'a/', 'has space', 'a\\b', '-x', '...'])(
    'refuses %j',
    (name) => {
      expect(() => stepInputDir(steps, name)).toThrow(RunFailure);
      expect(() => stepInputDir(steps, name)).toThrow(`step input name "${name}" was refused`);
    },
  );
});

describe('stageStepInputs', () => {
  it("stages each earlier step's files under its name, keeping their paths", async () => {
    const store = storeWith({
      'wf/run1/list/output/items.json': '[1,2]',
      'wf/run1/list/output/deep/a.txt': 'a',
      'wf/run1/square/0/output/r.txt': '0',
      'wf/run1/square/1/output/r.txt': '1',
      'wf/run1/square/10/output/r.txt': 'ten',
    });
    const stepsDir = path.join(root, 'steps');
    const staged = await stageStepInputs(
      store,
      spec({
        step_inputs: [
          { name: 'list', bucket: 'b', prefix: 'wf/run1/list/output/' },
          { name: 'square/1', bucket: 'b', prefix: 'wf/run1/square/1/output' },
          { name: 'empty', bucket: 'b', prefix: 'wf/run1/nothing/' },
        ],
      }),
      stepsDir,
      new AbortController().signal,
      1000,
      0,
    );
    expect(staged).toEqual({ files: 3, bytes: 7, excluded: 0 });
    expect(await readFile(path.join(stepsDir, 'list', 'items.json'), 'utf8')).toBe('[1,2]');
    expect(await readFile(path.join(stepsDir, 'list', 'deep', 'a.txt'), 'utf8')).toBe('a');
    // A prefix without its trailing slash is a folder all the same: square/10 is not square/1's.
    expect(await readdir(path.join(stepsDir, 'square', '1'))).toEqual(['r.txt']);
    expect(await readdir(path.join(stepsDir, 'empty'))).toEqual([]);
  });

  it('refuses keys that would leave the step folder', async () => {
    const store = storeWith({ 'p/../../escape': 'x' });
    const error = await stageStepInputs(
      store,
      spec({ step_inputs: [{ name: 'a', bucket: 'b', prefix: 'p/' }] }),
      path.join(root, 'steps'),
      new AbortController().signal,
      1000,
      0,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunFailure);
    expect((error as RunFailure).message).toContain('would land outside /job/steps/a');
  });

  it('counts against the same cap as the inputs, and says so', async () => {
    const store = storeWith({ 's/one': 'x'.repeat(300), 's/two': 'y'.repeat(300) });
    const run = spec({ step_inputs: [{ name: 'a', bucket: 'b', prefix: 's/' }] });
    const signal = new AbortController().signal;
    const fits = await stageStepInputs(store, run, path.join(root, 'fits'), signal, 1000, 400);
    expect(fits.bytes).toBe(600);
    const error = await stageStepInputs(store, run, path.join(root, 'over'), signal, 1000, 401).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RunFailure);
    expect((error as RunFailure).reason).toBe('input_error');
    expect((error as RunFailure).message).toBe(
      "the inputs and the earlier steps' files come to 1001 bytes, more than the 1000 bytes a run may stage (TDS_MAX_INPUT_BYTES); the command was not run",
    );
  });
});
