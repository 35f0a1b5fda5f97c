import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../services/aws/object-store.js';
import { deliverSpool, UNDELIVERED_LISTED, undeliveredMessage } from '../../src/runner/deliver-results.js';
import { createResultSpool, type ResultSpool } from '../../src/runner/result-spool.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function spoolIn(maxBytes: number): Promise<ResultSpool> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tds-spool-unit-'));
  dirs.push(dir);
  return createResultSpool(dir, maxBytes);
}

/** A store that refuses its first `failures` puts, then keeps what it is given, in order. */
function flakyStore(failures: number): ObjectStore & { keys: string[]; texts: Map<string, string> } {
  const keys: string[] = [];
  const texts = new Map<string, string>();
  let left = failures;
  return {
    keys,
    texts,
    async putFile(_bucket: string, key: string, file: string) {
      if (left-- > 0) throw new Error('connect ECONNREFUSED 127.0.0.1:9');
      keys.push(key);
      texts.set(key, await readFile(file, 'utf8'));
    },
  } as unknown as ObjectStore & { keys: string[]; texts: Map<string, string> };
}

async function spoolRun(spool: ResultSpool, runId: string, outputs: string[]) {
  const writer = await spool.open(runId);
  await writer.keep('p/stdout.log', 'hello\n', 6);
  for (const name of outputs) {
    expect(writer.reserve(100)).toBe(true);
    await writer.keep(`p/output/${name}`, 'x'.repeat(100), 100, { reserved: true });
  }
  await writer.keep('p/run.json', '{}\n', 3);
  const manifest = await writer.complete({
    runId,
    bucket: 'b',
    prefix: 'p/',
    outcome: { state: 'succeeded' },
    record: { exitCode: 0, result: null },
  });
  writer.close();
  return manifest;
}

describe('the result spool', () => {
  it('counts the output files of every waiting run against its budget, and frees them on removal', async () => {
    const spool = await spoolIn(1000);
    await spoolRun(spool, 'run-1', ['a', 'b', 'c']);
    expect(await spool.usage()).toBe(309);
    const writer = await spool.open('run-2');
    expect(writer.reserve(600)).toBe(true);
    expect(writer.reserve(100)).toBe(false);
    writer.close();
    await spool.remove('run-1');
    const again = await spool.open('run-3');
    expect(again.reserve(1000)).toBe(true);
    again.close();
  });

  it('finds complete spools again after a restart, and only those', async () => {
    const spool = await spoolIn(10_000);
    await spoolRun(spool, 'run-1', ['a']);
    const unfinished = await spool.open('run-2');
    await unfinished.keep('p/stdout.log', 'partial', 7);
    const restarted = createResultSpool(path.dirname(spool.root), 10_000);
    expect((await restarted.read('run-1'))?.files).toBe(3);
    expect(await restarted.read('run-2')).toBeUndefined();
    expect(await restarted.usage()).toBe(109);
  });

  it('delivers every file, run.json last, trying a failing upload again with back-off', async () => {
    const spool = await spoolIn(10_000);
    const manifest = await spoolRun(spool, 'run-1', ['a', 'b']);
    const store = flakyStore(3);
    const retries: number[] = [];
    const left = await deliverSpool(store, spool, manifest, {
      deadline: Date.now() + 10_000,
      firstDelayMs: 5,
      maxDelayMs: 10,
      onRetry: (_key, _error, delay) => retries.push(delay),
    });
    expect(left).toBeUndefined();
    expect(retries).toEqual([5, 10, 10]);
    expect(store.keys).toEqual(['p/stdout.log', 'p/output/a', 'p/output/b', 'p/run.json']);
    expect(store.texts.get('p/stdout.log')).toBe('hello\n');
  });

  it('past the deadline, names what was not delivered', async () => {
    const spool = await spoolIn(1_000_000);
    const names = Array.from({ length: UNDELIVERED_LISTED + 5 }, (_, i) => `f${i}`);
    const manifest = await spoolRun(spool, 'run-1', names);
    const store = flakyStore(1_000);
    const left = await deliverSpool(store, spool, manifest, { deadline: 0, firstDelayMs: 5, maxDelayMs: 5 });
    expect(left).toMatchObject({ count: names.length + 2, lastError: 'connect ECONNREFUSED 127.0.0.1:9' });
    expect(left!.listed).toHaveLength(UNDELIVERED_LISTED);
    expect(left!.listed[0]).toBe('stdout.log');
    const message = undeliveredMessage(left!, manifest, {
      dir: '/data/spool/run-1',
      workerId: 'w1',
      patienceSeconds: 60,
    });
    expect(message).toContain('27 files could not be delivered to s3://b/p/ within 60 s');
    expect(message).toContain('stdout.log, output/f0, output/f1');
    expect(message).toContain('and 7 more; they are kept on worker w1 at /data/spool/run-1');
  });

  it('gives up at once when the store refuses (the bucket is gone), without waiting out the patience', async () => {
    const spool = await spoolIn(10_000);
    const manifest = await spoolRun(spool, 'run-1', ['a']);
    const store = {
      async putFile() {
        throw Object.assign(new Error('The specified bucket does not exist'), {
          $metadata: { httpStatusCode: 404 },
        });
      },
    } as unknown as ObjectStore;
    const started = Date.now();
    const left = await deliverSpool(store, spool, manifest, {
      deadline: Date.now() + 60_000,
      firstDelayMs: 1000,
      maxDelayMs: 1000,
    });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(left).toMatchObject({ count: 3, lastError: 'The specified bucket does not exist' });
  });

  it('stops when the worker stops, leaving the spool for the next start', async () => {
    const spool = await spoolIn(10_000);
    const manifest = await spoolRun(spool, 'run-1', ['a']);
    const controller = new AbortController();
    const delivery = deliverSpool(flakyStore(1_000), spool, manifest, {
      deadline: Date.now() + 60_000,
      firstDelayMs: 50,
      maxDelayMs: 50,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    await expect(delivery).rejects.toThrow();
    expect(await spool.read('run-1')).toBeDefined();
  });
});
