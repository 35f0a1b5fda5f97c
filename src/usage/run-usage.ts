/**
 * What one run used, from the summary of its engine samples that its metrics.json holds: CPU in
 * percent of one core and memory in bytes, each averaged over its samples, and how long its
 * container ran. A run with no sample of a figure used none of it that can be counted.
 */
export interface RunMetricsSummary {
  cpu_percent_avg: number | null;
  memory_bytes_avg: number | null;
  duration_seconds: number | null;
}

export interface RunUsage {
  runSeconds: number;
  /** Seconds of one whole core: 50 % of a core for 10 s is 5 CPU-seconds. */
  cpuSeconds: number;
  memoryByteSeconds: number;
}

const finiteOrZero = (value: number | null) =>
  value !== null && Number.isFinite(value) && value > 0 ? value : 0;

export function usageOfRun(summary: RunMetricsSummary): RunUsage {
  const runSeconds = finiteOrZero(summary.duration_seconds);
  return {
    runSeconds,
    cpuSeconds: (finiteOrZero(summary.cpu_percent_avg) / 100) * runSeconds,
    memoryByteSeconds: finiteOrZero(summary.memory_bytes_avg) * runSeconds,
  };
}
