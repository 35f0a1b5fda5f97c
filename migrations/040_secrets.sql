-- Secrets: values a user's jobs get as environment variables at run start, kept out of job
-- definitions. Only the sealed value is stored (AES-256-GCM, src/secrets/secret-box.ts): its IV,
-- ciphertext and tag as text (the RDS Data API passes text without casts), and key_id, a
-- fingerprint of the key that sealed it, so that a service started with another key says so
-- instead of failing to decrypt without a reason. No value, plain or sealed, is ever copied into
-- jobs, runs, events or webhooks: they hold the names only.
CREATE TABLE secrets (
  user_id text NOT NULL,
  name text NOT NULL,
  sealed text NOT NULL,
  key_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, name)
);
