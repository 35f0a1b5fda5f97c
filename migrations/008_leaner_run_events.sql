-- Every change of a run's state adds a run_events row: fewer writes per row.

-- Events are only ever written in the statement that writes their run (taking run_id from the row
-- just inserted or updated), and pruning deletes a run's events with the run; the reference check
-- locked the run's row again on every event and logged that lock.
ALTER TABLE run_events DROP CONSTRAINT run_events_run_id_fkey;

-- One index instead of two: a run's history is read by (run_id, id), which identifies an event as
-- well as id alone does. Building it reads the whole table once, at this migration.
ALTER TABLE run_events DROP CONSTRAINT run_events_pkey;
ALTER TABLE run_events ADD CONSTRAINT run_events_pkey PRIMARY KEY (run_id, id);
DROP INDEX run_events_by_run;
