import type { Run } from '../runs/run-repository.js';
import { JOB_DIR } from './container-paths.js';
import { runVolumeName } from './image-builder.js';

const MIB = 1024 * 1024;

/** The disk a run may fill in its writable folders: its job's `disk_mb`, or the worker's default. */
export function diskLimitBytes(run: Pick<Run, 'spec'>, defaultDiskMb: number): number {
  // Jobs stored before `disk_mb` existed have none of their own.
  return ((run.spec.disk_mb as number | undefined) ?? defaultDiskMb) * MIB;
}

/** What a run's /job volume is called, but for the run id (`tds-vol-<runId>-job`). */
const JOB_VOLUME_SUFFIX = runVolumeName('', JOB_DIR).slice('tds-vol-'.length);

/**
 * Whether a volume counts towards its run's disk limit: all but /job itself, which holds the
 * run's inputs, earlier steps' files and runtime scripts (bounded by TDS_MAX_INPUT_BYTES), none of
 * them the command's to write.
 */
export function countsTowardsDiskLimit(volumeName: string): boolean {
  return !(volumeName.startsWith('tds-vol-') && volumeName.endsWith(JOB_VOLUME_SUFFIX));
}

/**
 * The running runs whose containers' volumes hold more than their limit, with what they hold.
 * A container the measurement does not list (started after it) is left for the next one.
 */
export function runsOverDisk(
  runs: Pick<Run, 'id' | 'containerId' | 'spec'>[],
  usage: Map<string, number>,
  defaultDiskMb: number,
): { runId: string; usedBytes: number; limitBytes: number }[] {
  const over: { runId: string; usedBytes: number; limitBytes: number }[] = [];
  for (const run of runs) {
    if (!run.containerId) continue;
    const used = usage.get(run.containerId);
    const limit = diskLimitBytes(run, defaultDiskMb);
    if (used !== undefined && used > limit) over.push({ runId: run.id, usedBytes: used, limitBytes: limit });
  }
  return over;
}

/** The failure message of a run stopped for its disk use. */
export function diskLimitMessage(run: Pick<Run, 'spec'>): string {
  const limitMb = run.spec.disk_mb as number | undefined;
  const limit = limitMb === undefined ? 'TDS_DEFAULT_DISK_MB' : `${limitMb} MiB (disk_mb)`;
  return `the command wrote more than its disk limit of ${limit} to /job/output and was stopped; what it wrote is uploaded, up to TDS_MAX_OUTPUT_BYTES`;
}
