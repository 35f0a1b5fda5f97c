-- A run whose outputs came to more than the service's cap fails with its own reason.

ALTER TABLE runs DROP CONSTRAINT runs_failure_reason_check;
ALTER TABLE runs ADD CONSTRAINT runs_failure_reason_check CHECK (failure_reason IN (
  'input_error', 'build_error', 'exit_code', 'timeout', 'limit_exceeded', 'upload_error', 'infra_error',
  'cancelled'));
