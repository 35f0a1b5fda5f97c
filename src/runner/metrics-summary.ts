export interface MetricsSummary {
  samples: number;
  cpu_percent_peak: number | null;
  cpu_percent_avg: number | null;
  memory_bytes_peak: number | null;
  memory_bytes_avg: number | null;
  duration_seconds: number | null;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * Summarises the sampler's CSV (`timestamp,elapsed_seconds,cpu_percent,memory_bytes`).
 * CPU is in percent of one core (Docker's convention); an empty field (the sampler's first row has
 * no CPU figure) is left out of that column's figures.
 */
export function summariseMetrics(csv: string, durationSeconds: number | null): MetricsSummary {
  const cpu: number[] = [];
  const memory: number[] = [];
  for (const line of csv.split('\n').slice(1)) {
    const [, , cpuField, memoryField] = line.trim().split(',');
    const c = cpuField === undefined || cpuField === '' ? NaN : Number(cpuField);
    const m = memoryField === undefined || memoryField === '' ? NaN : Number(memoryField);
    if (Number.isFinite(c)) cpu.push(c);
    if (Number.isFinite(m)) memory.push(m);
  }
  const avg = (values: number[]) =>
    values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
  // A loop, not Math.max(...values): a week sampled every second is more arguments than a call takes.
  const max = (values: number[]) => values.reduce((a, b) => (b > a ? b : a), -Infinity);
  const cpuAvg = avg(cpu);
  const memoryAvg = avg(memory);
  return {
    samples: Math.max(cpu.length, memory.length),
    cpu_percent_peak: cpu.length ? round(max(cpu)) : null,
    cpu_percent_avg: cpuAvg === null ? null : round(cpuAvg),
    memory_bytes_peak: memory.length ? max(memory) : null,
    memory_bytes_avg: memoryAvg === null ? null : Math.round(memoryAvg),
    duration_seconds: durationSeconds === null ? null : round(durationSeconds),
  };
}
