import type { Logger } from 'pino';
import type { SqlExecutor } from '../../services/db/database.js';
import { createWakeableSleep } from '../wakeable-sleep.js';
import {
  compareCursors,
  currentCursor,
  parseCursor,
  readEvents,
  readNewEvents,
  type Cursor,
  type FeedEvent,
} from './event-feed.js';

/**
 * Feeds every open GET /events stream of a process from ONE reader, so a thousand open streams
 * cost one query per tick rather than a thousand.
 *
 * Each tick the hub reads the events that became visible since its last read (of the users whose
 * streams are open) and hands each stream those its filter lets through, into a queue of its own
 * that the stream's writer empties only as fast as its client takes them (see api/sse.ts). A
 * queue never holds more than `bufferBytes` (or one event): a stream whose client falls that far
 * behind is *paused*: the hub stops handing it events and keeps only its cursor, and once its
 * client has taken half of what was queued, reads the next events for it from the database from
 * that cursor, no more than fit, until it has caught up and is fed by the shared read again. A
 * stream resuming from a Last-Event-ID, and a new one, start that way too. So what the process
 * holds for a stream is bounded whatever its client does, and no event is lost or repeated.
 *
 * Why catching up is exact: the feed only ever shows events below the snapshot's xmin
 * (event-feed.ts), so an event not visible to one read sorts after every event that was; a
 * stream's own read that found nothing more therefore saw every event the shared read will hand
 * out again up to there (they are skipped by cursor), and the shared read, always made before it
 * in the same loop, misses nothing after it.
 */

/** Events read at once by the shared read (it reads again at once while it gets full batches). */
const BATCH = 500;
/** The most events read at once for a stream catching up (fewer when fewer fit in its queue). */
const CATCH_UP_BATCH = 200;

export interface EventStreamFilter {
  /** Everyone's events when undefined (an operator's stream). */
  userId: string | undefined;
  /** All types when empty. */
  types: string[];
}

export interface EventSubscription {
  /**
   * The next event as Server-Sent Event text; undefined when none came within `waitMs`; null once
   * the stream is closed. Taking it frees its room in the stream's queue.
   */
  next(waitMs: number): Promise<string | null | undefined>;
  close(): void;
}

export interface EventHubStats {
  /** Streams open. */
  open: number;
  /** Streams paused because their client fell behind, or still catching up from their cursor. */
  behind: number;
  /** Bytes held for the open streams: their queues and what their sockets still hold. */
  queuedBytes: number;
}

export interface EventHub {
  /** A stream of the events after `from` that `filter` lets through; `socketBytes` tells what its socket holds. */
  open(filter: EventStreamFilter, from: Cursor, socketBytes: () => number): EventSubscription;
  stats(): EventHubStats;
  /** Closes every stream (the service is stopping). */
  close(): void;
}

interface Stream {
  filter: EventStreamFilter;
  /** The last event queued for this stream (or where it started). */
  cursor: Cursor;
  queue: string[];
  bytes: number;
  /** The size of the last event offered to it. */
  eventBytes: number;
  behind: boolean;
  closed: boolean;
  socketBytes: () => number;
  waiter: (() => void) | undefined;
}

interface Outgoing {
  event: FeedEvent;
  cursor: Cursor;
  text: string;
}

