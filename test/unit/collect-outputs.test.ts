import type { Readable } from 'node:stream';
import { Writable } from 'node:stream';
import { pack, type Header } from 'tar-stream';

/** The header fields a test sets; tar-stream fills in the rest. */
type Entry = { header: Partial<Header> & Pick<Header, 'name'>; body?: string };
import { describe, expect, it } from 'vitest';
import type { ContainerEngine } from '../../services/docker/container-engine.js';
import { MAX_SKIPPED_LISTED, collectOutputs, type OutputSink } from '../../src/runner/collect-results.js';
import { cappedLog } from '../../src/runner/capped-log.js';

const PREFIX = 'out/job/run-1/';

/** An engine whose only archive is the given tar entries (as a hostile container could shape them). */
function engineWith(entries: Entry[]): ContainerEngine {
  return {
    async getArchive(_id: string, path: string) {
      expect(path).toBe('/job/output');
      const archive = pack();
      for (const { header, body } of entries) archive.entry(header as Header, body ?? '');
      archive.finalize();
      return archive as unknown as Readable;
    },
  } as unknown as ContainerEngine;
}

/** A spool that keeps what is put into it, in memory, with room for `maxBytes`. */
function memorySink(maxBytes = Number.MAX_SAFE_INTEGER): OutputSink & { objects: Map<string, string> } {
  const objects = new Map<string, string>();
  let free = maxBytes;
  return {
    objects,
    maxBytes,
    reserve(bytes) {
      if (bytes > free) return false;
      free -= bytes;
      return true;
    },
    async keep(key, body) {
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(Buffer.from(chunk as Buffer));
      objects.set(key, Buffer.concat(chunks).toString());
    },
  };
}

const file = (name: string, body: string) => ({ header: { name, type: 'file' as const }, body });

