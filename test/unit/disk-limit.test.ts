import { describe, expect, it } from 'vitest';
import { countsTowardsDiskLimit, diskLimitMessage, runsOverDisk } from '../../src/runner/disk-limit.js';
import { runVolumes } from '../../src/runner/image-builder.js';
import type { JobSpec } from '../../src/jobs/job-spec.js';

const MIB = 1024 * 1024;
const run = (id: string, containerId: string | null, disk_mb?: number) => ({
  id,
  containerId,
  spec: (disk_mb === undefined ? {} : { disk_mb }) as JobSpec,
});

describe('runsOverDisk', () => {
  it("names the runs whose containers' volumes hold more than their disk_mb, or the default for jobs without one", () => {
    const usage = new Map([
      ['c-over', 10 * MIB + 1],
      ['c-at', 10 * MIB],
      ['c-old', 6 * MIB],
    ]);
    expect(
      runsOverDisk(
        [
          run('over', 'c-over', 10),
          run('at', 'c-at', 10),
          run('old', 'c-old'),
          run('new', 'c-new', 1),
          run('none', null, 1),
        ],
        usage,
        5,
      ),
    ).toEqual([
      { runId: 'over', usedBytes: 10 * MIB + 1, limitBytes: 10 * MIB },
      { runId: 'old', usedBytes: 6 * MIB, limitBytes: 5 * MIB },
    ]);
  });

  it('says the limit in the failure message', () => {
    expect(diskLimitMessage(run('a', 'c', 20))).toMatch(/disk limit of 20 MiB \(disk_mb\)/);
    expect(diskLimitMessage(run('a', 'c'))).toMatch(/TDS_DEFAULT_DISK_MB/);
  });
});

describe('countsTowardsDiskLimit', () => {
  it("counts a run's output and sampler's volumes, not /job, which holds its inputs and is read-only to it", () => {
    const counted = runVolumes('0b1e6a4e-7d7c-4f2a-9d55-5a8f0f3b2c11').map((v) => [
      v.dir,
      countsTowardsDiskLimit(v.name),
    ]);
    expect(counted).toEqual([
      ['/job', false],
      ['/job/output', true],
      ['/job/.metrics', true],
    ]);
    expect(countsTowardsDiskLimit('someone-elses-volume')).toBe(true);
  });
});
