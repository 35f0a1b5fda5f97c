-- Who this installation is, apart from any other sharing a Docker engine with it.
--
-- Worker ids default to the host name, so two installations on one host share them; the
-- housekeeper and the watcher could not tell their containers apart and removed each other's runs.
-- Every container, image and network the service makes is labelled with this id
-- (tds.installation), and only what carries it is removed or adopted.
--
-- The row is made by the first service to start on the database, not here: a database cloned from
-- a migrated template (the test suite does so) must be an installation of its own.
CREATE TABLE installation (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- When this installation last used each image it pulled or built, per Docker engine, so that the
-- housekeeper evicts the least recently used first when they outgrow TDS_IMAGE_CACHE_MB.
CREATE TABLE image_uses (
  engine_id text NOT NULL,
  ref text NOT NULL,
  last_used_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (engine_id, ref)
);
