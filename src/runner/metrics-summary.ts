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
 * Peaks and averages of CPU and memory, one sample at a time, in constant memory (a week sampled
 * every tenth of a second is six million samples). CPU is in percent of one core (Docker's
 * convention); an empty figure (a sampler's first row has no CPU) is left out of its column.
 */
export class MetricsSummariser {
  private cpu = { count: 0, sum: 0, peak: -Infinity };
  private memory = { count: 0, sum: 0, peak: -Infinity };

  add(cpuPercent: number | null, memoryBytes: number | null): void {
    for (const [column, value] of [
      [this.cpu, cpuPercent],
      [this.memory, memoryBytes],
    ] as const) {
      if (value === null || !Number.isFinite(value)) continue;
      column.count += 1;
      column.sum += value;
      if (value > column.peak) column.peak = value;
    }
  }

  result(durationSeconds: number | null): MetricsSummary {
    const { cpu, memory } = this;
    return {
      samples: Math.max(cpu.count, memory.count),
      cpu_percent_peak: cpu.count ? round(cpu.peak) : null,
      cpu_percent_avg: cpu.count ? round(cpu.sum / cpu.count) : null,
      memory_bytes_peak: memory.count ? memory.peak : null,
      memory_bytes_avg: memory.count ? Math.round(memory.sum / memory.count) : null,
      duration_seconds: durationSeconds === null ? null : round(durationSeconds),
    };
  }
}

/** Summarises a whole CSV (`timestamp,elapsed_seconds,cpu_percent,memory_bytes`) held in memory. */
export function summariseMetrics(csv: string, durationSeconds: number | null): MetricsSummary {
  const summariser = new MetricsSummariser();
  for (const line of csv.split('\n').slice(1)) {
    const [, , cpuField, memoryField] = line.trim().split(',');
    const c = cpuField === undefined || cpuField === '' ? NaN : Number(cpuField);
    const m = memoryField === undefined || memoryField === '' ? NaN : Number(memoryField);
    summariser.add(Number.isFinite(c) ? c : null, Number.isFinite(m) ? m : null);
  }
  return summariser.result(durationSeconds);
}
