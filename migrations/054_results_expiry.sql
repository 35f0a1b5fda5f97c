-- Results expiry (src/runs/results-expiry.ts): the housekeeper's retention pass deletes a run's
-- results folder in S3 once its results period has passed and records when here; the row itself
-- stays until history retention (TDS_RETENTION_DAYS) prunes it. Null: the folder is still there.
ALTER TABLE runs ADD COLUMN results_expired_at timestamptz;

-- The pass reads runs that ended and whose folder is still there, oldest first (its period is
-- each run's own, so it walks them by when they ended and stops at its batch).
CREATE INDEX runs_results_kept ON runs (finished_at, id)
  WHERE results_expired_at IS NULL AND state IN ('succeeded', 'failed', 'cancelled', 'timed_out');
