import { headers } from './api.js';

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
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        let event = { data: [] };
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let newline;
          while ((newline = buffer.search(/\r\n|\r|\n/)) !== -1) {
            const line = buffer.slice(0, newline);
            buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
            if (line === '') {
              if (event.data.length) {
                if (event.id !== undefined) lastId = event.id;
                const data = event.data.join('\n');
                if (event.event === 'end') {
                  stopped = true;
                  onEnd?.(JSON.parse(data));
                } else if (event.event === 'stdout' || event.event === 'stderr') {
                  onLine(event.event, data);
                }
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
