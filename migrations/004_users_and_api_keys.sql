-- Users as the operator configures them: which buckets their jobs may use, and their ceilings.
-- A user with no row here has no bucket allowed and the operator's default ceilings.
CREATE TABLE users (
  user_id text PRIMARY KEY,
  -- Entries "bucket" (the whole bucket) or "bucket/prefix/" (keys under that prefix).
  allowed_buckets text[] NOT NULL DEFAULT '{}',
  max_cpus numeric,
  max_memory_mb integer,
  max_timeout_seconds integer,
  max_concurrent_runs integer,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- API keys: only a SHA-256 hash of each key is kept. An operator key has no user.
CREATE TABLE api_keys (
  id uuid PRIMARY KEY,
  user_id text,
  operator boolean NOT NULL DEFAULT false,
  name text NOT NULL DEFAULT '',
  hint text NOT NULL,
  key_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  CHECK (operator OR user_id IS NOT NULL)
);
CREATE INDEX api_keys_by_user ON api_keys (user_id, created_at);
