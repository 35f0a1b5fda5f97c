-- Fair turns between tenants' webhook endpoints, and backing off an endpoint that keeps failing
-- (src/webhooks/delivery-queue.ts).

-- When the sender last took a delivery of the endpoint: endpoints are served least recently served
-- first, each user's in turn, so one endpoint's backlog never holds up another's deliveries.
ALTER TABLE webhook_endpoints ADD COLUMN last_turn_at timestamptz;
-- Attempts that failed in a row, and until when none of its deliveries is sent: 1 s after the
-- first failure, doubling up to an hour; the first delivered attempt clears both.
ALTER TABLE webhook_endpoints ADD COLUMN failures integer NOT NULL DEFAULT 0;
ALTER TABLE webhook_endpoints ADD COLUMN paused_until timestamptz;

-- An endpoint's oldest due delivery, and whether it has one, read for each endpoint in a claim.
CREATE INDEX webhook_deliveries_due_by_endpoint ON webhook_deliveries (endpoint_id, next_attempt_at)
  WHERE state = 'pending';
