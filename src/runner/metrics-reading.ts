import { MetricsSummariser, type MetricsSummary } from './metrics-summary.js';

/** One row of a metrics CSV (`timestamp,elapsed_seconds,cpu_percent,memory_bytes`). */
export interface MetricsSample {
  /** Unix time of the sample, in seconds. */
  t: number;
  /** Seconds since the sampler started. */
  elapsed: number;
  /** CPU since the previous sample, in percent of one core; null for the first sample. */
  cpuPercent: number | null;
  memoryBytes: number | null;
}

/** How much of a metrics file one answer reads, and how many points it answers with. */
export interface MetricsReadLimits {
  /** Bytes read at most; the rest of the file is left unread. */
  maxBytes: number;
  /** Rows taken at most; the rest are left unread. */
  maxRows: number;
  /** Points answered at most: past it, neighbouring samples are merged, keeping their peaks. */
  maxPoints: number;
}

export interface MetricsReading {
  samples: MetricsSample[];
  summary: MetricsSummary;
  /** The file went on past maxBytes or maxRows: what is shown is its beginning. */
  truncated: boolean;
  /** How many rows each point stands for (1 when nothing was merged). */
  rowsPerPoint: number;
}

/**
 * A row no sampler writes is longer than this (four numbers and three commas): a longer line is
 * not a row, and is skipped without being kept whole in memory.
 */
const MAX_ROW_BYTES = 128;

function field(text: string | undefined): number | null {
  if (text === undefined || text.trim() === '') return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** The row as a sample, or undefined when it is not one (the header, a blank or a broken line). */
export function parseMetricsRow(line: string): MetricsSample | undefined {
  const [t, elapsed, cpu, memory] = line.trim().split(',');
  const time = field(t);
  if (time === null) return undefined;
  return { t: time, elapsed: field(elapsed) ?? 0, cpuPercent: field(cpu), memoryBytes: field(memory) };
}

/**
 * At most `maxPoints` points over any number of samples, in constant memory: each point stands
 * for `width` consecutive samples; when there would be one point too many, neighbours are merged
 * two by two and the width doubles. A merged point keeps its first sample's time and the highest
 * CPU and memory of the samples it stands for, so no peak is lost from a chart.
 */
export class PointBuckets {
  private points: (MetricsSample & { rows: number })[] = [];
  width = 1;

  constructor(private readonly maxPoints: number) {}

  add(sample: MetricsSample): void {
    const last = this.points.at(-1);
    if (last && last.rows < this.width) {
      merge(last, sample, 1);
      return;
    }
    this.points.push({ ...sample, rows: 1 });
    if (this.points.length > this.maxPoints) {
      const merged: (MetricsSample & { rows: number })[] = [];
      for (let i = 0; i < this.points.length; i += 2) {
        const first = this.points[i]!;
        const second = this.points[i + 1];
        if (second) merge(first, second, second.rows);
        merged.push(first);
      }
      this.points = merged;
      this.width *= 2;
    }
  }

  result(): MetricsSample[] {
    return this.points.map(({ rows: _rows, ...sample }) => sample);
  }
}

function merge(into: MetricsSample & { rows: number }, sample: MetricsSample, rows: number): void {
  into.cpuPercent = higher(into.cpuPercent, sample.cpuPercent);
  into.memoryBytes = higher(into.memoryBytes, sample.memoryBytes);
  into.rows += rows;
}

function higher(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return b > a ? b : a;
}

/**
 * Reads a metrics CSV as it streams, never holding more than one row and `maxPoints` points:
 * at most `maxBytes` bytes and `maxRows` rows (a job can write its own file without end), lines
 * too long to be rows skipped. The summary covers every row read; the samples only those after
 * `sinceElapsed`. Stops reading (and so lets the source be closed) once a limit is reached.
 */
export async function readMetrics(
  source: AsyncIterable<Buffer | string>,
  limits: MetricsReadLimits,
  options: { sinceElapsed?: number; durationSeconds: number | null },
): Promise<MetricsReading> {
  const summariser = new MetricsSummariser();
  const points = new PointBuckets(limits.maxPoints);
  let bytes = 0;
  let rows = 0;
  let truncated = false;
  let pending = '';
  let skipping = false;

  const take = (line: string): boolean => {
    const sample = parseMetricsRow(line);
    if (!sample) return true;
    if (rows >= limits.maxRows) return false;
    rows += 1;
    summariser.add(sample.cpuPercent, sample.memoryBytes);
    if (options.sinceElapsed === undefined || sample.elapsed > options.sinceElapsed) points.add(sample);
    return true;
  };

  reading: for await (const chunk of source) {
    let text = typeof chunk === 'string' ? chunk : chunk.toString('latin1');
    if (bytes + text.length > limits.maxBytes) {
      text = text.slice(0, limits.maxBytes - bytes);
      truncated = true;
    }
    bytes += text.length;
    let start = 0;
    for (;;) {
      const newline = text.indexOf('\n', start);
      const piece = text.slice(start, newline === -1 ? text.length : newline);
      if (!skipping) {
        pending += piece;
        if (pending.length > MAX_ROW_BYTES) {
          pending = '';
          skipping = true;
        }
      }
      if (newline === -1) break;
      if (!skipping && !take(pending)) {
        truncated = true;
        break reading;
      }
      pending = '';
      skipping = false;
      start = newline + 1;
    }
    if (truncated) break;
  }
  // A last row without a newline is complete only when the whole file was read.
  if (!truncated && !skipping && pending !== '' && !take(pending)) truncated = true;
  return {
    samples: points.result(),
    summary: summariser.result(options.durationSeconds),
    truncated,
    rowsPerPoint: points.width,
  };
}
