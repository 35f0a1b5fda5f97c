-- A fan-out step's result is its items' results as one JSON array; over TDS_MAX_RESULT_BYTES it is
-- not kept in the row (10,000 items of 64 KiB would make a 640 MiB string, more than a JavaScript
-- string may hold): result stays NULL and this says that every item's result is in the step's
-- manifest (items.jsonl), which its dependants are given as a file instead.
-- A default, so that the previous release (which never sets it) keeps working.
ALTER TABLE workflow_steps ADD COLUMN result_truncated boolean NOT NULL DEFAULT false;
