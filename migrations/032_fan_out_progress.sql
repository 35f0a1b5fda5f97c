-- A fan-out step's progress, kept as it goes, so that moving a workflow run on when one item ends
-- reads the runs still unfinished instead of every run of the workflow run: its cost does not
-- grow with the number of items.

-- How many of a fan-out step's items have had their run started. Items start in index order, so
-- this is also the index of the next item to start.
ALTER TABLE workflow_steps ADD COLUMN items_started integer NOT NULL DEFAULT 0;

UPDATE workflow_steps s SET items_started = (
  SELECT count(DISTINCT r.item_index) FROM runs r
  WHERE r.workflow_run_id = s.workflow_run_id AND r.step_name = s.name AND r.item_index IS NOT NULL)
WHERE s.items IS NOT NULL;

-- A workflow run's runs that have not ended (src/runs/run-states.ts: UNFINISHED_STATES).
CREATE INDEX runs_unfinished_by_workflow_run ON runs (workflow_run_id)
  WHERE workflow_run_id IS NOT NULL AND state IN ('queued', 'staging', 'building', 'running', 'uploading');
