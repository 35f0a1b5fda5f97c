-- Runs held back by a retry's backoff, by when it ends: a worker woken by notifications sleeps
-- no longer than the soonest (src/runs/claim.ts, nextBackoffEndsInMs), since nothing notifies it
-- when a backoff runs out. Only retries waiting out a backoff are in it.
CREATE INDEX runs_queued_backoff ON runs (not_before) WHERE state = 'queued' AND not_before IS NOT NULL;
