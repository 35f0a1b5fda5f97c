import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ValidationError } from '../../errors.js';
import { decodeLogCursor, encodeLogCursor, START_OF_LOG } from '../../runner/log-lines.js';
import type { RunOutput } from '../../runner/run-output.js';
import { ownerOf } from '../route-access.js';
import { streamOwner, type StreamSlots } from '../../streams/stream-slots.js';
import { ErrorSchema, IdParams } from '../schemas.js';
import { openSseChannel, sseEvent } from '../sse.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema };

/** A comment line every so often keeps proxies and browsers from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

const SampleSchema = Type.Object({
  t: Type.Number({ description: 'unix time of the sample, in seconds' }),
  elapsed: Type.Number({ description: 'seconds since the sampler started' }),
  cpuPercent: Type.Union([Type.Number(), Type.Null()], {
    description: 'CPU since the previous sample in percent of one core (100 = one full core)',
  }),
  memoryBytes: Type.Union([Type.Number(), Type.Null()]),
});

const LOG_STREAM_SCHEMA = {
  summary: "A run's log as Server-Sent Events, live while it runs and stored after, resumable",
  description:
    'Each event is one line: `event: stdout` or `stderr`, `data:` the line without its newline, and `id:` a cursor that resumes just after that line. ' +
    'Reconnect with the `Last-Event-ID` header (browsers do so by themselves) or `?after=<cursor>` to get the following lines, none lost or repeated. ' +
    'While the run runs the lines come from its container; once it has ended, from its stored stdout.log and stderr.log (stdout first). ' +
    'A final `event: end` with `data: {"state": …}` closes the stream once the run has ended and every line was sent. A `\\r` in a line arrives as a line break inside the event.',
  tags: ['runs'],
  params: IdParams,
  querystring: Type.Object(
    {
      after: Type.Optional(
        Type.String({ maxLength: 40, description: 'a cursor (an event id) to resume after' }),
      ),
    },
    { additionalProperties: false },
  ),
  headers: Type.Object({
    'last-event-id': Type.Optional(Type.String({ maxLength: 40 })),
  }),
  response: {
    200: {
      description: 'a stream of Server-Sent Events',
      content: { 'text/event-stream': { schema: Type.String() } },
    },
    ...errors,
    429: ErrorSchema,
  },
};

const METRICS_SCHEMA = {
  summary: "A run's CPU and memory samples: live from its container while it runs, stored after",
  tags: ['runs'],
  params: IdParams,
  querystring: Type.Object(
    {
      sinceElapsed: Type.Optional(
        Type.Number({
          minimum: 0,
          maximum: 1e9,
          description:
            'only the samples taken after this many seconds (the last `elapsed` seen), to grow a chart',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  response: {
    200: Type.Object({
      source: Type.Union([Type.Literal('live'), Type.Literal('stored'), Type.Literal('none')]),
      writtenBy: Type.Union([Type.Literal('service'), Type.Literal('job'), Type.Null()], {
        description:
          '`service`: read from the Docker engine by the worker, the figures recorded for the run; `job`: the sampler inside the running container, whose file the job can write (shown live, never recorded)',
      }),
      samples: Type.Array(SampleSchema, {
        description:
          "at most TDS_METRICS_MAX_POINTS points: past it each stands for `samplesPerPoint` samples, with the first one's time and their peaks",
      }),
      truncated: Type.Boolean({
        description:
          'the file went on past what one answer reads (TDS_METRICS_READ_MAX_BYTES or TDS_METRICS_READ_MAX_ROWS)',
      }),
      samplesPerPoint: Type.Integer(),
      summary: Type.Object({
        samples: Type.Integer(),
        cpu_percent_peak: Type.Union([Type.Number(), Type.Null()]),
        cpu_percent_avg: Type.Union([Type.Number(), Type.Null()]),
        memory_bytes_peak: Type.Union([Type.Number(), Type.Null()]),
        memory_bytes_avg: Type.Union([Type.Number(), Type.Null()]),
        duration_seconds: Type.Union([Type.Number(), Type.Null()]),
      }),
    }),
    ...errors,
  },
};

const LOG_SEARCH_SCHEMA = {
  summary: "The lines of a run's stored log that contain a text, with their line numbers",
  description:
    'Reads the whole stored log (stdout.log, then stderr.log) from the store a line at a time and answers the lines that contain `q` as plain text (no pattern), at most TDS_LOG_SEARCH_MAX_MATCHES of them: past that `truncated` is true and the search stopped there. ' +
    'A line is numbered from 1 in its stream, as `GET /runs/:id/log-stream` counts it: `?after=o<N-1>e0` (stdout) or `?after=o<all of stdout>e<N-1>` (stderr) streams the log from that line on. ' +
    'A run that has not ended has no stored log yet: `stored` is false and `message` says to follow it with the log stream. A search counts among the open streams of the caller while it reads (TDS_STREAMS_PER_USER).',
  tags: ['runs'],
  params: IdParams,
  querystring: Type.Object(
    {
      q: Type.String({
        minLength: 1,
        maxLength: 4096,
        description: 'the text to look for, at most TDS_LOG_SEARCH_MAX_PATTERN_CHARS characters',
      }),
      ignoreCase: Type.Optional(
        Type.Boolean({ default: false, description: 'match upper and lower case alike' }),
      ),
    },
    { additionalProperties: false },
  ),
  response: {
    200: Type.Object({
      runId: Type.String(),
      state: Type.String(),
      q: Type.String(),
      ignoreCase: Type.Boolean(),
      matches: Type.Array(
        Type.Object({
          stream: Type.Union([Type.Literal('stdout'), Type.Literal('stderr')]),
          line: Type.Integer({ description: 'the line number in its stream, from 1' }),
          column: Type.Integer({ description: 'where the first match starts, from 1' }),
          text: Type.String({
            description:
              'the line (without its newline); a line over 1,000 characters: 1,000 of them around the match',
          }),
          cut: Type.Boolean({ description: '`text` is part of a longer line' }),
        }),
      ),
      stored: Type.Boolean({
        description: 'false while the run has not ended: no log is stored yet, `message` says what to do',
      }),
      message: Type.Optional(Type.String()),
      truncated: Type.Boolean({
        description: 'more lines matched than TDS_LOG_SEARCH_MAX_MATCHES: the list stops at the limit',
      }),
    }),
    ...errors,
    409: ErrorSchema,
    429: ErrorSchema,
  },
};

/** The Fastify instance a route plugin is given, with TypeBox types. */
type TypedApp = Parameters<FastifyPluginAsyncTypebox>[0];