describe('collecting outputs from a hostile container', () => {
  it('uploads regular files only, and never follows links, devices or names leaving the folder', async () => {
    const longName = `output/${'d'.repeat(200)}/${'e'.repeat(200)}/${'f'.repeat(200)}/${'g'.repeat(200)}/${'h'.repeat(200)}.txt`;
    const engine = engineWith([
      { header: { name: 'output', type: 'directory' } },
      file('output/ok.txt', 'fine'),
      file('output/..dots..', 'odd but inside'),
      { header: { name: 'output/passwd', type: 'symlink', linkname: '/etc/passwd' } },
      { header: { name: 'output/up', type: 'symlink', linkname: '../../..' } },
      { header: { name: 'output/hard', type: 'link', linkname: 'output/ok.txt' } },
      { header: { name: 'output/hard-etc', type: 'link', linkname: '/etc/shadow' } },
      { header: { name: 'output/null', type: 'character-device', devmajor: 1, devminor: 3 } },
      { header: { name: 'output/disk', type: 'block-device', devmajor: 8, devminor: 0 } },
      { header: { name: 'output/pipe', type: 'fifo' } },
      file('output/../../escape.txt', 'x'),
      file('output/a/../../escape.txt', 'x'),
      file('/etc/cron.d/evil', 'x'),
      file('elsewhere/file', 'x'),
      file('output/a\\..\\..\\b', 'x'),
      file(longName, 'x'),
    ]);
    const store = memorySink();
    const report = await collectOutputs(engine, 'c1', PREFIX, 1_000_000, store);

    expect([...store.objects.keys()].sort()).toEqual([`${PREFIX}output/..dots..`, `${PREFIX}output/ok.txt`]);
    expect(store.objects.get(`${PREFIX}output/ok.txt`)).toBe('fine');
    expect(report.files).toBe(2);
    expect(report.bytes).toBe('fine'.length + 'odd but inside'.length);
    expect(report.overCap).toBeNull();
    const reasons = Object.fromEntries(report.skipped.map((s) => [s.path, s.reason]));
    expect(reasons).toMatchObject({
      passwd: 'symlink (pointing at /etc/passwd) is not a regular file',
      up: 'symlink (pointing at ../../..) is not a regular file',
      hard: 'link (pointing at output/ok.txt) is not a regular file',
      'hard-etc': 'link (pointing at /etc/shadow) is not a regular file',
      null: 'character-device is not a regular file',
      disk: 'block-device is not a regular file',
      pipe: 'fifo is not a regular file',
      '../../escape.txt': 'the name would leave the output folder',
      'a/../../escape.txt': 'the name would leave the output folder',
      '/etc/cron.d/evil': 'the name would leave the output folder',
      'elsewhere/file': 'the name would leave the output folder',
      'a\\..\\..\\b': 'the name would leave the output folder',
    });
    expect(reasons[longName.slice('output/'.length)]).toMatch(/^the name is too long for S3: \d+ bytes/);
    expect(report.skipped).toHaveLength(13);
  });

  it('uploads the files that fit under the output cap and reports the ones that do not', async () => {
    const engine = engineWith([
      file('output/a', 'x'.repeat(400)),
      file('output/b', 'x'.repeat(400)),
      file('output/c', 'x'.repeat(400)),
      file('output/d', 'x'.repeat(100)),
    ]);
    const store = memorySink();
    const report = await collectOutputs(engine, 'c1', PREFIX, 1000, store);
    expect([...store.objects.keys()].sort()).toEqual(['a', 'b', 'd'].map((n) => `${PREFIX}output/${n}`));
    expect(report).toMatchObject({ files: 3, bytes: 900, overCap: { files: 1, bytes: 400, maxBytes: 1000 } });
    expect(report.skipped).toEqual([
      { path: 'c', reason: '400 bytes would take the outputs past 1000 bytes (TDS_MAX_OUTPUT_BYTES)' },
    ]);
  });

  it("keeps the files that fit in the worker's spool and reports the ones that do not", async () => {
    const engine = engineWith([
      file('output/a', 'x'.repeat(400)),
      file('output/b', 'x'.repeat(400)),
      file('output/c', 'x'.repeat(100)),
    ]);
    const spool = memorySink(600);
    const report = await collectOutputs(engine, 'c1', PREFIX, 10_000, spool);
    expect([...spool.objects.keys()].sort()).toEqual(['a', 'c'].map((n) => `${PREFIX}output/${n}`));
    expect(report).toMatchObject({
      files: 2,
      bytes: 500,
      overCap: null,
      overSpool: { files: 1, bytes: 400, maxBytes: 600 },
    });
    expect(report.skipped).toEqual([
      { path: 'b', reason: "400 bytes would take the worker's spool past 600 bytes (TDS_SPOOL_MAX_BYTES)" },
    ]);
  });

  it('lists at most MAX_SKIPPED_LISTED skipped entries, and counts the rest', async () => {
    const links = Array.from({ length: MAX_SKIPPED_LISTED + 5 }, (_, i) => ({
      header: { name: `output/l${i}`, type: 'symlink' as const, linkname: '/' },
    }));
    const report = await collectOutputs(engineWith(links), 'c1', PREFIX, 1000, memorySink());
    expect(report.skipped).toHaveLength(MAX_SKIPPED_LISTED);
    expect(report.skippedNotListed).toBe(5);
  });
});

/** A writable collecting what is written to it. */
function collector(): Writable & { text: () => string } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  return Object.assign(sink, { text: () => Buffer.concat(chunks).toString() });
}

async function writeAll(sink: Writable, parts: string[]): Promise<void> {
  for (const part of parts) sink.write(part);
  await new Promise<void>((resolve) => sink.end(resolve));
}

describe('a capped log', () => {
  it('keeps a log under the cap as it is, with no marker', async () => {
    const target = collector();
    const { sink, report } = cappedLog(target, 'stdout.log', 10);
    await writeAll(sink, ['12345', '6789\n']);
    expect(target.text()).toBe('123456789\n');
    expect(report).toEqual({ bytes: 10, truncated: false });
  });

  it('keeps the first bytes of a log over the cap and ends it with a line saying so', async () => {
    const target = collector();
    const { sink, report } = cappedLog(target, 'stderr.log', 8);
    await writeAll(sink, ['12345', '67890', 'abcdef']);
    expect(report).toEqual({ bytes: 16, truncated: true });
    expect(target.text()).toBe(
      '12345678\n[task-deploy-service] stderr.log truncated: the command wrote 16 bytes; only the first 8 bytes are kept (TDS_MAX_LOG_BYTES)\n',
    );
  });
});
