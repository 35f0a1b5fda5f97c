import type { RunOutcome } from '../runs/transitions.js';
import type { LogsReport, OutputReport } from './collect-results.js';
import { describeBytes } from '../sizes.js';

/** What was cut to stay under the caps, in words; empty when nothing was. */
export function limitNotes(outputs: OutputReport | undefined, logs: LogsReport | undefined): string[] {
  const notes: string[] = [];
  if (outputs?.overCap) {
    const { files, bytes, maxBytes } = outputs.overCap;
    notes.push(
      `the outputs came to ${describeBytes(outputs.bytes + bytes)}, more than the ${describeBytes(maxBytes)} a run may upload (TDS_MAX_OUTPUT_BYTES): ${files} ${files === 1 ? 'file' : 'files'} of ${describeBytes(bytes)} did not fit and ${files === 1 ? 'was' : 'were'} not uploaded (listed in run.json)`,
    );
  }
  if (outputs?.overSpool) {
    const { files, bytes, maxBytes } = outputs.overSpool;
    notes.push(
      `the worker's spool, where results wait for their upload, had no room for ${files} output ${files === 1 ? 'file' : 'files'} of ${describeBytes(bytes)} (it holds at most ${describeBytes(maxBytes)}, TDS_SPOOL_MAX_BYTES, for all the runs whose results are waiting): ${files === 1 ? 'it was' : 'they were'} not uploaded (listed in run.json)`,
    );
  }
  for (const name of ['stdout', 'stderr'] as const) {
    const log = logs?.[name];
    if (log?.truncated) {
      notes.push(
        `${name}.log was truncated: the command wrote ${describeBytes(log.bytes)}, more than TDS_MAX_LOG_BYTES`,
      );
    }
  }
  return notes;
}

/**
 * The outcome once the caps are taken into account: outputs over the cap (or with no room in the
 * spool) fail a run that would have succeeded (`limit_exceeded`); otherwise what was cut is added
 * to the failure message.
 * Truncated logs alone do not fail a run: the log ends with a line saying so, and run.json too.
 */
export function applyLimits(
  outcome: RunOutcome,
  outputs: OutputReport | undefined,
  logs: LogsReport | undefined,
): RunOutcome {
  const notes = limitNotes(outputs, logs);
  if ((outputs?.overCap || outputs?.overSpool) && outcome.state === 'succeeded') {
    return { state: 'failed', failureReason: 'limit_exceeded', failureMessage: notes.join('; ') };
  }
  if (outcome.state === 'succeeded' || notes.length === 0) return outcome;
  return { ...outcome, failureMessage: [outcome.failureMessage ?? '', ...notes].join('; ') };
}
