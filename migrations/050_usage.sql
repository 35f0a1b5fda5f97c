-- Usage: the CPU, memory and run time runs used, summed per user, definition and day, so that
-- GET /usage reads a month as one indexed range of this table instead of a scan of runs (and of
-- every run's metrics.json in the store). A run is added once, in the transaction that records its
-- end (src/runner/run-end.ts → src/usage/usage-repository.ts), to the day it ended (UTC, by the
-- database's clock): a run that ends after midnight counts wholly on the new day.
--
-- kind and definition_id name the job, or the workflow whose step the run was. No foreign key:
-- what a deleted definition used stays counted.
--
-- Not backfilled: the database never held a run's average CPU and memory (they are in each run's
-- metrics.json in S3; only the peaks went into its end event), so runs that ended before this
-- migration are not counted (docs/usage.md says so).
CREATE TABLE usage_daily (
  user_id text NOT NULL,
  day date NOT NULL,
  kind text NOT NULL CHECK (kind IN ('job', 'workflow')),
  definition_id uuid NOT NULL,
  runs bigint NOT NULL,
  run_seconds double precision NOT NULL,
  cpu_seconds double precision NOT NULL,
  memory_byte_seconds double precision NOT NULL,
  PRIMARY KEY (user_id, day, kind, definition_id)
);

-- An operator's read of every user's usage is a range of days.
CREATE INDEX usage_daily_by_day ON usage_daily (day);
