-- Workflows: a stored definition (keyed by user_id + unique_id like a job), its runs, and the state
-- of each step of each run. Every step is a run (runs.workflow_run_id, step_name, item_index), so
-- steps are claimed, sandboxed, limited and finished as any run is.

CREATE TABLE workflows (
  id uuid PRIMARY KEY,
  user_id text NOT NULL,
  unique_id text NOT NULL,
  definition jsonb NOT NULL,
  cron text,
  timezone text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  CONSTRAINT workflows_user_unique_id UNIQUE (user_id, unique_id)
);

CREATE INDEX workflows_by_user ON workflows (user_id, created_at DESC, id DESC);

CREATE TABLE workflow_runs (
  id uuid PRIMARY KEY,
  workflow_id uuid NOT NULL REFERENCES workflows (id),
  user_id text NOT NULL,
  state text NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  trigger text NOT NULL CHECK (trigger IN ('submit', 'schedule', 'catch_up', 'manual', 'retry')),
  scheduled_for timestamptz,
  retry_of uuid REFERENCES workflow_runs (id),
  from_step text,
  max_parallel integer NOT NULL,
  failure_step text,
  failure_reason text,
  failure_message text,
  cancel_requested_at timestamptz,
  queued_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  ended_at timestamptz,
  -- When a step's end last moved it on: the periodic pass advances those left behind by a crash.
  advanced_at timestamptz NOT NULL DEFAULT now(),
  report_written_at timestamptz
);

CREATE INDEX workflow_runs_by_workflow ON workflow_runs (workflow_id, queued_at DESC, id DESC);
CREATE INDEX workflow_runs_by_user ON workflow_runs (user_id, queued_at DESC, id DESC);
CREATE INDEX workflow_runs_unfinished ON workflow_runs (advanced_at) WHERE state IN ('queued', 'running');
CREATE INDEX workflow_runs_unreported ON workflow_runs (ended_at)
  WHERE report_written_at IS NULL AND ended_at IS NOT NULL;

CREATE TABLE workflow_steps (
  workflow_run_id uuid NOT NULL REFERENCES workflow_runs (id),
  name text NOT NULL,
  position integer NOT NULL,
  state text NOT NULL CHECK (state IN (
    'pending', 'queued', 'running', 'succeeded', 'failed', 'skipped', 'cancelled')),
  reason text,
  result text,
  exit_code integer,
  attempts integer NOT NULL DEFAULT 0,
  -- A fan-out step's items, once known (a static list, or its source step's result).
  items jsonb,
  -- What a dependant stages under /job/steps/: [{name, bucket, prefix}], set when the step ends.
  outputs jsonb NOT NULL DEFAULT '[]',
  reused_from uuid REFERENCES workflow_runs (id),
  started_at timestamptz,
  ended_at timestamptz,
  PRIMARY KEY (workflow_run_id, name)
);

ALTER TABLE runs ALTER COLUMN job_id DROP NOT NULL;
ALTER TABLE runs ADD COLUMN workflow_run_id uuid REFERENCES workflow_runs (id);
ALTER TABLE runs ADD COLUMN step_name text;
ALTER TABLE runs ADD COLUMN item_index integer;
-- NOT VALID: every stored run has a job, and the check holds for each row written from now on
-- without reading the whole table at this migration.
ALTER TABLE runs ADD CONSTRAINT runs_job_or_workflow_run
  CHECK ((job_id IS NULL) <> (workflow_run_id IS NULL)) NOT VALID;
ALTER TABLE runs DROP CONSTRAINT runs_trigger_check;
ALTER TABLE runs ADD CONSTRAINT runs_trigger_check
  CHECK (trigger IN ('submit', 'schedule', 'catch_up', 'manual', 'retry', 'workflow'));
CREATE INDEX runs_by_workflow_run ON runs (workflow_run_id, step_name, item_index)
  WHERE workflow_run_id IS NOT NULL;
