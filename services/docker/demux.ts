import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';

const HEADER = 8;

async function write(sink: Writable, chunk: Buffer): Promise<void> {
  if (!sink.write(chunk)) await once(sink, 'drain');
}

/**
 * Splits Docker's multiplexed log stream (8-byte frame headers: stream type, 3 zero bytes,
 * big-endian length) into stdout and stderr, waiting for each sink to drain so that a large log
 * never piles up in memory. Ends both sinks when the source ends.
 */
export async function demultiplex(source: Readable, stdout: Writable, stderr: Writable): Promise<void> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of source) {
    pending = pending.length === 0 ? (chunk as Buffer) : Buffer.concat([pending, chunk as Buffer]);
    while (pending.length >= HEADER) {
      const length = pending.readUInt32BE(4);
      if (pending.length < HEADER + length) break;
      const payload = pending.subarray(HEADER, HEADER + length);
      await write(pending[0] === 2 ? stderr : stdout, payload);
      pending = pending.subarray(HEADER + length);
    }
  }
  stdout.end();
  stderr.end();
}

/** The same split over a complete buffer. */
export function demultiplexBuffer(buffer: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let offset = 0;
  while (offset + HEADER <= buffer.length) {
    const length = buffer.readUInt32BE(offset + 4);
    const payload = buffer.subarray(offset + HEADER, offset + HEADER + length);
    (buffer[offset] === 2 ? err : out).push(payload);
    offset += HEADER + length;
  }
  return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/**
 * Keeps the last `maxBytes` bytes pushed into it, so that reading a log of any size holds no more
 * than that (and one frame); its text starts at a whole UTF-8 character.
 */
export function lastBytes(maxBytes: number) {
  let chunks: Buffer[] = [];
  let first = 0;
  let size = 0;
  return {
    push(chunk: Buffer): void {
      chunks.push(chunk);
      size += chunk.length;
      while (chunks.length - first > 1 && size - chunks[first]!.length >= maxBytes) {
        size -= chunks[first]!.length;
        first += 1;
      }
      // Dropped chunks are let go now and then, not one at a time (Array.shift is linear).
      if (first > 1024 && first * 2 > chunks.length) {
        chunks = chunks.slice(first);
        first = 0;
      }
    },
    text(): string {
      let kept = Buffer.concat(chunks.slice(first));
      if (kept.length > maxBytes) kept = kept.subarray(kept.length - maxBytes);
      let start = 0;
      while (start < kept.length && (kept[start]! & 0xc0) === 0x80) start += 1;
      return kept.subarray(start).toString('utf8');
    },
  };
}

/** One frame of Docker's multiplexed log stream: which stream, and the bytes written to it. */
export interface LogFrame {
  stream: 'stdout' | 'stderr';
  payload: Buffer;
}

/** The frames of Docker's multiplexed log stream, in the order they were written. */
export async function* demultiplexFrames(source: AsyncIterable<unknown>): AsyncGenerator<LogFrame> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of source) {
    pending = pending.length === 0 ? (chunk as Buffer) : Buffer.concat([pending, chunk as Buffer]);
    while (pending.length >= HEADER) {
      const length = pending.readUInt32BE(4);
      if (pending.length < HEADER + length) break;
      const payload = Buffer.from(pending.subarray(HEADER, HEADER + length));
      yield { stream: pending[0] === 2 ? 'stderr' : 'stdout', payload };
      pending = pending.subarray(HEADER + length);
    }
  }
}
