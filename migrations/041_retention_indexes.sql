-- Retention (src/worker/housekeeper.ts and the pruning it runs): each kind of history it prunes is
-- found by an index on what it is pruned by, and what points at a pruned row is found by an index
-- on the reference, so a pass reads what it deletes and not the whole of each table.

-- Runs of jobs that ended (src/runs/run-states.ts: TERMINAL_STATES), by when; a workflow run's
-- runs go with it.
CREATE INDEX runs_ended ON runs (finished_at)
  WHERE state IN ('succeeded', 'failed', 'cancelled', 'timed_out') AND workflow_run_id IS NULL;
-- A pruned run's retries are kept and unlinked.
CREATE INDEX runs_by_retry_of ON runs (retry_of) WHERE retry_of IS NOT NULL;
-- Workflow runs that ended (src/workflows/workflow-states.ts: ENDED_WORKFLOW_RUN_STATES), by when.
CREATE INDEX workflow_runs_ended ON workflow_runs (ended_at)
  WHERE state IN ('succeeded', 'failed', 'cancelled');
CREATE INDEX workflow_runs_by_retry_of ON workflow_runs (retry_of) WHERE retry_of IS NOT NULL;
CREATE INDEX workflow_steps_by_reused_from ON workflow_steps (reused_from) WHERE reused_from IS NOT NULL;
-- Fire times whose run is not kept, by when; and the fires of a pruned run or workflow run.
CREATE INDEX schedule_fires_unlinked ON schedule_fires (fire_at) WHERE run_id IS NULL;
CREATE INDEX schedule_fires_by_run ON schedule_fires (run_id) WHERE run_id IS NOT NULL;
CREATE INDEX schedule_fires_by_workflow_run ON schedule_fires (workflow_run_id)
  WHERE workflow_run_id IS NOT NULL;
-- Definitions replaced, by when.
CREATE INDEX job_versions_replaced ON job_versions (replaced_at);
CREATE INDEX workflow_versions_replaced ON workflow_versions (replaced_at);
