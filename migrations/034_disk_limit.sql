-- A run may use at most its disk_mb in the folders it can write to (its output folder and the
-- sampler's): one that writes more is stopped by its worker (kill_reason 'disk') and fails with
-- its own reason. Only the two CHECK constraints change: rows already there satisfy the new ones,
-- and a worker of the previous release never writes the new values.

ALTER TABLE runs DROP CONSTRAINT runs_failure_reason_check;
ALTER TABLE runs ADD CONSTRAINT runs_failure_reason_check CHECK (failure_reason IN (
  'input_error', 'build_error', 'image_error', 'exit_code', 'timeout', 'limit_exceeded',
  'disk_limit_exceeded', 'result_too_large', 'upload_error', 'infra_error', 'cancelled'));

ALTER TABLE runs DROP CONSTRAINT runs_kill_reason_check;
ALTER TABLE runs ADD CONSTRAINT runs_kill_reason_check CHECK (kill_reason IN ('cancel', 'timeout', 'disk'));
