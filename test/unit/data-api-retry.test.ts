import {
  DatabaseErrorException,
  DatabaseResumingException,
  StatementTimeoutException,
} from '@aws-sdk/client-rds-data';
import { describe, expect, it } from 'vitest';
import {
  DataApiError,
  DataApiQueryError,
  DataApiUnavailableError,
  isTransientDataApiError,
  toDataApiError,
} from '../../services/aws/data-api-errors.js';
import { retryTransient } from '../../services/aws/data-api-retry.js';

const named = (name: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(name), { name, ...extra });

describe('which Data API failures are transient', () => {
  it.each([
    'DatabaseResumingException',
    'DatabaseUnavailableException',
    'ServiceUnavailableError',
    'ThrottlingException',
    'TooManyRequestsException',
  ])('%s is tried again, in a transaction or not', (name) => {
    expect(isTransientDataApiError(named(name), false)).toBe(true);
    expect(isTransientDataApiError(named(name), true)).toBe(true);
  });

  it('recognises the SDK exception class, and HTTP 429 of any name', () => {
    const resuming = new DatabaseResumingException({ message: 'resuming', $metadata: {} });
    expect(isTransientDataApiError(resuming, false)).toBe(true);
    expect(isTransientDataApiError(named('SlowDown', { $metadata: { httpStatusCode: 429 } }), false)).toBe(
      true,
    );
    expect(isTransientDataApiError(named('Error', { code: 'ECONNREFUSED' }), false)).toBe(true);
  });

  it('tries a statement timeout again only outside a transaction (inside, Postgres aborted it)', () => {
    const timeout = new StatementTimeoutException({ message: 'timed out', $metadata: {} });
    expect(isTransientDataApiError(timeout, false)).toBe(true);
    expect(isTransientDataApiError(timeout, true)).toBe(false);
  });

  it.each([
    'DatabaseErrorException',
    'BadRequestException',
    'ForbiddenException',
    'AccessDeniedException',
    'InternalServerErrorException',
    'TransactionNotFoundException',
    'SecretsErrorException',
  ])('%s surfaces at once', (name) => {
    expect(isTransientDataApiError(named(name), false)).toBe(false);
  });

  it('does not take a plain value for an error', () => {
    expect(isTransientDataApiError('ThrottlingException', false)).toBe(false);
    expect(isTransientDataApiError(undefined, false)).toBe(false);
  });
});

describe('SQL errors', () => {
  it('carry the database message and the SQLSTATE as code, as pg errors do', () => {
    const sdkError = new DatabaseErrorException({
      message:
        'ERROR: duplicate key value violates unique constraint "jobs_pkey"\n  Detail: Key (id)=(x) already exists.; SQLState: 23505',
      $metadata: {},
    });
    const error = toDataApiError(sdkError, 'INSERT INTO jobs …') as DataApiQueryError;
    expect(error).toBeInstanceOf(DataApiQueryError);
    expect(error.code).toBe('23505');
    expect(error.sql).toBe('INSERT INTO jobs …');
    expect(error.message).toMatch(/^ERROR: duplicate key value violates unique constraint "jobs_pkey"/);
    expect(error.message).not.toMatch(/SQLState/);
  });

  it('keep the name, message and status of other service errors, and nothing of the HTTP exchange', () => {
    const sdkError = Object.assign(new StatementTimeoutException({ message: 'timed out', $metadata: {} }), {
      $metadata: { httpStatusCode: 400 },
      $response: { headers: { authorization: 'AWS4-HMAC-SHA256 Credential=…' } },
    });
    const error = toDataApiError(sdkError, 'SELECT 1') as DataApiError;
    expect(error).toBeInstanceOf(DataApiError);
    expect(error).toMatchObject({ name: 'StatementTimeoutException', message: 'timed out', httpStatus: 400 });
    expect(JSON.stringify(error)).not.toMatch(/AWS4-HMAC/);
    expect(error.cause).toBeUndefined();
  });

  it('leave errors that did not come from the service as they are', () => {
    const other = named('Error', { code: 'ECONNRESET' });
    expect(toDataApiError(other, 'SELECT 1')).toBe(other);
  });
});

describe('retryTransient', () => {
  function clock() {
    let t = 0;
    const waits: number[] = [];
    return {
      now: () => t,
      sleep: async (ms: number) => {
        waits.push(ms);
        t += ms;
      },
      waits,
    };
  }
  const policy = { maxElapsedMs: 10_000, firstDelayMs: 100, maxDelayMs: 1_000 };

  it('tries again with growing waits until the call succeeds', async () => {
    const c = clock();
    let calls = 0;
    const result = await retryTransient(
      async () => {
        calls += 1;
        if (calls < 5) throw named('DatabaseResumingException');
        return 'ok';
      },
      { inTransaction: false, policy, sleep: c.sleep, now: c.now },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(5);
    expect(c.waits).toHaveLength(4);
    c.waits.forEach((wait, i) => {
      const full = Math.min(100 * 2 ** i, 1000);
      expect(wait).toBeGreaterThanOrEqual(full / 2);
      expect(wait).toBeLessThanOrEqual(full);
    });
  });

  it('rethrows an error that is not transient at once', async () => {
    const c = clock();
    const error = named('DatabaseErrorException');
    await expect(
      retryTransient(() => Promise.reject(error), {
        inTransaction: false,
        policy,
        sleep: c.sleep,
        now: c.now,
      }),
    ).rejects.toBe(error);
    expect(c.waits).toEqual([]);
  });

  it('gives up once the time budget is spent, naming the last failure', async () => {
    const c = clock();
    const failure = retryTransient(() => Promise.reject(named('ThrottlingException')), {
      inTransaction: false,
      policy,
      sleep: c.sleep,
      now: c.now,
    });
    await expect(failure).rejects.toBeInstanceOf(DataApiUnavailableError);
    await expect(failure).rejects.toThrow(/still failed after \d+ attempts.*ThrottlingException/);
    expect(c.now()).toBeLessThanOrEqual(policy.maxElapsedMs);
  });
});
