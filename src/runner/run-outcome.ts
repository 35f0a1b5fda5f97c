import type { FailureReason } from '../errors.js';
import { type Run } from '../runs/run-repository.js';
import { type RunOutcome } from '../runs/transitions.js';
import { type LogsReport } from './collect-results.js';
import { readLastLine, resultTooLargeMessage } from './run-result.js';
import { describeBytes } from '../sizes.js';
import { diskLimitMessage } from './disk-limit.js';

/** What a stopped container's run amounts to, from why it was stopped and how it exited. */
export function outcomeOf(run: Run, exitCode: number | null, oomKilled: boolean): RunOutcome {
  if (run.killReason === 'cancel') {
    return {
      state: 'cancelled',
      failureReason: 'cancelled',
      failureMessage: 'cancelled on request while running',
    };
  }
  if (run.killReason === 'timeout') {
    return {
      state: 'timed_out',
      failureReason: 'timeout',
      failureMessage: `the command ran longer than its timeout of ${run.spec.timeout_seconds} s and was stopped`,
    };
  }
  if (run.killReason === 'disk') {
    return {
      state: 'failed',
      failureReason: 'disk_limit_exceeded',
      failureMessage: diskLimitMessage(run),
    };
  }
  if (exitCode === 0) return { state: 'succeeded' };
  const memory = oomKilled
    ? ` (killed for using more than its memory limit of ${run.spec.memory_mb} MiB)`
    : '';
  return {
    state: 'failed',
    failureReason: 'exit_code',
    failureMessage: `the command exited with code ${exitCode ?? 'unknown'}${memory}`,
  };
}

/**
 * A run's result from its stdout log as kept on disk: the last non-empty line, or a problem
 * (too long a line, or a log cut at the cap, whose last line is then not the command's).
 */
export async function captureResult(
  stdoutFile: string,
  logs: LogsReport,
  maxLogBytes: number,
  maxResultBytes: number,
): Promise<{ result: string | null; problem?: string }> {
  if (logs.stdout.truncated) {
    return {
      result: null,
      problem: `stdout came to ${describeBytes(logs.stdout.bytes)}, more than the ${describeBytes(maxLogBytes)} kept (TDS_MAX_LOG_BYTES): its last line, the result, was cut off`,
    };
  }
  const reading = await readLastLine(stdoutFile, maxResultBytes);
  if (reading.kind === 'result') return { result: reading.result };
  if (reading.kind === 'none') return { result: null };
  return { result: null, problem: resultTooLargeMessage(reading.bytes, maxResultBytes) };
}

/**
 * A run that would have succeeded fails for `reason`; one that failed already keeps its own
 * reason, with `message` added to its message.
 */
export function failWith(outcome: RunOutcome, reason: FailureReason, message: string): RunOutcome {
  if (outcome.state === 'succeeded')
    return { state: 'failed', failureReason: reason, failureMessage: message };
  return { ...outcome, failureMessage: [outcome.failureMessage ?? '', message].join('; ') };
}
