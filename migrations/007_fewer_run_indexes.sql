-- Fewer indexes on runs: every change of state writes a new entry into each of them.

-- Runs under way are few (no more than the workers' capacity): the index of them by user also
-- serves finding a worker's runs and runs whose heartbeat stopped, read through and filtered.
DROP INDEX runs_active_by_worker;
DROP INDEX runs_by_heartbeat;

-- Claims read queued runs by user (runs_queued_by_user) and by job (runs_queued_by_job).
DROP INDEX runs_queued;
