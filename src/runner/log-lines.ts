/**
 * How a line of a run's log is identified, the same way in the container's live log and in the
 * stored stdout.log / stderr.log: by its stream and its index in that stream, lines being split at
 * each `\n` (and a line longer than MAX_LINE_BYTES cut into pieces of that size, so that neither
 * side holds an endless line in memory). Both sides split the same bytes with the same rule, so an
 * index means the same line whichever side a reader resumes on.
 */

export type LogStreamName = 'stdout' | 'stderr';

export const MAX_LINE_BYTES = 64 * 1024;

/** How many lines of each stream a reader has been given: everything after them is still to come. */
export interface LogCursor {
  stdout: number;
  stderr: number;
}

export const START_OF_LOG: LogCursor = { stdout: 0, stderr: 0 };

/** `o<stdout lines>e<stderr lines>`: opaque to clients, which hand it back as Last-Event-ID. */
export function encodeLogCursor(cursor: LogCursor): string {
  return `o${cursor.stdout}e${cursor.stderr}`;
}

/** The cursor, or undefined when the text is not one this service made. */
export function decodeLogCursor(text: string): LogCursor | undefined {
  const match = /^o(\d{1,15})e(\d{1,15})$/.exec(text);
  if (!match) return undefined;
  return { stdout: Number(match[1]), stderr: Number(match[2]) };
}

/** Splits one stream's bytes into lines as they arrive; the bytes after the last `\n` wait for more. */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  /** The complete lines in what has arrived so far (without their `\n`). */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      let piece = chunk.subarray(start, newline === -1 ? chunk.length : newline);
      // A line longer than MAX_LINE_BYTES is cut where its next byte would pass the limit, however
      // its bytes arrived: the stored side cuts it at the same place.
      while (this.pendingBytes + piece.length > MAX_LINE_BYTES) {
        const room = MAX_LINE_BYTES - this.pendingBytes;
        this.append(piece.subarray(0, room));
        lines.push(this.take());
        piece = piece.subarray(room);
      }
      this.append(piece);
      if (newline === -1) break;
      lines.push(this.take());
      start = newline + 1;
    }
    return lines;
  }

  /** The last line, when the stream ended without a `\n` after it. */
  end(): string[] {
    return this.pendingBytes > 0 ? [this.take()] : [];
  }

  private append(piece: Buffer): void {
    if (piece.length === 0) return;
    this.pending.push(Buffer.from(piece));
    this.pendingBytes += piece.length;
  }

  private take(): string {
    const line = Buffer.concat(this.pending).toString('utf8');
    this.pending = [];
    this.pendingBytes = 0;
    return line;
  }
}
