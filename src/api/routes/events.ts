import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { SqlExecutor } from '../../../services/db/database.js';
import { listingScope } from '../../auth/principal.js';
import { currentCursor, parseCursor, type Cursor } from '../../events/event-feed.js';
import type { EventHub } from '../../events/event-hub.js';
import { EVENT_TYPES } from '../../events/outbox.js';
import { ValidationError } from '../../errors.js';
import { NAME_PATTERN } from '../../jobs/job-spec.js';
import { streamOwner, type StreamSlots } from '../../streams/stream-slots.js';
import { ErrorSchema } from '../schemas.js';
import { openSseChannel } from '../sse.js';

/** A comment is sent after this long without an event, to keep proxies from closing the stream. */
const KEEPALIVE_MS = 15_000;

export const eventRoutes: FastifyPluginAsyncTypebox<{
  db: SqlExecutor;
  hub: EventHub;
  slots: StreamSlots;
}> = async (app, { db, hub, slots }) => {
  // Streams never end by themselves: the service closes them as it stops.
  const closing = new AbortController();
  app.addHook('preClose', async () => {
    closing.abort();
    hub.close();
  });

  app.get(
    '/events',
    {
      config: { access: 'user' },
      schema: {
        summary:
          'Events as they happen (Server-Sent Events): runs ended, workflow runs started and ended, fires skipped',
        description:
          "The same events as webhooks, as `text/event-stream`: each with `id` (a cursor), `event` (its type) and `data` ({ type, timestamp, data }). Reconnect with the header Last-Event-ID (or ?after=) to resume after the last event received, none lost or repeated. A user key sees its own events (userId must name it); an operator key every user's, or one user's with userId. Events go out as fast as the client reads them: one that falls behind is paused and then served from where it is, at its own pace. A server keeps at most TDS_STREAMS_PER_USER streams open per user and TDS_STREAMS_PER_PROCESS in all (log streams included); past either, 429 with Retry-After.",
        tags: ['events'],
        querystring: Type.Object(
          {
            userId: Type.Optional(Type.String({ pattern: NAME_PATTERN })),
            types: Type.Optional(
              Type.String({
                maxLength: 400,
                description: `comma-separated event types (${EVENT_TYPES.join(', ')}); all when absent`,
              }),
            ),
            after: Type.Optional(
              Type.String({ maxLength: 64, description: 'resume after this event id (as Last-Event-ID)' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.String({ description: 'text/event-stream' }),
          400: ErrorSchema,
          401: ErrorSchema,
          403: ErrorSchema,
          429: ErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const userId = listingScope(request.principal, request.query.userId);
      const types = (request.query.types ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      const unknown = types.filter((t) => !(EVENT_TYPES as readonly string[]).includes(t));
      if (unknown.length > 0) {
        throw new ValidationError(
          `types: unknown event type ${unknown.map((t) => `"${t}"`).join(', ')}; the types are ${EVENT_TYPES.join(', ')}`,
        );
      }
      const header = request.headers['last-event-id'];
      const given = request.query.after ?? (typeof header === 'string' ? header : undefined);
      const cursor: Cursor = given ? parseCursor(given) : await currentCursor(db);

      const release = slots.take(streamOwner(request.principal, userId));
      const gone = new AbortController();
      const channel = openSseChannel(reply, AbortSignal.any([gone.signal, closing.signal]));
      const subscription = hub.open({ userId, types }, cursor, () => channel.queuedBytes);
      reply.raw.on('close', () => {
        gone.abort();
        subscription.close();
      });
      try {
        await channel.send(': events follow\n\n');
        // One event at a time, each only once the socket took the one before: the hub's queue for
        // this stream fills up instead, and past its bound the stream is paused (event-hub.ts).
        for (;;) {
          const text = await subscription.next(KEEPALIVE_MS);
          if (text === null || channel.over) break;
          if (text === undefined) channel.keepAlive();
          else await channel.send(text);
        }
      } catch (error) {
        request.log.warn({ err: error }, 'event stream ended by an error');
      } finally {
        subscription.close();
        release();
        channel.end();
      }
    },
  );
};
