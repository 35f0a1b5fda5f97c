import { createParser } from 'eventsource-parser';
import { ApiError, type ApiClient } from './api-client.ts';
import { CliExit, EXIT } from './exit-codes.ts';

export interface LogLine {
  stream: 'stdout' | 'stderr';
  line: string;
}

export interface FollowOptions {
  /** Connections in a row that may fail (unreachable, 5xx) before giving up; a line received resets it. */
  attempts?: number;
  /** The wait before reconnecting, grown by each failure in a row. */
  delayMs?: number;
  /** Stops following (the watch ended early): the answer is then undefined. */
  signal?: AbortSignal;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Follows a run's log through `GET /runs/:id/log-stream` (Server-Sent Events) until the run has
 * ended and every line was sent: each line handed to `onLine` once, in order. A connection that
 * drops is resumed just after the last line received (`Last-Event-ID`), so nothing is lost or
 * repeated. Answers the run's final state (undefined when stopped by `signal`).
 */
export async function followLog(
  api: ApiClient,
  runId: string,
  onLine: (line: LogLine) => void,
  options: FollowOptions = {},
): Promise<{ state: string } | undefined> {
  const { signal } = options;
  const attempts = options.attempts ?? 5;
  const delayMs = options.delayMs ?? 250;
  let lastId: string | undefined;
  /** Failed connections, and connections dropped at once, since the last line received. */
  let failures = 0;
  for (;;) {
    if (signal?.aborted) return undefined;
    let response: Response;
    try {
      response = await api.stream(
        `/runs/${encodeURIComponent(runId)}/log-stream`,
        lastId === undefined ? {} : { 'last-event-id': lastId },
        signal,
      );
    } catch (error) {
      if (signal?.aborted) return undefined;
      const transient =
        (error instanceof CliExit && error.code === EXIT.unreachable) ||
        (error instanceof ApiError && (error.status >= 500 || error.status === 429));
      // A refusal that lasts (an unknown run, a bad key, a bad cursor) is final. One of the moment
      // (a busy or restarting service, its streams all taken) is retried, on the first connection
      // as on any other: giving up there would print none of the run's lines, which are not lost.
      if (!transient || ++failures >= attempts) throw error;
      await sleep(delayMs * failures);
      continue;
    }
    const openedAt = Date.now();
    let ended: { state: string } | undefined;
    const parser = createParser({
      onEvent(event) {
        if (event.event === 'stdout' || event.event === 'stderr') {
          onLine({ stream: event.event, line: event.data });
          if (event.id !== undefined) lastId = event.id;
          failures = 0;
        } else if (event.event === 'end') {
          ended = JSON.parse(event.data) as { state: string };
        }
        // `error` (the service's stream broke off) is followed by the end of the body: reconnect.
      },
    });
    try {
      for await (const chunk of response.body!.pipeThrough(new TextDecoderStream())) {
        parser.feed(chunk);
        if (ended) break;
      }
    } catch {
      // The connection dropped: resume after the last line received.
    }
    if (ended) return ended;
    if (signal?.aborted) return undefined;
    // The stream dropped: reconnect. One that lasted a while (a proxy's idle timeout) is no failure;
    // one dropped at once, again and again with no line in between, ends in giving up.
    if (Date.now() - openedAt < 2000 && ++failures >= attempts * 4) {
      throw new CliExit(EXIT.unreachable, `the log stream of run ${runId} kept breaking off; try again`);
    }
    await sleep(delayMs);
  }
}
