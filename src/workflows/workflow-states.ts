/** The states of a workflow run (the CHECK of workflow_runs.state in migration 010). */
export const WORKFLOW_RUN_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type WorkflowRunState = (typeof WORKFLOW_RUN_STATES)[number];
