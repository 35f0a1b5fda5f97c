-- The overview of every user counts the last day's runs by state: through runs_by_queue_time
-- (migration 052) that read each of the day's runs from the table for its state. At 1,000,000
-- runs (1,000 users, a year; bench/history-scale.ts) the day holds about 2,700 of them, and the
-- overview took 2.31× its time at 1,000 runs. With the state in the index the count reads the
-- index alone. The index replaces runs_by_queue_time (built first, so that every user's listings
-- always have one of the two); building it reads runs once and holds off changes to them
-- meanwhile (seconds at a million runs).
CREATE INDEX runs_by_queue_time_and_state ON runs (queued_at DESC, id DESC) INCLUDE (state);
DROP INDEX runs_by_queue_time;
