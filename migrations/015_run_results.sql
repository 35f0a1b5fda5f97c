-- Runs may keep a result (the last non-empty line of stdout, at most 64 KiB) and fail for two new
-- reasons: a prebuilt image that cannot be had (image_error), a result too long to keep
-- (result_too_large). A nullable column without a default is added without rewriting the table.

ALTER TABLE runs ADD COLUMN result text;

ALTER TABLE runs DROP CONSTRAINT runs_failure_reason_check;
ALTER TABLE runs ADD CONSTRAINT runs_failure_reason_check CHECK (failure_reason IN (
  'input_error', 'build_error', 'image_error', 'exit_code', 'timeout', 'limit_exceeded',
  'result_too_large', 'upload_error', 'infra_error', 'cancelled'));
