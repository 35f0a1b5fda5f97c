import { headers } from './api.ts';

/** One line of a run's log: its stream, its text and its number in that stream. */
export interface LogLine {
  stream: string;
  text: string;
  number: number | undefined;
}

/** Reads Server-Sent Events from a fetch response, calling `onEvent({ id, event, data })` for each. */
interface ServerEvent {
  id?: string;
  event?: string;
  data: string;
}

async function readEvents(
  response: Response,
  onEvent: (event: ServerEvent) => boolean | void,
): Promise<void> {
  if (!response.body) return;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event: { id?: string; event?: string; data: string[] } = { data: [] };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let newline;
    while ((newline = buffer.search(/\r\n|\r|\n/)) !== -1) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (
          event.data.length &&
          onEvent({ id: event.id, event: event.event, data: event.data.join('\n') }) === false
        ) {
          await reader.cancel();
          return;
        }
        event = { data: [] };
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const name = colon === -1 ? line : line.slice(0, colon);
        const text = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (name === 'data') event.data.push(text);
        else if (name === 'id') event.id = text;
        else if (name === 'event') event.event = text;
      }
    }
  }
}

/**
 * A line's number in its stream (from 1), from the id the log stream gave it: `o<N>e<M>` is the
 * cursor just after it, N lines of stdout and M of stderr (docs/api.md).
 */
export function lineNumberOf(stream: string, id: string | undefined): number | undefined {
  const match = /^o(\d+)e(\d+)$/.exec(id ?? '');
  if (!match) return undefined;
  return Number(stream === 'stdout' ? match[1] : match[2]);
}

/** The cursor after which the log stream starts at line `line` of `stream` (stderr comes after all of stdout). */
export function cursorBefore(stream: string, line: number): string {
  const before = Math.max(0, line - 1);
  return stream === 'stdout' ? `o${before}e0` : `o999999999999999e${before}`;
}

/**
 * Follows GET /runs/:id/log-stream (Server-Sent Events) with fetch, so the API key goes in a header
 * (EventSource cannot send one). After a dropped connection it reconnects with the id of the last
 * line it had, so no line is lost or shown twice. Returns a function that stops it.
 */
export function followLog(
  runId: string,
  {
    onLine,
    onEnd,
    onStatus,
  }: {
    onLine: (stream: string, text: string, id: string | undefined) => void;
    onEnd?: (end: unknown) => void;
    onStatus?: (status: string) => void;
  },
): () => void {
  let lastId = '';
  let stopped = false;
  let controller: AbortController | undefined;

  async function connect() {
    while (!stopped) {
      controller = new AbortController();
      try {
        const response = await fetch(`/runs/${runId}/log-stream`, {
          headers: headers(lastId ? { 'last-event-id': lastId } : {}),
          signal: controller.signal,
        });
        if (!response.ok) {
          onStatus?.(`log stream unavailable (${response.status})`);
          return;
        }
        onStatus?.('live');
        await readEvents(response, (event) => {
          if (event.id !== undefined) lastId = event.id;
          if (event.event === 'end') {
            stopped = true;
            onEnd?.(JSON.parse(event.data));
          } else if (event.event === 'stdout' || event.event === 'stderr') {
            onLine(event.event, event.data, event.id);
          }
        });
      } catch {
        if (stopped) return;
      }
      if (stopped) return;
      onStatus?.('reconnecting…');
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  connect();
  return () => {
    stopped = true;
    controller?.abort();
  };
}

/**
 * `count` lines of the run's log from line `line` of `stream` on (GET /runs/:id/log-stream with
 * `?after=`), each `{ stream, text, number }`: a window of a log longer than the page keeps.
 */
export async function readLogWindow(
  runId: string,
  stream: string,
  line: number,
  count: number,
): Promise<LogLine[]> {
  const response = await fetch(`/runs/${runId}/log-stream?after=${cursorBefore(stream, line)}`, {
    headers: headers(),
  });
  if (!response.ok) throw new Error(`the log could not be read (${response.status})`);
  const lines: LogLine[] = [];
  await readEvents(response, (event) => {
    if (event.event !== 'stdout' && event.event !== 'stderr') return event.event !== 'end';
    lines.push({ stream: event.event, text: event.data, number: lineNumberOf(event.event, event.id) });
    return lines.length < count;
  });
  return lines;
}
