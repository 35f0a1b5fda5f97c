-- Workers woken by LISTEN/NOTIFY (src/worker/worker.ts), and placed by what runs ask for.
--
-- A run becomes claimable when it is queued (submitted, triggered, fired by a schedule, a workflow
-- step, a retry, a run handed back to the queue) and may become claimable when another run ends
-- (its user's ceiling, a job's waits-for-previous, a worker's CPUs and memory): both notify
-- channel tds_runs_claimable, in the transaction that makes the change, so a worker LISTENing on
-- it claims at once, whatever path wrote the row. Triggers rather than pg_notify in each
-- statement: every path that queues a run is covered, including ones added later. Postgres folds
-- the identical notifications of one transaction into one, so a fan-out of many items sends one.
-- On the RDS Data API nobody listens, and NOTIFY with no listener costs next to nothing.
CREATE FUNCTION notify_runs_claimable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('tds_runs_claimable', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER runs_queued_notify AFTER INSERT ON runs
  FOR EACH ROW WHEN (NEW.state = 'queued') EXECUTE FUNCTION notify_runs_claimable();

-- WHEN is evaluated before the function is called: heartbeats and other updates that leave the
-- state alone cost no call.
CREATE TRIGGER runs_claimable_notify AFTER UPDATE OF state ON runs
  FOR EACH ROW WHEN (
    (NEW.state = 'queued' AND OLD.state <> 'queued')
    OR (OLD.state IN ('staging', 'building', 'running', 'uploading')
        AND NEW.state IN ('succeeded', 'failed', 'cancelled', 'timed_out')))
  EXECUTE FUNCTION notify_runs_claimable();

-- What a worker offers besides its slots (TDS_WORKER_CPUS, TDS_WORKER_MEMORY_MB): what the API
-- compares a queued run's cpus and memory_mb with, to say why it waits. Null for a worker of an
-- earlier release, which does not count them.
ALTER TABLE workers ADD COLUMN cpus numeric;
ALTER TABLE workers ADD COLUMN memory_mb bigint;
