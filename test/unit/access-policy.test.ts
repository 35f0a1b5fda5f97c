import { describe, expect, it } from 'vitest';
import { bearerToken, generateApiKey, hashApiKey, looksLikeApiKey } from '../../src/auth/api-keys.js';
import { checkBuckets, checkCeilings, isLoopbackHost, parseBucketGrant } from '../../src/auth/policy.js';
import { canSee, requireSameUser } from '../../src/auth/principal.js';
import { loadConfig } from '../../src/config.js';
import { ConfigError, ForbiddenError, ValidationError } from '../../src/errors.js';
import { normaliseJobRequest } from '../../src/jobs/job-spec.js';

const spec = (overrides: Record<string, unknown> = {}) =>
  normaliseJobRequest(
    {
      userId: 'alice',
      uniqueId: 'nightly',
      s3_bucket: 'data-bucket',
      source_s3_prefix: 'alice/in',
      destination_s3_prefix: 'alice/out',
      command: 'true',
      linux_dependencies: [],
      ...overrides,
    },
    {
      timeoutSeconds: 3600,
      cpus: 1,
      memoryMb: 1024,
      diskMb: 1024,
      metricsIntervalSeconds: 1,
      baseImage: 'debian',
      network: 'bridge',
    },
  );

describe('API keys', () => {
  it('are 256 random bits with a recognisable prefix, stored as a SHA-256', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.key).not.toBe(b.key);
    expect(looksLikeApiKey(a.key)).toBe(true);
    expect(a.hash).toBe(hashApiKey(a.key));
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.hint.length).toBeLessThan(12);
    expect(looksLikeApiKey('tds_short')).toBe(false);
  });

  it('are read from a Bearer header only', () => {
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken('Bearer tds_x')).toBe('tds_x');
    expect(bearerToken('bearer   tds_x ')).toBe('tds_x');
    expect(bearerToken('Basic abc')).toBe('');
    expect(bearerToken('Bearer a b')).toBe('');
  });
});

describe('bucket allow-lists', () => {
  it('read entries as a whole bucket or a folder of it', () => {
    expect(parseBucketGrant('data-bucket')).toEqual({ bucket: 'data-bucket', prefix: '' });
    expect(parseBucketGrant('data-bucket/alice')).toEqual({ bucket: 'data-bucket', prefix: 'alice/' });
    expect(parseBucketGrant('data-bucket/a/b/')).toEqual({ bucket: 'data-bucket', prefix: 'a/b/' });
    for (const bad of ['x', 'Data', 'data-bucket/../etc', 'data-bucket/a//b', 'data-bucket/./a']) {
      expect(() => parseBucketGrant(bad), bad).toThrow(ValidationError);
    }
  });

  it('allow a job whose inputs and results both lie under an entry', () => {
    expect(() => checkBuckets('alice', [parseBucketGrant('data-bucket/alice')], spec())).not.toThrow();
    expect(() => checkBuckets('alice', [parseBucketGrant('data-bucket')], spec())).not.toThrow();
    expect(() =>
      checkBuckets(
        'alice',
        [parseBucketGrant('data-bucket/alice/in'), parseBucketGrant('data-bucket/alice/out')],
        spec(),
      ),
    ).not.toThrow();
  });

  it('refuse inputs or results outside every entry, a sibling prefix included', () => {
    const grants = [parseBucketGrant('data-bucket/alice')];
    expect(() => checkBuckets('alice', grants, spec({ s3_bucket: 'other-bucket' }))).toThrow(ForbiddenError);
    expect(() => checkBuckets('alice', grants, spec({ source_s3_prefix: 'alice-evil/in' }))).toThrow(
      /inputs/,
    );
    expect(() => checkBuckets('alice', grants, spec({ source_s3_prefix: '' }))).toThrow(ForbiddenError);
    expect(() => checkBuckets('alice', grants, spec({ destination_s3_prefix: '' }))).toThrow(/results/);
    expect(() => checkBuckets('alice', [], spec())).toThrow(/allowed: none/);
    expect(() => checkBuckets('alice', [parseBucketGrant('data-bucket/alice/in')], spec())).toThrow(
      /results/,
    );
  });
});

