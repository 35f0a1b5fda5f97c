import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { isMissingObject, type ObjectStore } from '../../services/aws/object-store.js';
import type { SqlExecutor } from '../../services/db/database.js';
import type { ContainerEngine } from '../../services/docker/container-engine.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { isUuid } from '../ids.js';
import type { ResultSpool } from './result-spool.js';
import { readContainerMetrics } from './collect-results.js';
import { engineMetricsPath } from './finisher-context.js';
import {
  readMetrics,
  type MetricsReadLimits,
  type MetricsReading,
  type MetricsSample,
} from './metrics-reading.js';
import { MetricsSummariser, type MetricsSummary } from './metrics-summary.js';
import { LineSplitter, START_OF_LOG, type LogCursor, type LogStreamName } from './log-lines.js';
import { searchLogLines, type LogSearchResult } from './log-search.js';
import { getRun, type Run } from '../runs/run-repository.js';
import { isTerminal, type RunState } from '../runs/run-states.js';
import { SecretMasker } from '../secrets/secret-masker.js';
import type { SecretService } from '../secrets/secret-service.js';

/** One thing a log stream tells: a line of stdout or stderr with the cursor just after it, or the end. */
export type LogStreamEvent =
  { kind: 'line'; stream: LogStreamName; line: string; cursor: LogCursor } | { kind: 'end'; state: RunState };

export type { MetricsSample };

export interface RunMetrics {
  source: 'live' | 'stored' | 'none';
  /**
   * Who wrote the samples: `service` (read from the engine by the worker: the figures recorded for
   * the run) or `job` (the sampler inside the container, whose file the job's user can write:
   * shown while the run runs, never recorded); null with no samples.
   */
  writtenBy: 'service' | 'job' | null;
  samples: MetricsSample[];
  summary: MetricsSummary;
  /** The file went on past what one answer reads (TDS_METRICS_READ_MAX_BYTES, _ROWS). */
  truncated: boolean;
  /** How many samples each point stands for: more than 1 past TDS_METRICS_MAX_POINTS. */
  samplesPerPoint: number;
}

export interface RunOutputDeps {
  db: SqlExecutor;
  store: ObjectStore;
  engine: ContainerEngine;
  /** How often a stream waiting for a run to start or to finish looks at it again. */
  pollMs: number;
  /**
   * Results waiting on this host for S3: a run's logs and metrics are read from there when they
   * are not in the store (yet).
   */
  spool?: Pick<ResultSpool, 'openFile'>;
  /** The values of a run's secrets, masked in its live log (the stored logs are masked already). */
  secrets: Pick<SecretService, 'maskFor'>;
  /** How much of a metrics file one answer reads, and how many points it gives. */
  metricsLimits: MetricsReadLimits;
  /** What one log search looks for and answers at most (TDS_LOG_SEARCH_*). */
  searchLimits: { maxMatches: number; maxPatternChars: number };
  /**
   * The data folder of this host's worker, where it writes the engine's readings of the runs it
   * runs: a running run's samples are read from there when it runs here.
   */
  dataDir?: string;
}

export type RunOutput = ReturnType<typeof createRunOutput>;

const SUMMARY_FIGURES = [
  'samples',
  'cpu_percent_peak',
  'cpu_percent_avg',
  'memory_bytes_peak',
  'memory_bytes_avg',
  'duration_seconds',
] as const;

const seconds = (from: Date | null, to: Date | null) =>
  from && to ? (to.getTime() - from.getTime()) / 1000 : null;

/**
 * What a run writes while it runs and after: its log as a stream of lines that a reader can resume
 * at any line (live from the container while it runs, from the stored logs once it has ended),
 * and its CPU and memory samples.
 */
