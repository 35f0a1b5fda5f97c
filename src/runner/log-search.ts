import type { LogCursor, LogStreamName } from './log-lines.js';

/** One line of a run's log that holds the text looked for. */
export interface LogMatch {
  stream: LogStreamName;
  /** The line's number in its stream, from 1: the `stream`'s count in the log-stream cursor after it. */
  line: number;
  /** Where the first match starts in the line, from 1 (in characters). */
  column: number;
  /** The line, or MATCH_TEXT_CHARS of it around the first match when it is longer (`cut`). */
  text: string;
  cut: boolean;
}

export interface LogSearchResult {
  matches: LogMatch[];
  /** More lines matched than `maxMatches`: the search stopped at the first one past the limit. */
  truncated: boolean;
}

export interface LogSearchOptions {
  text: string;
  ignoreCase: boolean;
  maxMatches: number;
}

/**
 * A matching line is answered whole up to this many characters; a longer one (a line can be 64 KiB)
 * as this many around its first match, so that an answer stays small whatever the log holds.
 */
export const MATCH_TEXT_CHARS = 1000;
/** How much of the shown part of a long line comes before its first match. */
const LEAD_CHARS = 200;

/**
 * The lines of a log that contain `text`, as a plain substring (never a pattern a tenant could
 * make slow: V8's `indexOf` stays linear in the line for a bounded text), in the order read, at
 * most `maxMatches` of them; the lines are read one at a time and reading stops at the first match
 * past the limit, so a search holds one line in memory however long the log.
 */
export async function searchLogLines(
  lines: AsyncIterable<
    { kind: 'line'; stream: LogStreamName; line: string; cursor: LogCursor } | { kind: 'end' }
  >,
  options: LogSearchOptions,
): Promise<LogSearchResult> {
  const wanted = options.ignoreCase ? options.text.toLowerCase() : options.text;
  const matches: LogMatch[] = [];
  for await (const event of lines) {
    if (event.kind !== 'line') continue;
    const at = (options.ignoreCase ? event.line.toLowerCase() : event.line).indexOf(wanted);
    if (at === -1) continue;
    if (matches.length === options.maxMatches) return { matches, truncated: true };
    matches.push({
      stream: event.stream,
      line: event.cursor[event.stream],
      column: at + 1,
      ...shown(event.line, at),
    });
  }
  return { matches, truncated: false };
}

function shown(line: string, at: number): { text: string; cut: boolean } {
  if (line.length <= MATCH_TEXT_CHARS) return { text: line, cut: false };
  const start = Math.max(0, Math.min(at - LEAD_CHARS, line.length - MATCH_TEXT_CHARS));
  return { text: line.slice(start, start + MATCH_TEXT_CHARS), cut: true };
}
