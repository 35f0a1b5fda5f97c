import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ValidationError } from '../../errors.js';
import { decodeLogCursor, encodeLogCursor, START_OF_LOG } from '../../runner/log-lines.js';
import type { RunOutput } from '../../runner/run-output.js';
import { ownerOf } from '../route-access.js';
import { ErrorSchema, IdParams } from '../schemas.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema };

/** A comment line every so often keeps proxies and browsers from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

/** One Server-Sent Event; a `\r` inside a line would end an SSE line, so it starts a new data line. */
function sseEvent(fields: { id?: string; event: string; data: string }): string {
  const data = fields.data
    .split(/\r\n|\r|\n/)
    .map((part) => `data: ${part}\n`)
    .join('');
  return `${fields.id === undefined ? '' : `id: ${fields.id}\n`}event: ${fields.event}\n${data}\n`;
}

const SampleSchema = Type.Object({
  t: Type.Number({ description: 'unix time of the sample, in seconds' }),
  elapsed: Type.Number({ description: 'seconds since the sampler started' }),
  cpuPercent: Type.Union([Type.Number(), Type.Null()], {
    description: 'CPU since the previous sample in percent of one core (100 = one full core)',
  }),
  memoryBytes: Type.Union([Type.Number(), Type.Null()]),
});

export const runOutputRoutes: FastifyPluginAsyncTypebox<{ output: RunOutput }> = async (app, { output }) => {
  // Streams still open when the service stops are ended, so that stopping never waits on a reader.
  const closing = new AbortController();
  app.addHook('preClose', async () => closing.abort());

  app.get(
    '/runs/:id/log-stream',
    {
      config: { access: ownerOf('run') },
      schema: {
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
        },
      },
    },
    async (request, reply) => {
      const given = request.query.after ?? request.headers['last-event-id'];
      const cursor = given === undefined || given === '' ? START_OF_LOG : decodeLogCursor(given);
      if (!cursor) {
        throw new ValidationError(
          `"${given}" is not a cursor of this log: pass the id of an event this stream sent, or nothing to start from the first line`,
        );
      }
      await output.findRun(request.params.id);

      const stop = new AbortController();
      const signal = AbortSignal.any([stop.signal, closing.signal]);
      reply.raw.on('close', () => stop.abort());
      reply.hijack();
      reply.raw.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        // nginx and its kin would otherwise hold the events back in a buffer.
        'x-accel-buffering': 'no',
      });
      reply.raw.flushHeaders();
      const keepalive = setInterval(() => reply.raw.write(': keepalive\n\n'), KEEPALIVE_MS);
      const write = async (text: string) => {
        if (!reply.raw.write(text) && !signal.aborted) {
          await new Promise<void>((resolve) => {
            const done = () => {
              reply.raw.off('drain', done);
              signal.removeEventListener('abort', done);
              resolve();
            };
            reply.raw.on('drain', done);
            signal.addEventListener('abort', done, { once: true });
          });
        }
      };
      try {
        for await (const event of output.streamLog(request.params.id, cursor, signal)) {
          if (event.kind === 'line') {
            await write(
              sseEvent({ id: encodeLogCursor(event.cursor), event: event.stream, data: event.line }),
            );
          } else {
            await write(sseEvent({ event: 'end', data: JSON.stringify({ state: event.state }) }));
          }
        }
      } catch (error) {
        request.log.warn({ err: error, runId: request.params.id }, 'log stream stopped by an error');
        await write(
          sseEvent({
            event: 'error',
            data: JSON.stringify({ message: 'the log stream broke off; reconnect to resume' }),
          }),
        ).catch(() => undefined);
      } finally {
        clearInterval(keepalive);
        reply.raw.end();
      }
    },
  );

  app.get(
    '/runs/:id/metrics',
    {
      config: { access: ownerOf('run') },
      schema: {
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
      },
    },
    async (request) => output.metrics(request.params.id, request.query.sinceElapsed),
  );
};
