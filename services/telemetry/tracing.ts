import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { Logger } from 'pino';

/** The stages of a run traced, as docs/metrics.md lists them. */
export type TracedStage = 'staging' | 'building' | 'running' | 'uploading';

/** What a traced stage says of its run: ids and outcome only, never its command, env or secrets. */
export interface StageFacts {
  runId: string;
  jobId: string | null;
  workerId: string;
  /** Set when the stage ended the run as failed. */
  failureReason?: string | null;
}

/**
 * OpenTelemetry traces of the service (off unless an OTLP endpoint is set): each stage of a run
 * as a span of the run's own trace, whose id is the run's id (its 32 hex digits), so the stages
 * a worker records at different moments (and after a restart) share one trace; and a span for each
 * API request, named by its route (never by its URL, which may hold a download link's token).
 */
export interface Tracing {
  readonly enabled: boolean;
  /** A stage of a run that took from `startedAt` to `endedAt` (epoch milliseconds). */
  runStage(stage: TracedStage, facts: StageFacts, startedAt: number, endedAt: number): void;
  /** A span for an API request, ended by `end` with the response's status code. */
  startRequest(method: string, route: string): { end(statusCode: number): void };
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
}

export interface TracingSettings {
  /** The OTLP/HTTP URL spans are posted to; undefined: no tracing. */
  endpoint: string | undefined;
  serviceName: string;
}

const OFF: Tracing = {
  enabled: false,
  runStage: () => undefined,
  startRequest: () => ({ end: () => undefined }),
  shutdown: async () => undefined,
};

/** The span context every stage of a run is a child of: the run's trace, a parent id made from the run id. */
function runParent(runId: string) {
  const hex = runId.replaceAll('-', '').toLowerCase();
  const traceId = /^[0-9a-f]{32}$/.test(hex) ? hex : undefined;
  if (!traceId) return context.active();
  return trace.setSpanContext(context.active(), {
    traceId,
    spanId: traceId.slice(0, 16),
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
}

/** Tracing as the settings ask: the SDK and the exporter are loaded only when an endpoint is set. */
export async function createTracing(settings: TracingSettings, logger: Logger): Promise<Tracing> {
  if (!settings.endpoint) return OFF;
  const [{ TracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }, semconv] =
    await Promise.all([
      import('@opentelemetry/sdk-trace'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/semantic-conventions'),
    ]);
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ [semconv.ATTR_SERVICE_NAME]: settings.serviceName }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: settings.endpoint }),
        scheduledDelayMillis: 1000,
      }),
    ],
  });
  const tracer: Tracer = provider.getTracer('task-deploy-service');
  logger.info({ endpoint: settings.endpoint }, 'traces are sent over OTLP/HTTP');
  return {
    enabled: true,
    runStage(stage, facts, startedAt, endedAt) {
      const attributes: Attributes = {
        'tds.run.id': facts.runId,
        'tds.stage': stage,
        'tds.worker.id': facts.workerId,
        ...(facts.jobId ? { 'tds.job.id': facts.jobId } : {}),
      };
      const span: Span = tracer.startSpan(
        `run ${stage}`,
        { kind: SpanKind.INTERNAL, startTime: startedAt, attributes },
        runParent(facts.runId),
      );
      if (facts.failureReason) {
        span.setAttribute('tds.failure_reason', facts.failureReason);
        span.setStatus({ code: SpanStatusCode.ERROR, message: facts.failureReason });
      }
      span.end(Math.max(startedAt, endedAt));
    },
    startRequest(method, route) {
      const span = tracer.startSpan(`${method} ${route}`, {
        kind: SpanKind.SERVER,
        attributes: {
          [semconv.ATTR_HTTP_REQUEST_METHOD]: method,
          [semconv.ATTR_HTTP_ROUTE]: route,
        },
      });
      return {
        end(statusCode) {
          span.setAttribute(semconv.ATTR_HTTP_RESPONSE_STATUS_CODE, statusCode);
          if (statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
        },
      };
    },
    async shutdown() {
      await provider
        .shutdown()
        .catch((error: unknown) => logger.warn({ err: error }, 'could not send the last traces'));
    },
  };
}
