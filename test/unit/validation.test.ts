import { describe, it, expect } from 'vitest';
import Type, { type TSchema } from 'typebox';
import { validatorCompiler } from '../../src/api/validation.js';
import { ValidationError } from '../../src/errors.js';
import { JobRequestSchema } from '../../src/jobs/job-spec.js';

type ValidationResult = { value: unknown; error?: undefined } | { value?: undefined; error: ValidationError };

function compile(schema: TSchema, httpPart: string): (input: unknown) => ValidationResult {
  const validate = validatorCompiler({ schema, httpPart, method: 'POST', url: '/jobs' } as never);
  return validate as unknown as (input: unknown) => ValidationResult;
}

const validateBody = compile(JobRequestSchema, 'body');

const VALID_BODY = {
  userId: 'akhil-test',
  uniqueId: 'akhil-test-uid',
  s3_bucket: 'ccbd-hw2-frontend',
  source_s3_prefix: '',
  destination_s3_prefix: '/out/',
  command: "python3 -c 'print(56789)'",
  linux_dependencies: ['git', 'curl', 'python3'],
  cron: '*/5 * * * *',
};

/** Validates a body that must be refused and returns the error. */
function errorFor(body: unknown): ValidationError {
  const result = validateBody(body);
  expect(result.value).toBeUndefined();
  expect(result.error).toBeInstanceOf(ValidationError);
  return result.error as ValidationError;
}

describe('validatorCompiler for request bodies', () => {
  it('returns a valid body unchanged as the value', () => {
    const result = validateBody(VALID_BODY);
    expect(result.error).toBeUndefined();
    expect(result.value).toEqual(VALID_BODY);
  });

  it('refuses an unknown field, naming it', () => {
    const error = errorFor({ ...VALID_BODY, foo: 1 });
    expect(error.message).toContain('unknown field "foo"');
    expect(error.details).toContain('unknown field "foo"');
  });

  it('refuses a body without a bucket, naming the missing field', () => {
    // A body with neither command nor image is refused with the rest of the job's rules (job-spec).
    const { s3_bucket: _bucket, ...body } = VALID_BODY;
    const error = errorFor(body);
    expect(error.message).toContain('missing required field "s3_bucket"');
  });

  it('names each missing required field once', () => {
    const error = errorFor({});
    for (const field of ['userId', 'uniqueId', 's3_bucket', 'source_s3_prefix', 'destination_s3_prefix']) {
      expect(error.details?.filter((d) => d === `missing required field "${field}"`)).toHaveLength(1);
    }
  });

  it('refuses a package with shell syntax, naming the item, the value and the rule', () => {
    const error = errorFor({ ...VALID_BODY, linux_dependencies: ['curl && rm -rf /'] });
    expect(error.message).toContain('linux_dependencies[0]');
    expect(error.message).toContain('"curl && rm -rf /"');
    expect(error.message).toContain('plain package name');
  });

  it('points at the right index of a bad package further down the list', () => {
    const error = errorFor({ ...VALID_BODY, linux_dependencies: ['git', 'curl', '$(id)'] });
    expect(error.message).toContain('linux_dependencies[2] "$(id)"');
    expect(error.message).not.toContain('linux_dependencies[0]');
  });

  it('refuses a command over the length limit', () => {
    const error = errorFor({ ...VALID_BODY, command: 'x'.repeat(20_000) });
    expect(error.message).toContain('command is too long');
    expect(error.message).toContain('16384');
  });

  it('does not coerce a number into a string field', () => {
    const error = errorFor({ ...VALID_BODY, command: 12345 });
    expect(error.message).toContain('command');
  });

  it('does not coerce a numeric string into an integer field', () => {
    const error = errorFor({ ...VALID_BODY, timeout_seconds: '60' });
    expect(error.message).toContain('timeout_seconds');
  });

  it('gives an error that the API can show as a 400', () => {
    const error = errorFor({ ...VALID_BODY, foo: 1 });
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('invalid_request');
  });

  it('refuses a network other than none or bridge, naming the field and the choices', () => {
    const error = errorFor({ ...VALID_BODY, network: 'host' });
    expect(error.details).toEqual(['network "host" is not allowed: use one of "none", "bridge"']);
  });

  it('names the choices of any field that takes one of a few words', () => {
    const error = errorFor({ ...VALID_BODY, overlap_policy: 'sometimes' });
    expect(error.message).toBe(
      'overlap_policy "sometimes" is not allowed: use one of "skip", "allow", "queue_one", "replace"',
    );
  });
});

describe('validatorCompiler for query strings', () => {
  const validateQuery = compile(
    Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1 })) }),
    'querystring',
  );

  it('converts a numeric string to the schema type', () => {
    expect(validateQuery({ limit: '5' })).toEqual({ value: { limit: 5 } });
  });

  it('still checks the converted value against the schema', () => {
    const result = validateQuery({ limit: '0' });
    expect(result.error).toBeInstanceOf(ValidationError);
    expect(result.error?.message).toContain('limit');
  });

  it('accepts an empty query when every field is optional', () => {
    expect(validateQuery({})).toEqual({ value: {} });
  });
});
