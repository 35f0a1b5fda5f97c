import { describe, it, expect } from 'vitest';
import type { Run } from '../../src/runs/run-repository.js';
import { outcomeOf } from '../../src/runner/run-outcome.js';

function run(killReason: 'cancel' | 'timeout' | null = null): Run {
  return { killReason, spec: { timeout_seconds: 90, memory_mb: 256 } } as unknown as Run;
}

describe('outcomeOf', () => {
  it('counts exit code 0 as succeeded, with no failure', () => {
    expect(outcomeOf(run(), 0, false)).toEqual({ state: 'succeeded' });
  });

  it('counts a non-zero exit code as failed with reason exit_code, naming the code', () => {
    const outcome = outcomeOf(run(), 3, false);
    expect(outcome.state).toBe('failed');
    expect(outcome.failureReason).toBe('exit_code');
    expect(outcome.failureMessage).toContain('code 3');
    expect(outcome.failureMessage).not.toContain('memory');
  });

  it('says the code is unknown when the container reported none', () => {
    const outcome = outcomeOf(run(), null, false);
    expect(outcome.state).toBe('failed');
    expect(outcome.failureMessage).toContain('code unknown');
  });

  it('mentions the memory limit when the container was OOM-killed', () => {
    const outcome = outcomeOf(run(), 137, true);
    expect(outcome.state).toBe('failed');
    expect(outcome.failureReason).toBe('exit_code');
    expect(outcome.failureMessage).toContain('code 137');
    expect(outcome.failureMessage).toContain('memory limit of 256 MiB');
  });

  it('counts a run stopped on request as cancelled, whatever the exit code', () => {
    for (const exitCode of [0, 137, null]) {
      expect(outcomeOf(run('cancel'), exitCode, false)).toMatchObject({
        state: 'cancelled',
        failureReason: 'cancelled',
      });
    }
  });

  it('counts a run stopped at its deadline as timed_out, naming the timeout', () => {
    const outcome = outcomeOf(run('timeout'), 137, false);
    expect(outcome.state).toBe('timed_out');
    expect(outcome.failureReason).toBe('timeout');
    expect(outcome.failureMessage).toContain('90 s');
  });

  it('counts a timed-out run as timed_out even if it exited 0 while being stopped', () => {
    expect(outcomeOf(run('timeout'), 0, false).state).toBe('timed_out');
  });
});
