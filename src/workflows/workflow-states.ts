/**
 * The states of a workflow run and the changes allowed between them (beside the run's in
 * src/runs/run-states.ts): the one place they are written. The CHECK of workflow_runs.state
 * (migration 010) holds the same list; every statement that sets a workflow run's state is one of
 * these transitions (workflow-service.ts inserts it queued; workflow-snapshot.ts starts and ends it).
 */
export const WORKFLOW_RUN_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type WorkflowRunState = (typeof WORKFLOW_RUN_STATES)[number];

/** Not ended: the engine moves it on. */
export const UNFINISHED_WORKFLOW_RUN_STATES = ['queued', 'running'] as const;
/** Ended: nothing changes its state again. */
export const ENDED_WORKFLOW_RUN_STATES = ['succeeded', 'failed', 'cancelled'] as const;
export type EndedWorkflowRunState = (typeof ENDED_WORKFLOW_RUN_STATES)[number];

/** The state a workflow run is created in. */
export const INITIAL_WORKFLOW_RUN_STATE = 'queued' satisfies WorkflowRunState;

export const WORKFLOW_RUN_TRANSITIONS = {
  /** Its first steps are moved on (it no longer waits for the workflow's previous run). */
  start: { from: ['queued'], to: ['running'] },
  /** Every step has ended: it ends with them (cancelled when a cancel was asked for). */
  end: { from: UNFINISHED_WORKFLOW_RUN_STATES, to: ENDED_WORKFLOW_RUN_STATES },
} as const satisfies Record<string, { from: readonly WorkflowRunState[]; to: readonly WorkflowRunState[] }>;

export type WorkflowRunTransition = keyof typeof WORKFLOW_RUN_TRANSITIONS;

export function isUnfinishedWorkflowRun(state: string): boolean {
  return (UNFINISHED_WORKFLOW_RUN_STATES as readonly string[]).includes(state);
}

/** Throws unless the named transition moves a workflow run from `from` to `to` (a bug otherwise). */
export function checkWorkflowRunChange(
  transition: WorkflowRunTransition,
  from: WorkflowRunState,
  to: WorkflowRunState,
): void {
  const t = WORKFLOW_RUN_TRANSITIONS[transition];
  if (!(t.from as readonly string[]).includes(from) || !(t.to as readonly string[]).includes(to)) {
    throw new Error(`a workflow run cannot ${transition} from ${from} to ${to}`);
  }
}
