-- Listings of every user's runs and definitions, as operators read them, in pages from an index.
--
-- bench/history-scale.ts measured, at 100,000 runs (10,000 jobs, 100 users) against 1,000: an
-- operator's first page of GET /runs 839 ms against 30 ms (28×: the whole table read and sorted by
-- queue time), the overview of every user 3.4× (the last day's runs found by reading them all),
-- GET /job-summaries of every user 7.7× (every job sorted by creation). Each grows with the
-- history; a user's own listings (runs_by_user, jobs_by_user) do not.
--
-- At 1,000,000 runs the overview of every user still took 9× its time at 1,000: its recent
-- failures (failed or timed out in the last week, newest end first) were found by reading the
-- week's runs; runs_failed_by_end holds the failed ones only (FAILED_STATES, src/runs/run-states.ts),
-- by their end, a tenth of the runs at most.
--
-- runs_by_queue_time costs every run one more index entry per change of state (migration 009
-- weighed it at about +11% of WAL per run claimed and ended). Building these reads runs and jobs
-- once and holds off changes to them meanwhile (seconds at a million runs).
CREATE INDEX runs_by_queue_time ON runs (queued_at DESC, id DESC);
CREATE INDEX jobs_by_creation ON jobs (created_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX workflows_by_creation ON workflows (created_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX runs_failed_by_end ON runs (ended_at DESC NULLS LAST, id DESC) WHERE state IN ('failed', 'timed_out');
