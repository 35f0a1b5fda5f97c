import { Transform } from 'node:stream';

/** What a secret's value is replaced with in a run's logs. */
export const MASK = '***';

/**
 * Replaces every occurrence of the given values in a stream of bytes with `***`, however the bytes
 * arrive: a value split across two chunks (or a hundred) is masked as a whole. The result does not
 * depend on where chunks begin and end, so the live log and the stored log, split differently,
 * read the same and number their lines the same (log-lines.ts).
 *
 * A position is decided only once every value that could start there is wholly in view: bytes
 * closer than the longest value to the end of what has arrived wait for more (or for the end). At
 * each decided position the earliest occurrence wins, the longest at a tie, so one value inside
 * another never leaves the outer one's ends in the clear. Cost: each value's next occurrence is
 * searched for again only once it has been passed, so the work grows with the bytes and the number
 * of values, not with the number of matches times the values; at most the longest value's length
 * is held back.
 */
export class SecretMasker {
  /**
   * The values' UTF-8 bytes, as latin1 text: one character a byte, so that the bytes of a log can be
   * searched as text (V8's string search is several times faster than Buffer's per call, which
   * counts when a log is full of matches).
   */
  private readonly values: string[];
  private readonly longest: number;
  private pending = '';

  constructor(values: readonly string[]) {
    // Longest first, so a tie at one position is won by the longer value; empty values mask nothing.
    this.values = [...new Set(values)]
      .filter((value) => value.length > 0)
      .map((value) => Buffer.from(value, 'utf8').toString('latin1'))
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
    return Buffer.from(this.scan(this.pending + chunk.toString('latin1'), false), 'latin1');
  }

  /** The bytes held back, masked: the stream has ended. */
  end(): Buffer {
    if (!this.active) return Buffer.alloc(0);
    return Buffer.from(this.scan(this.pending, true), 'latin1');
  }

  private scan(text: string, final: boolean): string {
    const out: string[] = [];
    // Positions below `decided` have every value that could start there wholly in view.
    const decided = final ? text.length : text.length - this.longest + 1;
    // Where each value occurs next (-1: nowhere further): searched again only once passed, so that
    // a log full of one value does not make every other value be searched for at each match.
    const next = this.values.map((value) => text.indexOf(value));
    let from = 0;
    while (from < decided) {
      let at = -1;
      let length = 0;
      for (let i = 0; i < this.values.length; i++) {
        if (next[i]! !== -1 && next[i]! < from) next[i] = text.indexOf(this.values[i]!, from);
        const found = next[i]!;
        if (found !== -1 && (at === -1 || found < at)) {
          at = found;
          length = this.values[i]!.length;
        }
      }
      if (at === -1 || at >= decided) break;
      out.push(text.slice(from, at), MASK);
      from = at + length;
    }
    const keep = Math.max(from, decided);
    out.push(text.slice(from, keep));
    this.pending = text.slice(keep);
    return out.join('');
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
