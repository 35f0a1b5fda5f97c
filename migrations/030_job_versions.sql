-- PUT /jobs/:id replaces a job's definition; every earlier definition is kept.

-- jobs.spec stays the one current definition (claims, schedules and listings read it as before);
-- jobs.version counts the definitions it has had. job_versions holds the ones it replaced, each
-- with the time it was replaced (by PUT, or by PATCH of its schedule), so GET /jobs/:id/versions
-- is this table plus the job's row. Jobs created before this migration are at version 1.
ALTER TABLE jobs ADD COLUMN version integer NOT NULL DEFAULT 1;

CREATE TABLE job_versions (
  job_id uuid NOT NULL REFERENCES jobs (id),
  version integer NOT NULL,
  spec jsonb NOT NULL,
  replaced_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, version)
);
