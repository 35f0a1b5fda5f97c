import { Transform } from 'node:stream';

/** What a secret's value is replaced with in a run's logs. */
export const MASK = '***';
const MASK_BYTES = Buffer.from(MASK);

/**
 * Replaces every occurrence of the given values in a stream of bytes with `***`, however the bytes
 * arrive: a value split across two chunks (or a hundred) is masked as a whole. The result does not
 * depend on where chunks begin and end, so the live log and the stored log, split differently,
 * read the same and number their lines the same (log-lines.ts).
 *
 * A position is decided only once every value that could start there is wholly in view: bytes
 * closer than the longest value to the end of what has arrived wait for more (or for the end). At
 * each decided position the earliest occurrence wins, the longest at a tie, so one value inside
 * another never leaves the outer one's ends in the clear. Cost: one `indexOf` per value per
 * match, and at most the longest value's length held back.
 */
export class SecretMasker {
  private readonly values: Buffer[];
  private readonly longest: number;
  private pending = Buffer.alloc(0);

  constructor(values: readonly string[]) {
    // Longest first, so a tie at one position is won by the longer value; empty values mask nothing.
    this.values = [...new Set(values)]
      .filter((value) => value.length > 0)
      .map((value) => Buffer.from(value, 'utf8'))
      .sort((a, b) => b.length - a.length);
    this.longest = this.values[0]?.length ?? 0;
  }

  /** Whether there is anything to mask. */
  get active(): boolean {
    return this.longest > 0;
  }

  /** The masked bytes that can be given out now; the rest waits for the next chunk or the end. */
  push(chunk: Buffer): Buffer {
    if (!this.active) return chunk;
    return this.scan(this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]), false);
  }

  /** The bytes held back, masked: the stream has ended. */
  end(): Buffer {
    if (!this.active) return Buffer.alloc(0);
    return this.scan(this.pending, true);
  }

  private scan(buffer: Buffer, final: boolean): Buffer {
    const out: Buffer[] = [];
    // Positions below `decided` have every value that could start there wholly in view.
    const decided = final ? buffer.length : buffer.length - this.longest + 1;
    let from = 0;
    while (from < decided) {
      let at = -1;
      let length = 0;
      for (const value of this.values) {
        const found = buffer.indexOf(value, from);
        if (found !== -1 && (at === -1 || found < at)) {
          at = found;
          length = value.length;
        }
      }
      if (at === -1 || at >= decided) break;
      out.push(buffer.subarray(from, at), MASK_BYTES);
      from = at + length;
    }
    const keep = Math.max(from, decided);
    out.push(buffer.subarray(from, keep));
    this.pending = Buffer.from(buffer.subarray(keep));
    return Buffer.concat(out);
  }

  /** The masked form of a whole text. */
  static maskText(values: readonly string[], text: string): string {
    const masker = new SecretMasker(values);
    if (!masker.active) return text;
    return Buffer.concat([masker.push(Buffer.from(text, 'utf8')), masker.end()]).toString('utf8');
  }
}

/** A stream that masks `values` in the bytes going through it. */
export function maskingStream(values: readonly string[]): Transform {
  const masker = new SecretMasker(values);
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const out = masker.push(chunk);
      done(null, out.length > 0 ? out : undefined);
    },
    flush(done) {
      const out = masker.end();
      done(null, out.length > 0 ? out : undefined);
    },
  });
}
