-- Events other systems are told about (a run ended, a fire time skipped), the webhook endpoints
-- users register to receive them, and each delivery to each endpoint with every attempt.

-- The outbox: written in the same statement or transaction as the change it reports, so an event
-- is never lost nor invented by a crash. Webhook deliveries and GET /events read it.
-- `xact` is the writing transaction: GET /events hands out events in (xact, id) order, only once
-- every transaction that could still write one before them has ended (src/events/event-feed.ts),
-- so a reader resuming after a cursor misses none, however transactions commit.
CREATE TABLE events (
  id bigserial PRIMARY KEY,
  type text NOT NULL,
  user_id text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  data jsonb NOT NULL,
  xact xid8 NOT NULL DEFAULT pg_current_xact_id()
);

-- GET /events: events in the order of their transaction, then id, after a cursor; a user's, or
-- everyone's (an operator's stream).
CREATE INDEX events_by_user ON events (user_id, xact, id);
CREATE INDEX events_in_order ON events (xact, id);

-- Endpoints: a URL and the event types it wants. `job_id` is set for a job's own `notify_url`
-- (it then receives only that job's runs). Secrets are not stored: each is derived from the
-- service's signing key, the endpoint's id and its generation (see docs/webhooks.md); rotation
-- bumps the generation and keeps the previous one valid until `previous_valid_until`.
CREATE TABLE webhook_endpoints (
  id uuid PRIMARY KEY,
  user_id text NOT NULL,
  url text NOT NULL,
  event_types text[] NOT NULL,
  job_id uuid,
  description text,
  secret_generation integer NOT NULL DEFAULT 1,
  previous_valid_until timestamptz,
  disabled_at timestamptz,
  disabled_reason text,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Matching an event to the endpoints that want it, in the statement that writes the event.
CREATE INDEX webhook_endpoints_by_user ON webhook_endpoints (user_id) WHERE disabled_at IS NULL;

-- The key secrets are derived from when TDS_WEBHOOK_SIGNING_KEY is not set (one row).
CREATE TABLE webhook_signing_key (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  key text NOT NULL
);

-- One event to one endpoint. Its id is the `webhook-id` header, the same on every attempt.
CREATE TABLE webhook_deliveries (
  id uuid PRIMARY KEY,
  endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  event_id bigint NOT NULL REFERENCES events (id),
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  -- Retried until then: a day after it was queued, or after it was redelivered by hand.
  retry_until timestamptz NOT NULL DEFAULT now() + interval '1 day',
  created_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz,
  last_error text
);

-- The sender's claim: due deliveries in order.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, created_at DESC);
-- Pruning old events with their deliveries (and the check of the reference when one is deleted).
CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (event_id);

-- Every attempt: when, what the receiver answered (or why nothing was), and how long it took.
CREATE TABLE webhook_attempts (
  delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  attempt integer NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  status integer,
  error text,
  duration_ms integer NOT NULL,
  PRIMARY KEY (delivery_id, attempt)
);
