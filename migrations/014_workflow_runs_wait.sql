-- A workflow run fired by a schedule may wait for the workflow's previous run to end (overlap
-- policies queue_one and replace, and caught-up fire times, which run one after another): it stays
-- queued, no step started, until then. At most one workflow run per (workflow, fire time).

ALTER TABLE workflow_runs ADD COLUMN waits_for_previous boolean NOT NULL DEFAULT false;
CREATE UNIQUE INDEX workflow_runs_one_per_fire_time ON workflow_runs (workflow_id, scheduled_for)
  WHERE scheduled_for IS NOT NULL;
-- The queued runs of a workflow, oldest first: what the overlap policies and a run's end look at.
CREATE INDEX workflow_runs_unfinished_by_workflow ON workflow_runs (workflow_id, queued_at, id)
  WHERE state IN ('queued', 'running');
