-- Claiming by user: each user's runs under way are bounded by their ceiling, and the user with
-- the fewest runs under way goes first, so that one user's flood cannot starve the others.

ALTER TABLE runs ADD COLUMN user_id text GENERATED ALWAYS AS (spec ->> 'userId') STORED;

-- Queued runs of each user in queue order (also walked to find the users with queued runs).
CREATE INDEX runs_queued_by_user ON runs (user_id, queued_at, id) WHERE state = 'queued';

-- Counting each user's runs under way.
CREATE INDEX runs_active_by_user ON runs (user_id)
  WHERE state IN ('staging', 'building', 'running', 'uploading');
