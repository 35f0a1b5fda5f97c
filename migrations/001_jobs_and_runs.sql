-- Jobs as posted (normalised), their runs, and every state a run went through.

CREATE TABLE jobs (
  id uuid PRIMARY KEY,
  user_id text NOT NULL,
  unique_id text NOT NULL,
  spec jsonb NOT NULL,
  cron text,
  timezone text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT jobs_user_unique_id UNIQUE (user_id, unique_id)
);

CREATE INDEX jobs_by_user ON jobs (user_id, created_at DESC, id DESC);

CREATE TABLE runs (
  id uuid PRIMARY KEY,
  job_id uuid NOT NULL REFERENCES jobs (id),
  state text NOT NULL CHECK (state IN (
    'queued', 'staging', 'building', 'running', 'uploading',
    'succeeded', 'failed', 'cancelled', 'timed_out')),
  trigger text NOT NULL CHECK (trigger IN ('submit', 'schedule', 'manual')),
  spec jsonb NOT NULL,
  results_bucket text NOT NULL,
  results_prefix text NOT NULL,
  worker_id text,
  container_id text,
  image text,
  exit_code integer,
  failure_reason text CHECK (failure_reason IN (
    'input_error', 'build_error', 'exit_code', 'timeout', 'upload_error', 'infra_error', 'cancelled')),
  failure_message text,
  kill_reason text CHECK (kill_reason IN ('cancel', 'timeout')),
  cancel_requested_at timestamptz,
  deadline_at timestamptz,
  queued_at timestamptz NOT NULL DEFAULT now(),
  claimed_at timestamptz,
  started_at timestamptz,
  ended_at timestamptz,
  finished_at timestamptz,
  heartbeat_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX runs_queued ON runs (queued_at, id) WHERE state = 'queued';
CREATE INDEX runs_active_by_worker ON runs (worker_id)
  WHERE state IN ('staging', 'building', 'running', 'uploading');
CREATE INDEX runs_by_job ON runs (job_id, queued_at DESC);

CREATE TABLE run_events (
  id bigserial PRIMARY KEY,
  run_id uuid NOT NULL REFERENCES runs (id),
  state text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  detail jsonb
);

CREATE INDEX run_events_by_run ON run_events (run_id, id);
