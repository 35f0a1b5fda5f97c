-- A run refused as it is to start, because its user may no longer run it (a ceiling lowered, a
-- bucket taken off their allow-list, every key revoked since the job was submitted), fails with a
-- reason of its own: not_allowed. Only widens the check, so an earlier release runs on as before.

ALTER TABLE runs DROP CONSTRAINT runs_failure_reason_check;
ALTER TABLE runs ADD CONSTRAINT runs_failure_reason_check CHECK (failure_reason IN (
  'input_error', 'build_error', 'image_error', 'exit_code', 'timeout', 'limit_exceeded',
  'disk_limit_exceeded', 'result_too_large', 'upload_error', 'infra_error', 'not_allowed',
  'cancelled'));