export function createEventHub(deps: {
  db: SqlExecutor;
  logger: Logger;
  /** How often the shared read looks for new events. */
  pollMs: number;
  /** The most bytes of events queued for one stream before it is paused. */
  bufferBytes: number;
}): EventHub {
  const { db, logger } = deps;
  const streams = new Set<Stream>();
  const sleep = createWakeableSleep();
  let head: Cursor | undefined;
  let nextSharedRead = 0;
  let loop: Promise<void> | undefined;

  function outgoing(event: FeedEvent): Outgoing {
    const body = JSON.stringify({ type: event.type, timestamp: event.at.toISOString(), data: event.data });
    return {
      event,
      cursor: parseCursor(event.cursor),
      text: `id: ${event.cursor}\nevent: ${event.type}\ndata: ${body}\n\n`,
    };
  }

  /** Queues the event for the stream if it is for it; false when it did not fit (the stream is paused). */
  function offer(stream: Stream, item: Outgoing): boolean {
    const { filter } = stream;
    if (filter.userId !== undefined && item.event.userId !== filter.userId) return true;
    if (filter.types.length > 0 && !filter.types.includes(item.event.type)) return true;
    if (compareCursors(item.cursor, stream.cursor) <= 0) return true;
    const size = Buffer.byteLength(item.text);
    if (stream.queue.length > 0 && stream.bytes + size > deps.bufferBytes) {
      stream.eventBytes = size;
      stream.behind = true;
      return false;
    }
    stream.eventBytes = size;
    stream.queue.push(item.text);
    stream.bytes += size;
    stream.cursor = item.cursor;
    stream.waiter?.();
    return true;
  }

  async function sharedRead(): Promise<void> {
    head ??= await currentCursor(db);
    const users = new Set<string>();
    let everyone = false;
    for (const stream of streams) {
      if (stream.filter.userId === undefined) everyone = true;
      else users.add(stream.filter.userId);
    }
    for (;;) {
      const events = await readNewEvents(db, head, everyone ? undefined : [...users], BATCH);
      for (const event of events) {
        const item = outgoing(event);
        for (const stream of streams) if (!stream.behind && !stream.closed) offer(stream, item);
        head = item.cursor;
      }
      if (events.length < BATCH) return;
    }
  }

  /** A paused stream reads on once its client has taken half of what it held. */
  const readsOn = (stream: Stream) => stream.behind && !stream.closed && stream.bytes <= deps.bufferBytes / 2;

  async function catchUp(stream: Stream): Promise<void> {
    // What fits in its queue, judged by the size of its last event: no more is read than its client took.
    const room = Math.floor((deps.bufferBytes - stream.bytes) / stream.eventBytes);
    const limit = Math.max(1, Math.min(CATCH_UP_BATCH, room));
    const events = await readEvents(db, stream.cursor, { ...stream.filter, limit });
    for (const event of events) if (!offer(stream, outgoing(event))) return;
    if (events.length < limit) stream.behind = false;
  }

  async function pass(): Promise<void> {
    if (Date.now() >= nextSharedRead) {
      nextSharedRead = Date.now() + deps.pollMs;
      await sharedRead();
    }
    for (const stream of [...streams]) if (readsOn(stream)) await catchUp(stream);
  }

  async function run(): Promise<void> {
    while (streams.size > 0) {
      try {
        await pass();
      } catch (error) {
        logger.warn({ err: error }, 'could not read events for the open streams; trying again');
      }
      if (streams.size === 0) break;
      await sleep.sleep(Math.max(0, Math.min(deps.pollMs, nextSharedRead - Date.now())));
    }
    // No stream open: the next one starts the reading again from "now".
    head = undefined;
    nextSharedRead = 0;
    loop = undefined;
  }

  function closeStream(stream: Stream): void {
    if (stream.closed) return;
    stream.closed = true;
    streams.delete(stream);
    stream.queue = [];
    stream.bytes = 0;
    stream.waiter?.();
  }

  return {
    open(filter, from, socketBytes) {
      const stream: Stream = {
        filter,
        cursor: from,
        queue: [],
        bytes: 0,
        eventBytes: 512,
        behind: true,
        closed: false,
        socketBytes,
        waiter: undefined,
      };
      streams.add(stream);
      if (loop) sleep.wake();
      else loop = run();
      return {
        async next(waitMs) {
          if (stream.queue.length === 0 && !stream.closed) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(done, waitMs);
              function done() {
                clearTimeout(timer);
                stream.waiter = undefined;
                resolve();
              }
              stream.waiter = done;
            });
          }
          if (stream.closed) return null;
          const text = stream.queue.shift();
          if (text === undefined) return undefined;
          const wasFull = !readsOn(stream);
          stream.bytes -= Buffer.byteLength(text);
          // Its client has taken half: a paused stream reads on from its cursor now, while it
          // sends the rest.
          if (wasFull && readsOn(stream)) sleep.wake();
          return text;
        },
        close: () => closeStream(stream),
      };
    },
    stats() {
      let behind = 0;
      let queuedBytes = 0;
      for (const stream of streams) {
        if (stream.behind) behind += 1;
        queuedBytes += stream.bytes + stream.socketBytes();
      }
      return { open: streams.size, behind, queuedBytes };
    },
    close() {
      for (const stream of [...streams]) closeStream(stream);
      sleep.wake();
    },
  };
}
