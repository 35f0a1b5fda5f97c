import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { SqlExecutor } from '../../../services/db/database.js';
import { listingScope } from '../../auth/principal.js';
import { currentCursor, parseCursor, readEvents, type Cursor } from '../../events/event-feed.js';
import { EVENT_TYPES } from '../../events/outbox.js';
import { ValidationError } from '../../errors.js';
import { NAME_PATTERN } from '../../jobs/job-spec.js';
import { ErrorSchema } from '../schemas.js';

/** How often an open stream looks for new events, and sends a comment to keep proxies from closing it. */
const POLL_MS = 1000;
const KEEPALIVE_MS = 15_000;
const BATCH = 500;

export const eventRoutes: FastifyPluginAsyncTypebox<{ db: SqlExecutor; pollMs?: number }> = async (
  app,
  { db, pollMs = POLL_MS },
) => {
  const open = new Set<() => void>();
  // Streams never end by themselves: the service closes them as it stops.
  app.addHook('preClose', async () => {
    for (const close of open) close();
  });

  app.get(
    '/events',
    {
      config: { access: 'user' },
      schema: {
        summary:
          'Events as they happen (Server-Sent Events): runs ended, workflow runs started and ended, fires skipped',
        description:
          "The same events as webhooks, as `text/event-stream`: each with `id` (a cursor), `event` (its type) and `data` ({ type, timestamp, data }). Reconnect with the header Last-Event-ID (or ?after=) to resume after the last event received, none lost or repeated. A user key sees its own events (userId must name it); an operator key every user's, or one user's with userId.",
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
      let cursor: Cursor = given ? parseCursor(given) : await currentCursor(db);

      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write(': events follow\n\n');

      let closed = false;
      let wake: (() => void) | undefined;
      const close = () => {
        closed = true;
        wake?.();
      };
      open.add(close);
      raw.on('close', close);
      let quietSince = Date.now();
      try {
        while (!closed) {
          const events = await readEvents(db, cursor, { userId, types, limit: BATCH });
          for (const event of events) {
            const body = JSON.stringify({
              type: event.type,
              timestamp: event.at.toISOString(),
              data: event.data,
            });
            raw.write(`id: ${event.cursor}\nevent: ${event.type}\ndata: ${body}\n\n`);
            cursor = parseCursor(event.cursor);
          }
          if (events.length === BATCH) continue;
          if (events.length > 0) quietSince = Date.now();
          else if (Date.now() - quietSince >= KEEPALIVE_MS) {
            raw.write(': keep-alive\n\n');
            quietSince = Date.now();
          }
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, pollMs);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
      } catch (error) {
        request.log.warn({ err: error }, 'event stream ended by an error');
      } finally {
        open.delete(close);
        raw.end();
      }
    },
  );
};
