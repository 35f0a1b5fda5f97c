-- Recurring jobs: one schedule per job, and a record of what became of every fire time.

ALTER TABLE jobs ADD COLUMN deleted_at timestamptz;

-- A run fired by a schedule carries its fire time; a run may wait for the job's previous run to end
-- (overlap policies queue_one and replace, and catch-up runs, which run one after another).
ALTER TABLE runs ADD COLUMN scheduled_for timestamptz;
ALTER TABLE runs ADD COLUMN waits_for_previous boolean NOT NULL DEFAULT false;
ALTER TABLE runs DROP CONSTRAINT runs_trigger_check;
ALTER TABLE runs ADD CONSTRAINT runs_trigger_check CHECK (trigger IN ('submit', 'schedule', 'catch_up', 'manual'));
CREATE UNIQUE INDEX runs_one_per_fire_time ON runs (job_id, scheduled_for) WHERE scheduled_for IS NOT NULL;
CREATE INDEX runs_queued_by_job ON runs (job_id, queued_at, id) WHERE state = 'queued';

CREATE TABLE schedules (
  job_id uuid PRIMARY KEY REFERENCES jobs (id),
  cron text NOT NULL,
  timezone text NOT NULL,
  overlap_policy text NOT NULL CHECK (overlap_policy IN ('skip', 'allow', 'queue_one', 'replace')),
  catch_up_policy text NOT NULL CHECK (catch_up_policy IN ('latest', 'all', 'skip')),
  catch_up_window_seconds integer NOT NULL,
  catch_up_limit integer NOT NULL,
  paused boolean NOT NULL DEFAULT false,
  next_fire_at timestamptz,
  last_fire_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Finding due schedules reads only the head of this index, however many schedules there are.
CREATE INDEX schedules_due ON schedules (next_fire_at) WHERE NOT paused AND next_fire_at IS NOT NULL;

-- One row per (job, fire time): the primary key is what makes a fire time produce one run at most,
-- whatever the number of schedulers. Outcomes that queued nothing are kept too.
CREATE TABLE schedule_fires (
  job_id uuid NOT NULL REFERENCES jobs (id),
  fire_at timestamptz NOT NULL,
  outcome text NOT NULL CHECK (outcome IN (
    'queued', 'caught_up', 'skipped_overlap', 'skipped_buffer_full', 'missed')),
  -- Checked at commit: a batch of fire times and their runs is written in two statements.
  run_id uuid REFERENCES runs (id) DEFERRABLE INITIALLY DEFERRED,
  detail text,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, fire_at)
);
