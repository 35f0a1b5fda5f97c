import { quoteLiteral } from '../../services/db/sql-text.js';

/**
 * The states of a run, their groups and the changes allowed between them: the one place they are
 * written. SQL takes its lists from here (`sqlStates`), so a statement and the code around it
 * never disagree about which states a group holds.
 */
/** Under way: a worker owns the run (it holds a lease on it, renewed by its heartbeat). */
export const ACTIVE_STATES = ['staging', 'building', 'running', 'uploading'] as const;
export type ActiveState = (typeof ACTIVE_STATES)[number];

/** Queued or under way: the run has not ended. */
export const UNFINISHED_STATES = ['queued', ...ACTIVE_STATES] as const;
export type UnfinishedState = (typeof UNFINISHED_STATES)[number];

/** Ended: nothing changes the run's state again. */
export const TERMINAL_STATES = ['succeeded', 'failed', 'cancelled', 'timed_out'] as const;
export type TerminalState = (typeof TERMINAL_STATES)[number];

/** Ended without doing what it was asked: the overview's recent failures. */
export const FAILED_STATES = ['failed', 'timed_out'] as const;

/** Every state, in the order a run passes through them: the unfinished ones, then the ends. */
export const RUN_STATES = [...UNFINISHED_STATES, ...TERMINAL_STATES] as const;
export type RunState = (typeof RUN_STATES)[number];

/**
 * Every change of state a run may make, by name: each statement that changes a run's state is one
 * of these (claim.ts, transitions.ts), and takes its `from` states from here.
 */
export const RUN_TRANSITIONS = {
  /** A worker takes a queued run. */
  claim: { from: ['queued'], to: ['staging'] },
  /** Its inputs are staged: the image is built next. */
  startBuilding: { from: ['staging'], to: ['building'] },
  /** Its container is started. */
  startRunning: { from: ['building'], to: ['running'] },
  /** Its container has exited: the results are collected and uploaded. */
  beginUpload: { from: ['running'], to: ['uploading'] },
  /** It ends with an outcome, from wherever it is. */
  finish: { from: UNFINISHED_STATES, to: TERMINAL_STATES },
  /** Cancelled before any worker took it. */
  cancelQueued: { from: ['queued'], to: ['cancelled'] },
  /** Handed back to the queue before its container started: a restart, a shutdown or a lapsed lease. */
  requeue: { from: ['staging', 'building'], to: ['queued'] },
  /**
   * Handed back to the queue after its container was stopped by its own worker, cut off from the
   * database (fencing): the command did not end, so it runs again, as the same run.
   */
  requeueFenced: { from: ['running'], to: ['queued'] },
} as const satisfies Record<string, { from: readonly RunState[]; to: readonly RunState[] }>;

export type TransitionName = keyof typeof RUN_TRANSITIONS;

export function isTerminal(state: RunState): boolean {
  return (TERMINAL_STATES as readonly RunState[]).includes(state);
}

/** Whether the named transition may move a run that is in `from`. */
export function transitionFrom(transition: TransitionName, from: RunState): boolean {
  return (RUN_TRANSITIONS[transition].from as readonly RunState[]).includes(from);
}

/** Whether some named transition moves a run from `from` to `to`. */
export function canChange(from: RunState, to: RunState): boolean {
  return Object.values(RUN_TRANSITIONS).some(
    (t) => (t.from as readonly RunState[]).includes(from) && (t.to as readonly RunState[]).includes(to),
  );
}

/** A state as a SQL literal: `'queued'`. */
export function sqlState(state: RunState): string {
  return quoteLiteral(state);
}

/** A group of states as a SQL list, to follow `IN`: `('staging', 'building')`. */
export function sqlStates(states: readonly RunState[]): string {
  if (states.length === 0) throw new Error('a list of states in SQL needs at least one state');
  return `(${states.map(sqlState).join(', ')})`;
}
