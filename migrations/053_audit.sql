-- The audit log: who did what to which thing, when and from where, for every operator and owner
-- action (API keys, users' ceilings and allow-lists, workers' drains, definitions, runs cancelled
-- or retried, webhook endpoints, secrets). A row is written in the transaction of the change it
-- records (src/audit/audit-trail.ts), so there is no change without its row and no row without
-- its change. Rows name a key by its id, never the key; a secret by its name, never its value;
-- `summary` is a bounded description of the change (ceilings before and after, a schedule's
-- state), at most 2 KB. `owner_id` is the user whose thing was acted on: a user's key reads the
-- rows about its own things; null for the fleet's workers and operator keys, seen by operators
-- only. Rows older than TDS_AUDIT_RETENTION_DAYS are removed by pruneAudit.
CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor_kind text NOT NULL CHECK (actor_kind IN ('operator', 'user', 'local', 'cli', 'service')),
  actor_key_id uuid,
  actor_user_id text,
  address text,
  action text NOT NULL,
  target_kind text NOT NULL,
  target_id text NOT NULL,
  owner_id text,
  summary jsonb NOT NULL DEFAULT '{}'::jsonb
);

-- The listing is newest first, by id; a user's key reads its own things' rows; pruning by time.
CREATE INDEX audit_log_owner ON audit_log (owner_id, id);
CREATE INDEX audit_log_at ON audit_log (at);
