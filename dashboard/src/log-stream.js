import { headers } from './api.js';

/** Reads Server-Sent Events from a fetch response, calling `onEvent({ id, event, data })` for each. */
async function readEvents(response, onEvent) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = { data: [] };
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
export function lineNumberOf(stream, id) {
  const match = /^o(\d+)e(\d+)$/.exec(id ?? '');
  if (!match) return undefined;
  return Number(stream === 'stdout' ? match[1] : match[2]);
}

/** The cursor after which the log stream starts at line `line` of `stream` (stderr comes after all of stdout). */
export function cursorBefore(stream, line) {
  const before = Math.max(0, line - 1);
  return stream === 'stdout' ? `o${before}e0` : `o999999999999999e${before}`;
}

/**
 * Follows GET /runs/:id/log-stream (Server-Sent Events) with fetch, so the API key goes in a header
 * (EventSource cannot send one). After a dropped connection it reconnects with the id of the last
 * line it had, so no line is lost or shown twice. Returns a function that stops it.
 */
export function followLog(runId, { onLine, onEnd, onStatus }) {
  let lastId = '';
  let stopped = false;
  let controller;

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
export async function readLogWindow(runId, stream, line, count) {
  const response = await fetch(`/runs/${runId}/log-stream?after=${cursorBefore(stream, line)}`, {
    headers: headers(),
  });
  if (!response.ok) throw new Error(`the log could not be read (${response.status})`);
  const lines = [];
  await readEvents(response, (event) => {
    if (event.event !== 'stdout' && event.event !== 'stderr') return event.event !== 'end';
    lines.push({ stream: event.event, text: event.data, number: lineNumberOf(event.event, event.id) });
    return lines.length < count;
  });
  return lines;
}