export const runOutputRoutes: FastifyPluginAsyncTypebox<{ output: RunOutput; slots: StreamSlots }> = async (
  app,
  { output, slots },
) => {
  // Streams still open when the service stops are ended, so that stopping never waits on a reader.
  const closing = new AbortController();
  app.addHook('preClose', async () => closing.abort());
  logStreamRoute(app, output, slots, closing.signal);
  logSearchRoute(app, output, slots, closing.signal);
  app.get(
    '/runs/:id/metrics',
    { config: { access: ownerOf('run') }, schema: METRICS_SCHEMA },
    async (request) => output.metrics(request.params.id, request.query.sinceElapsed),
  );
};

/**
 * GET /runs/:id/log-stream: the run's log lines as Server-Sent Events, each sent once the socket
 * took the one before, with a keep-alive while quiet; ended when the service stops (`closing`).
 */
function logStreamRoute(app: TypedApp, output: RunOutput, slots: StreamSlots, closing: AbortSignal): void {
  app.get(
    '/runs/:id/log-stream',
    { config: { access: ownerOf('run') }, schema: LOG_STREAM_SCHEMA },
    async (request, reply) => {
      const given = request.query.after ?? request.headers['last-event-id'];
      const cursor = given === undefined || given === '' ? START_OF_LOG : decodeLogCursor(given);
      if (!cursor) {
        throw new ValidationError(
          `"${given}" is not a cursor of this log: pass the id of an event this stream sent, or nothing to start from the first line`,
        );
      }
      await output.findRun(request.params.id);

      const release = slots.take(streamOwner(request.principal));
      const stop = new AbortController();
      const signal = AbortSignal.any([stop.signal, closing]);
      reply.raw.on('close', () => stop.abort());
      const channel = openSseChannel(reply, signal);
      // Sent only while the socket has room: a reader that stopped reading gets nothing more.
      const keepalive = setInterval(() => channel.keepAlive(), KEEPALIVE_MS);
      try {
        // The next line is read from the container or the store only once the socket took the last.
        for await (const event of output.streamLog(request.params.id, cursor, signal)) {
          if (event.kind === 'line') {
            await channel.send(
              sseEvent({ id: encodeLogCursor(event.cursor), event: event.stream, data: event.line }),
            );
          } else {
            await channel.send(sseEvent({ event: 'end', data: JSON.stringify({ state: event.state }) }));
          }
          if (channel.over) break;
        }
      } catch (error) {
        request.log.warn({ err: error, runId: request.params.id }, 'log stream stopped by an error');
        await channel.send(
          sseEvent({
            event: 'error',
            data: JSON.stringify({ message: 'the log stream broke off; reconnect to resume' }),
          }),
        );
      } finally {
        clearInterval(keepalive);
        release();
        channel.end();
      }
    },
  );
}

/**
 * GET /runs/:id/log-search: the matching lines of the run's stored log. It holds one of the caller's
 * stream slots while it reads (a long log takes a while) and stops reading when the caller leaves.
 */
function logSearchRoute(app: TypedApp, output: RunOutput, slots: StreamSlots, closing: AbortSignal): void {
  app.get(
    '/runs/:id/log-search',
    { config: { access: ownerOf('run') }, schema: LOG_SEARCH_SCHEMA },
    async (request, reply) => {
      const release = slots.take(streamOwner(request.principal));
      const stop = new AbortController();
      reply.raw.on('close', () => stop.abort());
      try {
        const ignoreCase = request.query.ignoreCase ?? false;
        const { run, matches, truncated, stored } = await output.searchLog(
          request.params.id,
          { text: request.query.q, ignoreCase },
          AbortSignal.any([stop.signal, closing]),
        );
        return {
          runId: run.id,
          state: run.state,
          q: request.query.q,
          ignoreCase,
          stored,
          ...(stored
            ? {}
            : {
                message: `run ${run.id} is ${run.state}: its log is stored, and can be searched, once it has ended; until then follow it with GET /runs/${run.id}/log-stream`,
              }),
          matches,
          truncated,
        };
      } finally {
        release();
      }
    },
  );
}
