-- A workflow's own notify_url: an endpoint that receives only that workflow's workflow runs' ends.
ALTER TABLE webhook_endpoints ADD COLUMN workflow_id uuid;
