-- PUT /workflows/:id replaces a workflow's definition; every earlier definition is kept, and a
-- workflow run goes on with the definition it started with.

-- workflows.definition stays the one current definition; workflows.version counts the definitions it
-- has had. workflow_versions holds the ones it replaced, each with the time it was replaced, so
-- GET /workflows/:id/versions is this table plus the workflow's row. Workflows stored before this
-- migration are at version 1.
ALTER TABLE workflows ADD COLUMN version integer NOT NULL DEFAULT 1;

CREATE TABLE workflow_versions (
  workflow_id uuid NOT NULL REFERENCES workflows (id),
  version integer NOT NULL,
  definition jsonb NOT NULL,
  replaced_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workflow_id, version)
);

-- The version a workflow run started with: its definition is the workflow's while that version is
-- current, then the one kept in workflow_versions. Every stored run started with version 1. No
-- default from now on: a run inserted without its version is refused rather than read against a
-- later definition.
ALTER TABLE workflow_runs ADD COLUMN workflow_version integer NOT NULL DEFAULT 1;
ALTER TABLE workflow_runs ALTER COLUMN workflow_version DROP DEFAULT;
