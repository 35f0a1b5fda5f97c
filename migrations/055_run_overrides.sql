-- Trigger overrides and backfill (src/definitions/trigger-overrides.ts, src/definitions/backfill.ts).
-- A run started by POST /jobs/:id/trigger with a body records what it changed of its job
-- (`env` merged over the job's, another `source_s3_prefix`) in `overrides`; its spec is already
-- the merged one. A workflow run records the same and the values of its workflow's params
-- (defaults filled in), which its steps read when they are queued. Null: run as defined.
ALTER TABLE runs ADD COLUMN overrides jsonb;
ALTER TABLE workflow_runs ADD COLUMN overrides jsonb;

-- A backfill (POST /jobs/:id/backfill) queues one run per past fire time, each with its
-- scheduled_for: its own trigger, so that it is never mistaken for a fire of the scheduler.
ALTER TABLE runs DROP CONSTRAINT runs_trigger_check;
ALTER TABLE runs ADD CONSTRAINT runs_trigger_check
  CHECK (trigger IN ('submit', 'schedule', 'catch_up', 'manual', 'retry', 'workflow', 'backfill'));
ALTER TABLE workflow_runs DROP CONSTRAINT workflow_runs_trigger_check;
ALTER TABLE workflow_runs ADD CONSTRAINT workflow_runs_trigger_check
  CHECK (trigger IN ('submit', 'schedule', 'catch_up', 'manual', 'retry', 'backfill'));
