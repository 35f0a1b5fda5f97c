-- Recurring workflows: a schedule, and the record of what became of each of its fire times, belong
-- to a job or to a workflow. The scheduler fires both the same way, under the same locks and the
-- same one-row-per-fire-time key; a workflow's fire starts a workflow run instead of queuing a run.

-- A schedule's id is its job's or its workflow's: one schedule each, found by either id alike.
ALTER TABLE schedules DROP CONSTRAINT schedules_pkey;
ALTER TABLE schedules ALTER COLUMN job_id DROP NOT NULL;
ALTER TABLE schedules ADD COLUMN workflow_id uuid REFERENCES workflows (id);
ALTER TABLE schedules ADD CONSTRAINT schedules_job_or_workflow CHECK ((job_id IS NULL) <> (workflow_id IS NULL));
ALTER TABLE schedules ADD COLUMN id uuid GENERATED ALWAYS AS (coalesce(job_id, workflow_id)) STORED;
ALTER TABLE schedules ADD PRIMARY KEY (id);
CREATE UNIQUE INDEX schedules_one_per_job ON schedules (job_id);
CREATE UNIQUE INDEX schedules_one_per_workflow ON schedules (workflow_id);

-- One row per (job, fire time) as before, and per (workflow, fire time): the unique keys are what
-- make a fire time start one run (or one workflow run) at most, whatever the number of schedulers.
ALTER TABLE schedule_fires ADD CONSTRAINT schedule_fires_one_per_job UNIQUE (job_id, fire_at);
ALTER TABLE schedule_fires DROP CONSTRAINT schedule_fires_pkey;
ALTER TABLE schedule_fires ALTER COLUMN job_id DROP NOT NULL;
ALTER TABLE schedule_fires ADD COLUMN workflow_id uuid REFERENCES workflows (id);
-- Checked at commit, as run_id is: a fire time is recorded before its workflow run is written.
ALTER TABLE schedule_fires ADD COLUMN workflow_run_id uuid
  REFERENCES workflow_runs (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE schedule_fires ADD CONSTRAINT schedule_fires_job_or_workflow
  CHECK ((job_id IS NULL) <> (workflow_id IS NULL));
ALTER TABLE schedule_fires ADD CONSTRAINT schedule_fires_one_per_workflow UNIQUE (workflow_id, fire_at);
