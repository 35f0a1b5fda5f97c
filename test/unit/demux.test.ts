import { PassThrough, Readable } from 'node:stream';
import { describe, it, expect } from 'vitest';
import { demultiplex, demultiplexBuffer, lastBytes } from '../../services/docker/demux.js';

const STDOUT = 1;
const STDERR = 2;

/** One frame of Docker's multiplexed stream: type byte, three zero bytes, big-endian length, payload. */
function frame(stream: number, payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/** Collects what a sink receives and resolves when it ends. */
function collect(sink: PassThrough): Promise<string> {
  const chunks: Buffer[] = [];
  sink.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve, reject) => {
    sink.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    sink.on('error', reject);
  });
}

/** Cuts a buffer at the given offsets. */
function split(buffer: Buffer, offsets: number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let start = 0;
  for (const offset of offsets) {
    pieces.push(buffer.subarray(start, offset));
    start = offset;
  }
  pieces.push(buffer.subarray(start));
  return pieces;
}

async function run(
  chunks: Buffer[],
): Promise<{ stdout: string; stderr: string; out: PassThrough; err: PassThrough }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const outText = collect(out);
  const errText = collect(err);
  await demultiplex(Readable.from(chunks), out, err);
  return { stdout: await outText, stderr: await errText, out, err };
}

describe('demultiplexBuffer', () => {
  it('splits interleaved frames into stdout and stderr, in order', () => {
    const buffer = Buffer.concat([
      frame(STDOUT, 'hello '),
      frame(STDERR, 'warning\n'),
      frame(STDOUT, 'world\n'),
      frame(STDERR, 'oops\n'),
    ]);
    expect(demultiplexBuffer(buffer)).toEqual({ stdout: 'hello world\n', stderr: 'warning\noops\n' });
  });

  it('gives empty text for an empty buffer', () => {
    expect(demultiplexBuffer(Buffer.alloc(0))).toEqual({ stdout: '', stderr: '' });
  });

  it('handles empty frames and multi-byte UTF-8', () => {
    const buffer = Buffer.concat([frame(STDOUT, ''), frame(STDOUT, 'naïve ✓'), frame(STDERR, '')]);
    expect(demultiplexBuffer(buffer)).toEqual({ stdout: 'naïve ✓', stderr: '' });
  });

  it('reads the payload length as big-endian across all four bytes', () => {
    const big = 'x'.repeat(70_000); // needs the third length byte (0x01 11 70)
    const { stdout, stderr } = demultiplexBuffer(Buffer.concat([frame(STDOUT, big), frame(STDERR, 'end')]));
    expect(stdout).toHaveLength(70_000);
    expect(stderr).toBe('end');
  });
});

describe('demultiplex', () => {
  const stream = Buffer.concat([
    frame(STDOUT, 'line one\n'),
    frame(STDERR, 'error one\n'),
    frame(STDOUT, 'line two\n'),
    frame(STDERR, 'error two\n'),
  ]);

  it('splits a stream delivered in one chunk and ends both sinks', async () => {
    const { stdout, stderr, out, err } = await run([stream]);
    expect(stdout).toBe('line one\nline two\n');
    expect(stderr).toBe('error one\nerror two\n');
    expect(out.writableEnded).toBe(true);
    expect(err.writableEnded).toBe(true);
  });

  it('reassembles frames split mid-header and mid-payload', async () => {
    // 3: inside the first header; 12: inside the first payload; 17 + 4: inside the second header;
    // 17 + 8 + 5: inside the second payload; then the rest in one piece.
    const { stdout, stderr } = await run(split(stream, [3, 12, 21, 30]));
    expect(stdout).toBe('line one\nline two\n');
    expect(stderr).toBe('error one\nerror two\n');
  });

  it('reassembles a stream delivered one byte at a time', async () => {
    const bytes = Array.from({ length: stream.length - 1 }, (_, i) => i + 1);
    const { stdout, stderr } = await run(split(stream, bytes));
    expect(stdout).toBe('line one\nline two\n');
    expect(stderr).toBe('error one\nerror two\n');
  });

  it('carries frames larger than the sinks’ buffers, waiting for them to drain', async () => {
    const big = 'y'.repeat(200_000);
    const data = Buffer.concat([frame(STDERR, big), frame(STDOUT, 'done')]);
    const { stdout, stderr } = await run(split(data, [5, 50_000, 150_000]));
    expect(stderr).toBe(big);
    expect(stdout).toBe('done');
  });

  it('ends both sinks when the source is empty', async () => {
    const { stdout, stderr, out, err } = await run([]);
    expect(stdout).toBe('');
    expect(stderr).toBe('');
    expect(out.writableEnded).toBe(true);
    expect(err.writableEnded).toBe(true);
  });
});

describe('lastBytes', () => {
  it('keeps the last bytes pushed, starting at a whole character', () => {
    const kept = lastBytes(5);
    for (const piece of ['ab', 'cd', 'é', 'fg']) kept.push(Buffer.from(piece));
    // The last five bytes: "d", "é" (two bytes) and "fg".
    expect(kept.text()).toBe('défg');
    const cut = lastBytes(4);
    for (const piece of ['ab', 'é', 'fg']) cut.push(Buffer.from(piece));
    expect(cut.text()).toBe('éfg');
    const inside = lastBytes(3);
    inside.push(Buffer.from('aéfg'));
    expect(inside.text()).toBe('fg');
  });

  it('holds no more than its bound, however many pieces are pushed', () => {
    const kept = lastBytes(10);
    for (let i = 0; i < 200_000; i += 1) kept.push(Buffer.from([0x61 + (i % 26)]));
    expect(kept.text()).toBe(
      Array.from({ length: 10 }, (_, j) => String.fromCharCode(0x61 + ((199_990 + j) % 26))).join(''),
    );
  });
});
