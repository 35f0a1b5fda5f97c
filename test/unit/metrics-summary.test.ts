import { describe, it, expect } from 'vitest';
import { summariseMetrics } from '../../src/runner/metrics-summary.js';

const HEADER = 'timestamp,elapsed_seconds,cpu_percent,memory_bytes';

function csv(...rows: string[]): string {
  return [HEADER, ...rows].join('\n') + '\n';
}

describe('summariseMetrics', () => {
  it('reports no samples and null figures for a header-only CSV', () => {
    expect(summariseMetrics(csv(), 2)).toEqual({
      samples: 0,
      cpu_percent_peak: null,
      cpu_percent_avg: null,
      memory_bytes_peak: null,
      memory_bytes_avg: null,
      duration_seconds: 2,
    });
  });

  it('reports no samples for an empty file', () => {
    expect(summariseMetrics('', null).samples).toBe(0);
  });

  it('computes peaks and averages, rounding CPU to 2 decimals and memory to whole bytes', () => {
    const summary = summariseMetrics(
      csv('1700000000,1.00,10.00,1000', '1700000001,2.00,20.00,2000', '1700000002,3.00,33.33,3001'),
      3.14159,
    );
    expect(summary).toEqual({
      samples: 3,
      cpu_percent_peak: 33.33,
      cpu_percent_avg: 21.11, // 63.33 / 3 = 21.11
      memory_bytes_peak: 3001,
      memory_bytes_avg: 2000, // 6001 / 3 = 2000.33
      duration_seconds: 3.14,
    });
  });

  it('rounds the memory average to the nearest byte', () => {
    const summary = summariseMetrics(csv('1,1.00,1.00,1', '2,2.00,1.00,2'), 1);
    expect(summary.memory_bytes_avg).toBe(2); // 1.5 rounds up
  });

  it('reads CPU above 100% (more than one core busy)', () => {
    const summary = summariseMetrics(csv('1,1.00,150.25,10', '2,2.00,249.75,10'), 2);
    expect(summary.cpu_percent_peak).toBe(249.75);
    expect(summary.cpu_percent_avg).toBe(200);
  });

  it('skips a row whose fields are all empty', () => {
    const summary = summariseMetrics(csv('1,1.00,10.00,1000', ',,,', '2,2.00,30.00,3000'), 2);
    expect(summary).toMatchObject({
      samples: 2,
      cpu_percent_peak: 30,
      cpu_percent_avg: 20,
      memory_bytes_peak: 3000,
      memory_bytes_avg: 2000,
    });
  });

  it('leaves an empty CPU field out of the CPU figures but keeps the memory reading', () => {
    // The sampler's first row has no CPU figure (there is no previous reading to compare with).
    const summary = summariseMetrics(csv('1,0.00,,500', '2,1.00,40.00,1500'), 1);
    expect(summary.samples).toBe(2);
    expect(summary.cpu_percent_peak).toBe(40);
    expect(summary.cpu_percent_avg).toBe(40);
    expect(summary.memory_bytes_peak).toBe(1500);
    expect(summary.memory_bytes_avg).toBe(1000);
  });

  it('ignores a truncated last row and Windows line endings', () => {
    const summary = summariseMetrics(`${HEADER}\r\n1,1.00,10.00,100\r\n2,2.00,20.00,300\r\n3,3.0`, 1);
    expect(summary).toMatchObject({ samples: 2, cpu_percent_peak: 20, memory_bytes_peak: 300 });
  });

  it('ignores fields that are not numbers', () => {
    const summary = summariseMetrics(csv('1,1.00,abc,100', '2,2.00,5.00,xyz'), 1);
    expect(summary).toMatchObject({
      samples: 1,
      cpu_percent_peak: 5,
      cpu_percent_avg: 5,
      memory_bytes_peak: 100,
      memory_bytes_avg: 100,
    });
  });

  it('rounds the duration to 2 decimals', () => {
    expect(summariseMetrics(csv(), 12.3456).duration_seconds).toBe(12.35);
    expect(summariseMetrics(csv(), 0.004).duration_seconds).toBe(0);
  });

  it('passes a null duration through', () => {
    expect(summariseMetrics(csv('1,1.00,1.00,1'), null).duration_seconds).toBeNull();
  });

  // A week-long run (timeout_seconds may be 7 days) sampled every second: 604,800 rows.
  it('summarises a week-long run sampled every second', () => {
    const rows = 7 * 86400;
    const lines = [HEADER];
    for (let i = 0; i < rows; i += 1) {
      lines.push(`${1700000000 + i},${i}.00,${i === 1000 ? '99.50' : '10.00'},${i === 2000 ? 9000 : 1000}`);
    }
    const summary = summariseMetrics(lines.join('\n') + '\n', rows);
    expect(summary.samples).toBe(rows);
    expect(summary.cpu_percent_peak).toBe(99.5);
    expect(summary.memory_bytes_peak).toBe(9000);
  });
});
