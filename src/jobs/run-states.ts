export const RUN_STATES = [
  'queued',
  'staging',
  'building',
  'running',
  'uploading',
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
] as const;

export type RunState = (typeof RUN_STATES)[number];

export const TERMINAL_STATES: readonly RunState[] = ['succeeded', 'failed', 'cancelled', 'timed_out'];
/** States in which a worker owns the run. */
export const ACTIVE_STATES: readonly RunState[] = ['staging', 'building', 'running', 'uploading'];

export function isTerminal(state: RunState): boolean {
  return TERMINAL_STATES.includes(state);
}
