import { open } from 'node:fs/promises';
import { describeBytes } from '../sizes.js';

/** What a run's stdout gives as its result. */
export type ResultReading =
  | { kind: 'result'; result: string }
  /** Stdout holds no line with anything but whitespace on it. */
  | { kind: 'none' }
  | { kind: 'too_large'; bytes: number };

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const NOT_WHITESPACE = /[^ \t\r\v\f]/;
const CHUNK_BYTES = 64 * 1024;

/**
 * The last non-empty line of the file at `file`, read from its end a chunk at a time: only the
 * last line's bytes (at most `maxBytes` of them) are held, however long the file or the line.
 * A line holding nothing but whitespace does not count, nor does the newline ending the file; a
 * trailing carriage return is left out (CRLF output). Other trailing spaces are part of the
 * result, which is the text exactly as printed: bytes that are not UTF-8, and NUL (which the
 * database cannot hold), read as U+FFFD. A line longer than `maxBytes` is `too_large`, with its
 * length.
 */
export async function readLastLine(file: string, maxBytes: number): Promise<ResultReading> {
  const handle = await open(file, 'r');
  try {
    let position = (await handle.stat()).size;
    // The line being read: its bytes from the end (kept while they fit), length, and whether it
    // has anything but whitespace.
    let kept: Buffer[] = [];
    let length = 0;
    let blank = true;
    let endsWithReturn = false;
    const chunk = Buffer.alloc(CHUNK_BYTES);
    const settle = (): ResultReading | undefined => {
      if (blank) return undefined;
      const size = endsWithReturn ? length - 1 : length;
      if (size > maxBytes) return { kind: 'too_large', bytes: size };
      const bytes = Buffer.concat(kept).subarray(0, size);
      return { kind: 'result', result: bytes.toString('utf8').replaceAll('\u0000', '\ufffd') };
    };
    const add = (piece: Buffer) => {
      if (length === 0 && piece.length > 0) endsWithReturn = piece[piece.length - 1] === CARRIAGE_RETURN;
      length += piece.length;
      if (blank && NOT_WHITESPACE.test(piece.toString('latin1'))) blank = false;
      // One byte more than the limit for a carriage return that is left out.
      if (length <= maxBytes + 1) kept.unshift(Buffer.from(piece));
      else kept = [];
    };
    while (position > 0) {
      const size = Math.min(CHUNK_BYTES, position);
      position -= size;
      await handle.read(chunk, 0, size, position);
      let end = size;
      let newline: number;
      while (end > 0 && (newline = chunk.lastIndexOf(NEWLINE, end - 1)) >= 0) {
        add(chunk.subarray(newline + 1, end));
        const found = settle();
        if (found) return found;
        kept = [];
        length = 0;
        blank = true;
        endsWithReturn = false;
        end = newline;
      }
      if (end > 0) add(chunk.subarray(0, end));
    }
    return settle() ?? { kind: 'none' };
  } finally {
    await handle.close();
  }
}

/** The failure message of a result over the limit. */
export function resultTooLargeMessage(bytes: number, maxBytes: number): string {
  return `the result (the last non-empty line of stdout) is ${describeBytes(bytes)}, more than the ${describeBytes(maxBytes)} a run may keep; print a shorter last line, or pass large data as a file in /job/output`;
}
