import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { usageOfRun } from '../../src/usage/run-usage.js';
import { figures, parseDay, parseGrouping, usageRange } from '../../src/usage/usage-reports.js';

describe("a run's usage", () => {
  it('is its average CPU and memory times its run time', () => {
    expect(usageOfRun({ cpu_percent_avg: 50, memory_bytes_avg: 1000, duration_seconds: 2 })).toEqual({
      runSeconds: 2,
      cpuSeconds: 1,
      memoryByteSeconds: 2000,
    });
  });

  it('counts a figure with no sample as none', () => {
    expect(usageOfRun({ cpu_percent_avg: null, memory_bytes_avg: null, duration_seconds: 3 })).toEqual({
      runSeconds: 3,
      cpuSeconds: 0,
      memoryByteSeconds: 0,
    });
    expect(usageOfRun({ cpu_percent_avg: 80, memory_bytes_avg: 5, duration_seconds: null })).toEqual({
      runSeconds: 0,
      cpuSeconds: 0,
      memoryByteSeconds: 0,
    });
  });
});

describe('the range of a usage report', () => {
  it('defaults to the last 7 days, today included', () => {
    expect(usageRange({}, '2025-03-02', 366)).toEqual({ from: '2025-02-24', to: '2025-03-03' });
    expect(usageRange({ to: '2025-01-05' }, '', 366)).toEqual({ from: '2024-12-29', to: '2025-01-05' });
  });

  it('takes days of the calendar only, from before to, at most the bound apart', () => {
    expect(usageRange({ from: '2024-02-29', to: '2024-03-01' }, '', 1)).toEqual({
      from: '2024-02-29',
      to: '2024-03-01',
    });
    for (const bad of ['2025-02-29', '2025-1-01', '2025-01-01T00:00:00Z', '', 'today']) {
      expect(() => parseDay('from', bad)).toThrow(/YYYY-MM-DD/);
    }
    expect(() => usageRange({ from: '2025-01-02', to: '2025-01-02' }, '', 366)).toThrow(/before/);
    expect(() => usageRange({ from: '2024-01-01', to: '2025-01-02' }, '', 366)).toThrow(
      /367 days.*at most 366 \(TDS_USAGE_MAX_RANGE_DAYS\)/,
    );
    expect(usageRange({ from: '2024-01-01', to: '2025-01-01' }, '', 366).from).toBe('2024-01-01');
  });

  it('groups by one of job, workflow, user, day', () => {
    expect(parseGrouping(undefined)).toBe('day');
    expect(parseGrouping('workflow')).toBe('workflow');
    expect(() => parseGrouping('week')).toThrow(ValidationError);
    expect(() => parseGrouping('week')).toThrow('job, workflow, user, day');
  });

  it('answers memory in GB-seconds of 2^30 bytes', () => {
    expect(
      figures({ runs: 1, runSeconds: 1, cpuSeconds: 0.12345, memoryByteSeconds: 2 * 1024 ** 3 }),
    ).toEqual({
      runs: 1,
      runSeconds: 1,
      cpuSeconds: 0.123,
      memoryGbSeconds: 2,
      memoryByteSeconds: 2 * 1024 ** 3,
    });
  });
});
