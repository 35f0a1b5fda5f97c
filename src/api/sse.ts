import type { FastifyReply } from 'fastify';

/**
 * Writing a Server-Sent Events answer at the pace of its client. Node queues whatever is written
 * to a socket the client does not read; so `send` waits for the socket to drain before it
 * returns, and a writer that awaits it never holds more than the socket's high-water mark (plus
 * one event) for a client that stopped reading. Every streamed answer goes through here.
 */

/** One Server-Sent Event; a `\r` inside a line would end an SSE line, so it starts a new data line. */
export function sseEvent(fields: { id?: string; event: string; data: string }): string {
  const data = fields.data
    .split(/\r\n|\r|\n/)
    .map((part) => `data: ${part}\n`)
    .join('');
  return `${fields.id === undefined ? '' : `id: ${fields.id}\n`}event: ${fields.event}\n${data}\n`;
}

export interface SseChannel {
  /** Writes `text`, then waits until the socket has room again (or the stream is over). */
  send(text: string): Promise<void>;
  /** A comment that keeps proxies from closing a quiet stream; nothing while the socket is still full. */
  keepAlive(): void;
  /** Bytes written and not yet taken by the socket. */
  readonly queuedBytes: number;
  /** The client went away, or `signal` aborted. */
  readonly over: boolean;
  /** Ends the answer; cut off at once when the service stops with data the client never took. */
  end(): void;
}

/**
 * Takes the reply over and starts the stream (status 200, the SSE headers, with the headers set on
 * `reply` so far). `signal` ends the waits (the client went away, or the service is stopping).
 */
export function openSseChannel(reply: FastifyReply, signal: AbortSignal): SseChannel {
  const raw = reply.raw;
  reply.hijack();
  raw.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    // nginx and its kin would otherwise hold the events back in a buffer.
    'x-accel-buffering': 'no',
  });
  raw.flushHeaders();
  const over = () => signal.aborted || raw.destroyed || raw.writableEnded;
  return {
    async send(text) {
      if (over()) return;
      if (raw.write(text)) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          raw.off('drain', done);
          raw.off('close', done);
          signal.removeEventListener('abort', done);
          resolve();
        };
        raw.on('drain', done);
        raw.on('close', done);
        signal.addEventListener('abort', done, { once: true });
      });
    },
    keepAlive() {
      if (!over() && !raw.writableNeedDrain) raw.write(': keep-alive\n\n');
    },
    get queuedBytes() {
      return raw.writableLength;
    },
    get over() {
      return over();
    },
    end() {
      // A client that stopped reading would keep the socket, and the service's stop, waiting.
      if (raw.writableNeedDrain) raw.destroy();
      else raw.end();
    },
  };
}
