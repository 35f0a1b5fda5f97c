-- The fleet: every worker that ever started, what it offers, and whether it may claim.

-- One row per worker id (TDS_WORKER_ID, stable across restarts), written when the worker starts
-- and kept fresh by its heartbeat. A worker is `gone` when its heartbeat is older than the lease
-- or it stopped; `draining` while drain_requested_at is set. Rows are kept after a worker is gone:
-- the tags it advertised tell the API which `requires` some worker has ever offered.
--
-- runs_in_hand is not stored: it is counted from runs (runs_active_by_worker) when the fleet is
-- listed, so it is never behind.
CREATE TABLE workers (
  id text PRIMARY KEY,
  host text NOT NULL,
  -- TDS_WORKER_TAGS and the engine's platform (linux/amd64): what a run's requires must be within.
  tags jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(tags) = 'array'),
  platform text NOT NULL,
  version text NOT NULL,
  capacity integer NOT NULL CHECK (capacity > 0),
  started_at timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  stopped_at timestamptz,
  -- Set by POST /admin/workers/:id/drain, cleared by /undrain; it outlives restarts of the worker.
  drain_requested_at timestamptz
);
