-- A fan-out step's manifest (items.jsonl: each item with its state, exit code, attempts and
-- result) is written to the store once the step ends, after the transaction that ends it; this
-- records that it was, so the periodic workflow pass writes those a crash left unwritten.
ALTER TABLE workflow_steps ADD COLUMN manifest_written_at timestamptz;

-- Fan-out steps that ended before manifests existed get none: their runs may be pruned already.
UPDATE workflow_steps SET manifest_written_at = ended_at
WHERE items IS NOT NULL AND ended_at IS NOT NULL;

-- The periodic pass: ended fan-out steps whose manifest is not written yet.
CREATE INDEX workflow_steps_manifest_due ON workflow_steps (ended_at)
  WHERE manifest_written_at IS NULL AND items IS NOT NULL AND ended_at IS NOT NULL AND reused_from IS NULL;
