import { describe, expect, it } from 'vitest';
import { PointBuckets, readMetrics, type MetricsReadLimits } from '../../src/runner/metrics-reading.js';

const HEADER = 'timestamp,elapsed_seconds,cpu_percent,memory_bytes';
const WIDE: MetricsReadLimits = { maxBytes: 1e9, maxRows: 1e9, maxPoints: 1e6 };

/** The text in chunks of `size` characters, as a stream would hand it over. */
async function* chunks(text: string, size = 7): AsyncGenerator<Buffer> {
  for (let i = 0; i < text.length; i += size) yield Buffer.from(text.slice(i, i + size), 'latin1');
}

function rows(count: number, row: (i: number) => string): string {
  return [HEADER, ...Array.from({ length: count }, (_, i) => row(i))].join('\n') + '\n';
}

const read = (text: string, limits: Partial<MetricsReadLimits> = {}, sinceElapsed?: number) =>
  readMetrics(chunks(text), { ...WIDE, ...limits }, { sinceElapsed, durationSeconds: 5 });

describe('readMetrics', () => {
  it('reads rows split across chunks as samples, with their summary', async () => {
    const reading = await read(
      rows(3, (i) => `${1700000000 + i},${i}.00,${i === 0 ? '' : i * 10},${1000 * (i + 1)}`),
    );
    expect(reading.samples).toEqual([
      { t: 1700000000, elapsed: 0, cpuPercent: null, memoryBytes: 1000 },
      { t: 1700000001, elapsed: 1, cpuPercent: 10, memoryBytes: 2000 },
      { t: 1700000002, elapsed: 2, cpuPercent: 20, memoryBytes: 3000 },
    ]);
    expect(reading.summary).toMatchObject({ samples: 3, cpu_percent_peak: 20, memory_bytes_peak: 3000 });
    expect(reading).toMatchObject({ truncated: false, rowsPerPoint: 1 });
  });

  it('gives at most maxPoints points over many rows, keeping the peaks of the rows merged', async () => {
    // 10,000 rows with one spike in the middle: a chart of 100 points must still show it.
    const text = rows(
      10_000,
      (i) => `${1700000000 + i},${i},${i === 5003 ? 900 : 5},${i === 7777 ? 5e9 : 1e6}`,
    );
    const reading = await read(text, { maxPoints: 100 });
    expect(reading.samples.length).toBeLessThanOrEqual(100);
    expect(reading.samples.length).toBeGreaterThan(50);
    expect(reading.rowsPerPoint).toBe(128);
    expect(Math.max(...reading.samples.map((s) => s.cpuPercent ?? 0))).toBe(900);
    expect(Math.max(...reading.samples.map((s) => s.memoryBytes ?? 0))).toBe(5e9);
    // Each point keeps its first row's time, in order.
    expect(reading.samples[0]!.elapsed).toBe(0);
    expect(reading.samples[1]!.elapsed).toBe(128);
    expect(reading.summary.samples).toBe(10_000);
  });

  it('stops at maxBytes and at maxRows, and says it did', async () => {
    const text = rows(1000, (i) => `${1700000000 + i},${i},1,1000`);
    const byBytes = await read(text, { maxBytes: 2000 });
    expect(byBytes.truncated).toBe(true);
    expect(byBytes.summary.samples).toBeLessThan(100);
    expect(byBytes.summary.samples).toBeGreaterThan(50);
    const byRows = await read(text, { maxRows: 10 });
    expect(byRows).toMatchObject({ truncated: true, summary: { samples: 10 } });
    expect(byRows.samples).toHaveLength(10);
    const exactly = await read(text, { maxRows: 1000 });
    expect(exactly.truncated).toBe(false);
  });

  it('skips lines too long to be rows and lines that are not rows, without holding them', async () => {
    const text = `${HEADER}\n1700000000,0,1,100\n${'9'.repeat(100_000)},0,1,1\nnot,a,row\n1700000001,1,2,200`;
    const reading = await read(text);
    expect(reading.samples.map((s) => s.t)).toEqual([1700000000, 1700000001]);
  });

  it('answers only the samples after sinceElapsed, and sums up all of them', async () => {
    const reading = await read(
      rows(10, (i) => `${1700000000 + i},${i},${i},${i}`),
      {},
      6,
    );
    expect(reading.samples.map((s) => s.elapsed)).toEqual([7, 8, 9]);
    expect(reading.summary.samples).toBe(10);
  });
});

describe('PointBuckets', () => {
  it('keeps every sample while they fit', () => {
    const buckets = new PointBuckets(4);
    for (let i = 0; i < 4; i += 1) buckets.add({ t: i, elapsed: i, cpuPercent: i, memoryBytes: null });
    expect(buckets.result().map((s) => s.cpuPercent)).toEqual([0, 1, 2, 3]);
    expect(buckets.width).toBe(1);
  });
});
