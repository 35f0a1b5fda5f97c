import type { RunState } from '../runs/run-states.js';

/**
 * The states of a workflow run's step, the states of a fan-out step's items, and the changes
 * allowed between step states: the one place they are written (beside the run's in
 * src/runs/run-states.ts). Every write of a step's state asks this table (decide.ts names the
 * transition of each change it makes; workflow-service.ts creates steps in their initial states),
 * and GET /states serves it to the CLI and the dashboard.
 */
export const STEP_STATES = [
  'pending',
  'queued',
  'running',
  'succeeded',
  'failed',
  'skipped',
  'cancelled',
] as const;
export type StepState = (typeof STEP_STATES)[number];

/** Not ended yet. */
export const UNFINISHED_STEP_STATES = ['pending', 'queued', 'running'] as const;
/** Ended: nothing changes the step's state again. */
export const ENDED_STEP_STATES = ['succeeded', 'failed', 'skipped', 'cancelled'] as const;
export type EndedStepState = (typeof ENDED_STEP_STATES)[number];

/** Has run or ended other than skipped: what a watcher reports as started (the CLI's "Started:" line). */
export const STARTED_STEP_STATES = ['running', 'succeeded', 'failed', 'cancelled'] as const;

/** A new workflow run's steps: pending, or succeeded when a retry reuses them. */
export const INITIAL_STEP_STATES = ['pending', 'succeeded'] as const satisfies readonly StepState[];

export const STEP_TRANSITIONS = {
  /** Its dependencies allow: a plain step's run is queued, a fan-out's first items' runs are. */
  start: { from: ['pending'], to: ['queued', 'running'] },
  /** Its dependencies ended and its run_if rule says it does not run. */
  skip: { from: ['pending'], to: ['skipped'] },
  /** Cannot start: its items or a placeholder cannot be had (a fan-out of no items succeeds). */
  endBeforeStart: { from: ['pending'], to: ['failed', 'succeeded'] },
  /** The workflow run was cancelled before it started. */
  cancelBeforeStart: { from: ['pending'], to: ['cancelled'] },
  /** Its run follows its container's: started, or handed back to the queue. */
  follow: { from: ['queued', 'running'], to: ['queued', 'running'] },
  /** Its run (a fan-out: every item's) has ended. */
  end: { from: ['queued', 'running'], to: ['succeeded', 'failed', 'cancelled'] },
} as const satisfies Record<string, { from: readonly StepState[]; to: readonly StepState[] }>;

export type StepTransition = keyof typeof STEP_TRANSITIONS;

export function isEndedStep(state: StepState): boolean {
  return (ENDED_STEP_STATES as readonly StepState[]).includes(state);
}

/** Whether the named transition moves a step from `from` to `to`. */
export function stepChangeAllowed(transition: StepTransition, from: StepState, to: StepState): boolean {
  const t = STEP_TRANSITIONS[transition];
  return (t.from as readonly StepState[]).includes(from) && (t.to as readonly StepState[]).includes(to);
}

/** Throws unless the named transition moves a step from `from` to `to` (a bug otherwise). */
export function checkStepChange(transition: StepTransition, from: StepState, to: StepState): void {
  if (!stepChangeAllowed(transition, from, to)) {
    throw new Error(`a step cannot ${transition} from ${from} to ${to}`);
  }
}

/** The state a plain step has while its run is in each state. */
export const RUN_TO_STEP: Record<RunState, StepState> = {
  queued: 'queued',
  staging: 'running',
  building: 'running',
  running: 'running',
  uploading: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  timed_out: 'failed',
  cancelled: 'cancelled',
};

/**
 * A fan-out step's item: pending (not started yet), or its latest run's state as a step's
 * (RUN_TO_STEP: a timed-out run's item failed), skipped or cancelled with its step.
 */
export const ITEM_STATES = [
  'pending',
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'skipped',
] as const;
export type ItemState = (typeof ITEM_STATES)[number];

/** A new workflow run's step's state: succeeded when a retry reuses it, else pending. */
export function initialStepState(reused: boolean): (typeof INITIAL_STEP_STATES)[number] {
  return reused ? 'succeeded' : 'pending';
}