describe('ceilings', () => {
  const ceilings = {
    maxCpus: 2,
    maxMemoryMb: 2048,
    maxDiskMb: 2000,
    maxGpus: 2 as number | 'all',
    maxTimeoutSeconds: 600,
    maxConcurrentRuns: 3,
  };
  it('let a job within them through and name every one a job exceeds', () => {
    expect(() => checkCeilings('alice', ceilings, spec({ timeout_seconds: 600 }))).not.toThrow();
    expect(() =>
      checkCeilings('alice', ceilings, spec({ cpus: 4, memory_mb: 4096, timeout_seconds: 601 })),
    ).toThrow(/cpus 4 \(ceiling 2\), memory_mb 4096 \(ceiling 2048\), timeout_seconds 601 \(ceiling 600\)/);
    expect(() => checkCeilings('alice', ceilings, spec({ disk_mb: 2001, timeout_seconds: 600 }))).toThrow(
      /disk_mb 2001 \(ceiling 2000\)/,
    );
    expect(() =>
      checkCeilings('alice', ceilings, spec({ disk_mb: 2000, timeout_seconds: 600 })),
    ).not.toThrow();
  });

  it("count GPUs: a count up to the ceiling, and all of a worker's only under a ceiling of all", () => {
    const within = spec({ timeout_seconds: 600, gpus: 2 });
    expect(() => checkCeilings('alice', ceilings, within)).not.toThrow();
    expect(() => checkCeilings('alice', ceilings, spec({ timeout_seconds: 600, gpus: 3 }))).toThrow(
      /gpus 3 \(ceiling 2\)/,
    );
    expect(() => checkCeilings('alice', ceilings, spec({ timeout_seconds: 600, gpus: 'all' }))).toThrow(
      /gpus all \(ceiling 2\)/,
    );
    const unbounded = { ...ceilings, maxGpus: 'all' as const };
    expect(() =>
      checkCeilings('alice', unbounded, spec({ timeout_seconds: 600, gpus: 'all' })),
    ).not.toThrow();
    expect(() => checkCeilings('alice', { ...ceilings, maxGpus: 0 }, within)).toThrow(/gpus 2 \(ceiling 0\)/);
  });
});

describe('principals', () => {
  it('let users act only for themselves; operators and local development for anyone', () => {
    const alice = { kind: 'user', userId: 'alice', keyId: 'k' } as const;
    expect(() => requireSameUser(alice, 'alice')).not.toThrow();
    expect(() => requireSameUser(alice, 'bob')).toThrow(ForbiddenError);
    expect(() => requireSameUser({ kind: 'operator', keyId: 'k' }, 'bob')).not.toThrow();
    expect(canSee(alice, 'bob')).toBe(false);
    expect(canSee({ kind: 'local' }, 'bob')).toBe(true);
  });
});

describe('authentication settings', () => {
  it('are off by default on loopback, on by default beyond it', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('10.0.0.5')).toBe(false);
    expect(loadConfig({}).authEnabled).toBe(false);
    expect(loadConfig({ HOST: '0.0.0.0' }).authEnabled).toBe(true);
    expect(loadConfig({ TDS_AUTH: 'on' }).authEnabled).toBe(true);
  });

  it('refuse to listen beyond loopback with authentication off', () => {
    expect(() => loadConfig({ HOST: '0.0.0.0', TDS_AUTH: 'off' })).toThrow(ConfigError);
    expect(() => loadConfig({ HOST: '0.0.0.0', TDS_AUTH: 'off' })).toThrow(
      /TDS_AUTH is off, but HOST=0.0.0.0/,
    );
    expect(() => loadConfig({ TDS_AUTH: 'maybe' })).toThrow(/"on" or "off"/);
  });

  it('refuse job defaults above the default ceilings', () => {
    expect(() => loadConfig({ TDS_DEFAULT_CPUS: '8' })).toThrow(
      /TDS_DEFAULT_CPUS \(8\) is above TDS_USER_MAX_CPUS \(4\)/,
    );
    expect(loadConfig({ TDS_DEFAULT_CPUS: '8', TDS_USER_MAX_CPUS: '8' }).jobDefaults.cpus).toBe(8);
  });
});
