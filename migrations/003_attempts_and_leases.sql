-- Retries and leases: a retry is a new run linked to the one it retries, held back until its
-- backoff has passed; a worker's hold on a run lapses when its heartbeat stops.

ALTER TABLE runs ADD COLUMN attempt integer NOT NULL DEFAULT 1;
ALTER TABLE runs ADD COLUMN retry_of uuid REFERENCES runs (id);
ALTER TABLE runs ADD COLUMN not_before timestamptz;
ALTER TABLE runs DROP CONSTRAINT runs_trigger_check;
ALTER TABLE runs ADD CONSTRAINT runs_trigger_check
  CHECK (trigger IN ('submit', 'schedule', 'catch_up', 'manual', 'retry'));

-- Finding runs whose worker stopped heartbeating.
CREATE INDEX runs_by_heartbeat ON runs (heartbeat_at)
  WHERE state IN ('staging', 'building', 'running', 'uploading');