export function createRunOutput(deps: RunOutputDeps) {
  const { db, store, engine } = deps;

  async function findRun(id: string): Promise<Run> {
    const run = isUuid(id) ? await getRun(db, id) : undefined;
    if (!run) throw new NotFoundError('run', id);
    return run;
  }

  const showsLive = (run: Run) => (run.state === 'running' || run.state === 'uploading') && run.containerId;

  /** Lines of one source, numbered per stream; only those at or after `cursor` are passed on. */
  function numberer(cursor: LogCursor) {
    const seen: LogCursor = { stdout: 0, stderr: 0 };
    const next = { ...cursor };
    return (stream: LogStreamName, lines: string[]): LogStreamEvent[] => {
      const events: LogStreamEvent[] = [];
      for (const line of lines) {
        const index = seen[stream]++;
        if (index < next[stream]) continue;
        next[stream] = index + 1;
        events.push({ kind: 'line', stream, line, cursor: { ...next } });
      }
      return events;
    };
  }

  async function* storedLines(
    run: Run,
    cursor: LogCursor,
    signal: AbortSignal,
  ): AsyncGenerator<LogStreamEvent> {
    const number = numberer(cursor);
    for (const stream of ['stdout', 'stderr'] as const) {
      const key = `${run.resultsPrefix}${stream}.log`;
      // A store that could not answer is no proof the log is absent: the stream breaks off with an
      // error instead of ending without the lines, and the reader resumes at its cursor.
      let unanswered: unknown;
      let body = await store.getObjectStream(run.resultsBucket, key).catch((error: unknown) => {
        if (!isMissingObject(error)) unanswered = error;
        return undefined;
      });
      // Not in the store: the run never started, or its results still wait for S3 on this host.
      body ??= await deps.spool?.openFile(run.id, key).catch(() => undefined);
      if (!body) {
        if (unanswered !== undefined) throw unanswered;
        continue;
      }
      const splitter = new LineSplitter();
      try {
        for await (const chunk of body) {
          if (signal.aborted) return;
          yield* number(stream, splitter.push(chunk as Buffer));
        }
        yield* number(stream, splitter.end());
      } finally {
        body.destroy();
      }
    }
  }

  return {
    /** The run, or NotFoundError: a stream checks this before it starts answering. */
    findRun,

    /**
     * The run's log from just after `cursor` to its end: live from the container while the run
     * runs, then the rest from the stored logs, then an `end` event; lines are never repeated or
     * lost across the switch, because both sides number lines the same way (log-lines.ts). Waits
     * while the run is queued or being prepared. Stops when `signal` aborts.
     */
    async *streamLog(id: string, cursor: LogCursor, signal: AbortSignal): AsyncGenerator<LogStreamEvent> {
      let run = await findRun(id);
      let position = { ...cursor };
      let followed = false;
      while (!signal.aborted) {
        if (isTerminal(run.state)) {
          for await (const event of storedLines(run, position, signal)) yield event;
          if (!signal.aborted) yield { kind: 'end', state: run.state };
          return;
        }
        if (!followed && showsLive(run)) {
          followed = true;
          const number = numberer(position);
          const splitters = { stdout: new LineSplitter(), stderr: new LineSplitter() };
          try {
            // A run whose secrets cannot be read here is not followed live: its stored logs,
            // masked by the worker, carry its lines once it has ended.
            const values = await deps.secrets.maskFor({
              id: run.id,
              userId: run.spec.userId,
              names: run.spec.secrets ?? [],
            });
            const maskers = { stdout: new SecretMasker(values), stderr: new SecretMasker(values) };
            for await (const frame of engine.followLogs(run.containerId!, signal)) {
              const bytes = maskers[frame.stream].push(frame.payload);
              for (const event of number(frame.stream, splitters[frame.stream].push(bytes))) {
                if (event.kind === 'line') position = event.cursor;
                yield event;
              }
            }
            // The container has stopped: a last line without a newline is complete now.
            for (const stream of ['stdout', 'stderr'] as const) {
              const rest = splitters[stream].push(maskers[stream].end());
              for (const event of number(stream, [...rest, ...splitters[stream].end()])) {
                if (event.kind === 'line') position = event.cursor;
                yield event;
              }
            }
          } catch {
            // The container is on another host or already gone: the stored logs will carry the rest.
          }
        }
        await sleep(deps.pollMs, undefined, { signal }).catch(() => undefined);
        if (signal.aborted) return;
        run = await findRun(id);
      }
    },

    /**
     * The lines of the run's stored log (stdout.log, then stderr.log) that contain `text`, read a
     * line at a time from the store, at most TDS_LOG_SEARCH_MAX_MATCHES of them. A run that has
     * not ended has no stored log yet: refused with a word on what to do instead.
     */
    async searchLog(
      id: string,
      query: { text: string; ignoreCase: boolean },
      signal: AbortSignal,
    ): Promise<LogSearchResult & { run: Run; stored: boolean }> {
      const { maxMatches, maxPatternChars } = deps.searchLimits;
      if (query.text.length === 0) throw new ValidationError('give the text to look for in `q`');
      if (query.text.length > maxPatternChars) {
        throw new ValidationError(
          `the text to look for is ${query.text.length} characters long; at most ${maxPatternChars} are taken (TDS_LOG_SEARCH_MAX_PATTERN_CHARS)`,
        );
      }
      const run = await findRun(id);
      // Not ended: nothing is stored yet (the answer says so rather than searching half a log).
      if (!isTerminal(run.state)) return { matches: [], truncated: false, run, stored: false };
      const found = await searchLogLines(storedLines(run, START_OF_LOG, signal), { ...query, maxMatches });
      return { ...found, run, stored: true };
    },

    /**
     * CPU and memory samples, bounded whatever the file holds: live from the engine's readings
     * this host's worker takes (from the job's own sampler file in the running container when the
     * run runs elsewhere), from the stored metrics.csv (the engine's readings) after.
     */
    async metrics(id: string, sinceElapsed?: number): Promise<RunMetrics> {
      const run = await findRun(id);
      const duration = isTerminal(run.state) ? seconds(run.startedAt, run.endedAt) : null;
      const options = { sinceElapsed, durationSeconds: duration };
      if (showsLive(run)) {
        // The engine's readings, taken by this host's worker, when the run runs here; the job's
        // own sampler file (which it can write) only when they are not.
        const sampled = await readEngineSamples(run.id, options);
        if (sampled) return answer('live', 'service', sampled);
        const live = await readContainerMetrics(engine, run.containerId!, deps.metricsLimits, options).catch(
          () => undefined,
        );
        if (live) return answer('live', 'job', live);
      }
      if (isTerminal(run.state) || run.state === 'uploading') {
        const key = `${run.resultsPrefix}metrics.csv`;
        // Results still waiting on this host for S3 are read from the spool.
        const body =
          (await store.getObjectStream(run.resultsBucket, key).catch(() => undefined)) ??
          (await deps.spool?.openFile(run.id, key).catch(() => undefined));
        if (body) {
          let reading: MetricsReading;
          try {
            reading = await readMetrics(body, deps.metricsLimits, options);
          } finally {
            body.destroy();
          }
          // The summary recorded when the run ended covers every sample, however long the file.
          const recorded = await storedSummary(run);
          const writtenBy = recorded?.sampledFrom === 'container' ? 'job' : 'service';
          return answer(
            'stored',
            writtenBy,
            recorded ? { ...reading, summary: { ...reading.summary, ...recorded.summary } } : reading,
          );
        }
      }
      return answer('none', null, {
        samples: [],
        summary: new MetricsSummariser().result(duration),
        truncated: false,
        rowsPerPoint: 1,
      });
    },
  };

  /** The engine's readings of a run that runs on this host, if its worker writes them here. */
  async function readEngineSamples(
    runId: string,
    options: { sinceElapsed?: number; durationSeconds: number | null },
  ): Promise<MetricsReading | undefined> {
    if (!deps.dataDir) return undefined;
    const file = await open(engineMetricsPath(deps.dataDir, runId)).catch(() => undefined);
    if (!file) return undefined;
    const body = file.createReadStream({ autoClose: false });
    try {
      return await readMetrics(body, deps.metricsLimits, options);
    } finally {
      body.destroy();
      await file.close();
    }
  }

  function answer(
    source: RunMetrics['source'],
    writtenBy: RunMetrics['writtenBy'],
    reading: MetricsReading,
  ): RunMetrics {
    return {
      source,
      writtenBy,
      samples: reading.samples,
      summary: reading.summary,
      truncated: reading.truncated,
      samplesPerPoint: reading.rowsPerPoint,
    };
  }

  /** metrics.json as the worker wrote it (small, and never the job's file), if it is there. */
  async function storedSummary(
    run: Run,
  ): Promise<{ summary: Partial<MetricsSummary>; sampledFrom: unknown } | undefined> {
    const text = await store
      .getObjectText(run.resultsBucket, `${run.resultsPrefix}metrics.json`)
      .catch(() => undefined);
    if (text === undefined) return undefined;
    try {
      const { sampledFrom, ...figures } = JSON.parse(text) as Record<string, unknown>;
      // Only the figures a summary has, each a number or null: anything else is left to the CSV's.
      const summary = Object.fromEntries(
        SUMMARY_FIGURES.filter((name) => figures[name] === null || typeof figures[name] === 'number').map(
          (name) => [name, figures[name]],
        ),
      ) as Partial<MetricsSummary>;
      return { summary, sampledFrom };
    } catch {
      return undefined;
    }
  }
}
