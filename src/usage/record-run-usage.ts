import type { SqlExecutor } from '../../services/db/database.js';
import type { Run } from '../runs/run-repository.js';
import { usageOfRun, type RunMetricsSummary } from './run-usage.js';
import { addRunUsage } from './usage-repository.js';

/**
 * Counts an ended run's CPU, memory and run time in its user's usage, from the summary of its
 * samples (its metrics.json), in `tx`: the transaction that records the run's end.
 */
export async function recordRunUsage(
  tx: SqlExecutor,
  run: Pick<Run, 'jobId' | 'workflowRunId' | 'spec'>,
  summary: RunMetricsSummary,
): Promise<void> {
  await addRunUsage(tx, run, usageOfRun(summary));
}
