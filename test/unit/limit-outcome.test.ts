import { describe, expect, it } from 'vitest';
import type { LogsReport, OutputReport } from '../../src/runner/collect-results.js';
import { applyLimits } from '../../src/runner/limit-outcome.js';

const outputs = (overCap: OutputReport['overCap']): OutputReport => ({
  files: 2,
  bytes: 800,
  skipped: [],
  skippedNotListed: 0,
  overCap,
});
const logs = (stdoutBytes: number, truncated: boolean): LogsReport => ({
  stdout: { bytes: stdoutBytes, truncated },
  stderr: { bytes: 0, truncated: false },
});

describe('applyLimits', () => {
  it('leaves a run within every cap as it was', () => {
    expect(applyLimits({ state: 'succeeded' }, outputs(null), logs(10, false))).toEqual({
      state: 'succeeded',
    });
  });

  it('fails a run that would have succeeded when its outputs were over the cap, saying how much', () => {
    expect(
      applyLimits({ state: 'succeeded' }, outputs({ files: 1, bytes: 400, maxBytes: 1000 }), logs(10, false)),
    ).toEqual({
      state: 'failed',
      failureReason: 'limit_exceeded',
      failureMessage:
        'the outputs came to 1.2 KiB (1200 bytes), more than the 1000 bytes a run may upload (TDS_MAX_OUTPUT_BYTES): 1 file of 400 bytes did not fit and was not uploaded (listed in run.json)',
    });
  });

  it('keeps the reason of a run that failed anyway, adding what was cut', () => {
    const outcome = applyLimits(
      { state: 'failed', failureReason: 'exit_code', failureMessage: 'the command exited with code 2' },
      outputs(null),
      logs(5000, true),
    );
    expect(outcome).toEqual({
      state: 'failed',
      failureReason: 'exit_code',
      failureMessage:
        'the command exited with code 2; stdout.log was truncated: the command wrote 4.9 KiB (5000 bytes), more than TDS_MAX_LOG_BYTES',
    });
  });

  it('does not fail a run for truncated logs alone', () => {
    expect(applyLimits({ state: 'succeeded' }, outputs(null), logs(5000, true))).toEqual({
      state: 'succeeded',
    });
  });
});
