-- GET /runs?userId=: a user's runs across their jobs, newest first, a page at a time.

-- Without it a page reads the whole runs table: 280 to 400 ms at 550,000 runs (200 users, 30 days
-- of history, 2 cores), whatever the page or the user; with it, under 1 ms for a page of 50, a
-- filter on state included, since state is a key column and is checked in the index. Every change
-- of a run's state writes a new entry here, as into each index of runs: bench/claim-rate measured
-- 3,017 bytes of WAL per run claimed and ended, against 2,577 without it (+17%).
--
-- Not added, on purpose:
-- - an index of every run by queue time, for an operator listing every user's runs (about 320
--   bytes more, +11%, on the same measure): that listing reads through the table instead, which
--   only operators do;
-- - id in runs_by_job (136 bytes more): a job's runs come a page at a time from it already (queue
--   time in order, the rare tie on it sorted by id), in under 1 ms for a job with 2,000 runs.
-- Building it reads the whole table once, at this migration (about 3 s at 550,000 runs), and
-- holds off changes to runs meanwhile.
CREATE INDEX runs_by_user ON runs (user_id, queued_at DESC, id DESC, state);
