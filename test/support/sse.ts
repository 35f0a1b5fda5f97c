/** One Server-Sent Event as a client sees it. */
export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

/**
 * Reads a Server-Sent Events response event by event, as a browser's EventSource parses it;
 * `stop()` drops the connection, as a network failure would.
 */
export async function openSse(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  async function* events(): AsyncGenerator<SseEvent> {
    let fields: Partial<SseEvent> & { data?: string } = {};
    for (;;) {
      const newline = buffer.search(/\r\n|\r|\n/);
      if (newline === -1) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buffer += value;
        continue;
      }
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (fields.data !== undefined) {
          yield { id: fields.id, event: fields.event ?? 'message', data: fields.data };
        }
        fields = {};
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const name = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (name === 'data') fields.data = fields.data === undefined ? value : `${fields.data}\n${value}`;
      else if (name === 'id') fields.id = value;
      else if (name === 'event') fields.event = value;
    }
  }
  return {
    status: response.status,
    headers: response.headers,
    events: events(),
    stop: () => controller.abort(),
  };
}
