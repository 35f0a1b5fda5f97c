import { describe, it, expect } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import {
  BUCKET_PATTERN,
  NAME_PATTERN,
  PACKAGE_PATTERN,
  normaliseJobRequest,
  normalisePrefix,
  readStoredSpec,
  specAsRequest,
  type JobDefaults,
  type JobRequest,
} from '../../src/jobs/job-spec.js';
import { resultsPrefix } from '../../src/runs/results-layout.js';

const DEFAULTS: JobDefaults = {
  timeoutSeconds: 3600,
  cpus: 1,
  memoryMb: 1024,
  diskMb: 1024,
  metricsIntervalSeconds: 1,
  baseImage: 'debian:bookworm-slim',
  network: 'bridge',
};

/** The example request body from the design document. */
const DESIGN_EXAMPLE: JobRequest = {
  userId: 'akhil-test',
  uniqueId: 'akhil-test-uid',
  s3_bucket: 'ccbd-hw2-frontend',
  source_s3_prefix: '',
  destination_s3_prefix: '/out/',
  command: "python3 -c 'print(56789)'",
  linux_dependencies: ['git', 'curl', 'python3'],
  cron: '*/5 * * * *',
};

/** A one-off request with no optional fields. */
function request(overrides: Partial<JobRequest> = {}): JobRequest {
  return {
    userId: 'u1',
    uniqueId: 'job-1',
    s3_bucket: 'my-bucket',
    source_s3_prefix: 'in',
    destination_s3_prefix: 'out',
    command: 'echo hi',
    ...overrides,
  };
}

/** Runs `action`, expecting a ValidationError, and returns it for further checks. */
function validationErrorOf(action: () => unknown): ValidationError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError, but nothing was thrown');
}

function matches(pattern: string, value: string): boolean {
  return new RegExp(pattern).test(value);
}

describe('normalisePrefix', () => {
  it.each([
    ['/out/', 'out/'],
    ['///a', 'a/'],
    ['in', 'in/'],
    ['a/b', 'a/b/'],
    ['a/b/', 'a/b/'],
    ['', ''],
    ['/', ''],
    ['///', ''],
  ])('turns %j into the folder %j', (raw, expected) => {
    expect(normalisePrefix('source_s3_prefix', raw)).toBe(expected);
  });

  it.each(['a/../b', '..', './x', 'a/.', '/../etc', 'a/b/..'])(
    'refuses the "." or ".." segments in %j',
    (raw) => {
      const error = validationErrorOf(() => normalisePrefix('destination_s3_prefix', raw));
      expect(error.message).toContain('destination_s3_prefix');
      expect(error.message).toContain(`"${raw}"`);
      expect(error.statusCode).toBe(400);
    },
  );

  it('accepts names that merely contain dots', () => {
    expect(normalisePrefix('f', '.hidden/a..b/v1.2')).toBe('.hidden/a..b/v1.2/');
  });

  it.each([
    ['a newline', 'a\nb'],
    ['a NUL byte', 'a\u0000b'],
    ['a tab', 'a\tb'],
    ['DEL', 'a\u007fb'],
    ['a backslash', 'a\\b'],
    ['a backslash-dot-dot path', '..\\x'],
  ])('refuses %s', (_what, raw) => {
    const error = validationErrorOf(() => normalisePrefix('source_s3_prefix', raw));
    expect(error.message).toBe('source_s3_prefix must not contain control characters or backslashes');
  });
});

describe('normaliseJobRequest', () => {
  it('normalises the design example: prefixes, sorted packages, defaults, cron in UTC', () => {
    expect(normaliseJobRequest(DESIGN_EXAMPLE, DEFAULTS)).toEqual({
      userId: 'akhil-test',
      uniqueId: 'akhil-test-uid',
      s3_bucket: 'ccbd-hw2-frontend',
      source_s3_prefix: '',
      destination_s3_prefix: 'out/',
      command: "python3 -c 'print(56789)'",
      image: null,
      args: null,
      step_inputs: [],
      capture_result: false,
      linux_dependencies: ['curl', 'git', 'python3'],
      cron: '*/5 * * * *',
      timezone: 'UTC',
      overlap_policy: 'skip',
      catch_up_policy: 'latest',
      catch_up_window_seconds: 3600,
      catch_up_limit: 10,
      max_attempts: 3,
      retry_on_exit_code: false,
      retry_backoff_seconds: 10,
      timeout_seconds: 3600,
      cpus: 1,
      memory_mb: 1024,
      disk_mb: 1024,
      env: {},
      secrets: [],
      base_image: 'debian:bookworm-slim',
      metrics_interval_seconds: 1,
      network: 'bridge',
      requires: [],
    });
  });

  it("keeps the job's required tags without repeats, in one order", () => {
    expect(
      normaliseJobRequest(request({ requires: ['zone-a', 'gpu', 'zone-a'] }), DEFAULTS).requires,
    ).toEqual(['gpu', 'zone-a']);
    expect(normaliseJobRequest(request(), DEFAULTS).requires).toEqual([]);
  });

  it("keeps the job's secret names without repeats, refusing reserved names and names also in env", () => {
    expect(normaliseJobRequest(request({ secrets: ['B', 'A', 'B'] }), DEFAULTS).secrets).toEqual(['A', 'B']);
    expect(normaliseJobRequest(request(), DEFAULTS).secrets).toEqual([]);
    const error = validationErrorOf(() =>
      normaliseJobRequest(request({ secrets: ['OK', 'TDS_KEY', 'TOKEN'], env: { TOKEN: 'x' } }), DEFAULTS),
    );
    expect(error.problems).toEqual([
      {
        path: '/secrets/1',
        message: 'secret names starting with TDS_ are reserved for the service: TDS_KEY',
      },
      {
        path: '/secrets/2',
        message:
          '"TOKEN" is both in env and in secrets: the container can have only one of them; drop it from env',
      },
    ]);
  });

  it("takes the job's network, or the service's default when it names none", () => {
    expect(normaliseJobRequest(request({ network: 'none' }), DEFAULTS).network).toBe('none');
    expect(normaliseJobRequest(request(), { ...DEFAULTS, network: 'none' }).network).toBe('none');
    expect(normaliseJobRequest(request(), DEFAULTS).network).toBe('bridge');
  });

  it('de-duplicates and sorts the packages', () => {
    const spec = normaliseJobRequest(
      request({ linux_dependencies: ['python3', 'curl', 'git', 'curl', 'python3'] }),
      DEFAULTS,
    );
    expect(spec.linux_dependencies).toEqual(['curl', 'git', 'python3']);
  });

  it('gives a one-off job no cron, the UTC timezone and no packages', () => {
    const spec = normaliseJobRequest(request(), DEFAULTS);
    expect(spec.cron).toBeNull();
    expect(spec.timezone).toBe('UTC');
    expect(spec.linux_dependencies).toEqual([]);
    expect(spec.source_s3_prefix).toBe('in/');
    expect(spec.destination_s3_prefix).toBe('out/');
  });

  it('treats a blank cron as no schedule and trims a padded one', () => {
    expect(normaliseJobRequest(request({ cron: '   ' }), DEFAULTS).cron).toBeNull();
    expect(normaliseJobRequest(request({ cron: '  0 3 * * *  ' }), DEFAULTS).cron).toBe('0 3 * * *');
  });

  it.each(['not a cron', '* * *', '61 * * * *', '* * * * * * *', '0 0 31 2 *'])(
    'refuses the cron expression %j, naming it',
    (cron) => {
      const error = validationErrorOf(() => normaliseJobRequest(request({ cron }), DEFAULTS));
      expect(error.message).toContain(`cron "${cron}"`);
    },
  );

  it('says how many fields a cron expression with the wrong field count has', () => {
    const error = validationErrorOf(() => normaliseJobRequest(request({ cron: '* * *' }), DEFAULTS));
    expect(error.message).toContain('has 3 fields');
  });

  it('accepts a 6-field cron expression with seconds first', () => {
    const spec = normaliseJobRequest(request({ cron: '30 */5 * * * *' }), DEFAULTS);
    expect(spec.cron).toBe('30 */5 * * * *');
  });

  it('keeps a valid IANA timezone given with a cron', () => {
    const spec = normaliseJobRequest(request({ cron: '0 9 * * 1-5', timezone: 'Europe/Paris' }), DEFAULTS);
    expect(spec.timezone).toBe('Europe/Paris');
    expect(spec.cron).toBe('0 9 * * 1-5');
  });

  it('refuses a timezone that is not an IANA name', () => {
    const error = validationErrorOf(() =>
      normaliseJobRequest(request({ cron: '0 * * * *', timezone: 'Mars/Base' }), DEFAULTS),
    );
    expect(error.message).toContain('timezone "Mars/Base"');
  });

  it('refuses a timezone on a job without a cron schedule', () => {
    const error = validationErrorOf(() =>
      normaliseJobRequest(request({ timezone: 'Europe/Paris' }), DEFAULTS),
    );
    expect(error.message).toContain('timezone only applies to a job with a cron schedule');
  });

  it('refuses env names starting with TDS_, naming each of them', () => {
    const error = validationErrorOf(() =>
      normaliseJobRequest(request({ env: { OK: '1', TDS_X: '2', TDS_Y: '3' } }), DEFAULTS),
    );
    expect(error.message).toContain('TDS_X');
    expect(error.message).toContain('TDS_Y');
    expect(error.message).not.toContain('OK');
  });

  it('keeps env variables that are not reserved', () => {
    const spec = normaliseJobRequest(request({ env: { GREETING: 'hello', tds_lower: 'x' } }), DEFAULTS);
    expect(spec.env).toEqual({ GREETING: 'hello', tds_lower: 'x' });
  });

  it('refuses a blank command', () => {
    const error = validationErrorOf(() => normaliseJobRequest(request({ command: '   ' }), DEFAULTS));
    expect(error.message).toBe('command must not be blank');
  });

  it('keeps the command exactly as written, surrounding spaces included', () => {
    expect(normaliseJobRequest(request({ command: '  ls -la  ' }), DEFAULTS).command).toBe('  ls -la  ');
  });

  it('lets the optional fields override the defaults', () => {
    const spec = normaliseJobRequest(
      request({
        timeout_seconds: 60,
        cpus: 0.5,
        memory_mb: 256,
        base_image: 'alpine:3.20',
        metrics_interval_seconds: 0.25,
      }),
      DEFAULTS,
    );
    expect(spec).toMatchObject({
      timeout_seconds: 60,
      cpus: 0.5,
      memory_mb: 256,
      base_image: 'alpine:3.20',
      metrics_interval_seconds: 0.25,
    });
  });

  it('refuses prefixes with ".." segments, naming the field', () => {
    const error = validationErrorOf(() =>
      normaliseJobRequest(request({ destination_s3_prefix: 'out/../../other' }), DEFAULTS),
    );
    expect(error.message).toContain('destination_s3_prefix');
  });
});

describe('resultsPrefix', () => {
  it('puts a run under <destination>/<uniqueId>/<runId>/', () => {
    const spec = normaliseJobRequest(DESIGN_EXAMPLE, DEFAULTS);
    expect(resultsPrefix(spec, 'run-42')).toBe('out/akhil-test-uid/run-42/');
  });

  it('starts at the bucket root when the destination is empty', () => {
    const spec = normaliseJobRequest({ ...DESIGN_EXAMPLE, destination_s3_prefix: '' }, DEFAULTS);
    expect(resultsPrefix(spec, 'run-42')).toBe('akhil-test-uid/run-42/');
  });
});

describe('PACKAGE_PATTERN', () => {
  it.each(['python3', 'libssl-dev', 'g++', 'python3.11', 'curl=7.88.1-10+deb12u5', 'ImageMagick', 'a'])(
    'accepts the package %j',
    (name) => {
      expect(matches(PACKAGE_PATTERN, name)).toBe(true);
    },
  );

  it.each([
    'curl && rm -rf /',
    '$(id)',
    '-rf',
    'a b',
    'pkg;ls',
    '`x`',
    '',
    '../x',
    'pkg|sh',
    'pkg>file',
    'curl=',
    'curl=1 2',
    'pkg\n',
    'x'.repeat(200),
  ])('rejects %j', (name) => {
    expect(matches(PACKAGE_PATTERN, name)).toBe(false);
  });

  it('allows names up to 128 characters', () => {
    expect(matches(PACKAGE_PATTERN, 'x'.repeat(128))).toBe(true);
    expect(matches(PACKAGE_PATTERN, 'x'.repeat(129))).toBe(false);
  });
});

describe('BUCKET_PATTERN', () => {
  it.each(['ccbd-hw2-frontend', 'my.bucket.1', 'abc', 'x'.repeat(63)])('accepts %j', (name) => {
    expect(matches(BUCKET_PATTERN, name)).toBe(true);
  });

  it.each(['UPPER', 'a', 'ab', '-x-', 'has_underscore', 'ends-', 'x'.repeat(64), 'a b c'])(
    'rejects %j',
    (name) => {
      expect(matches(BUCKET_PATTERN, name)).toBe(false);
    },
  );
});

describe('a job that runs a prebuilt image', () => {
  const { command: _command, ...noCommand } = request();
  const imageRequest = (overrides: Partial<JobRequest> = {}): JobRequest => ({
    ...noCommand,
    image: 'registry.example:5000/team/tool:1.2',
    ...overrides,
  });
  const refusal = (body: JobRequest) => {
    try {
      normaliseJobRequest(body, DEFAULTS);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return (error as Error).message;
    }
    throw new Error('the request was accepted');
  };

  it('stores the image and its args, with no command', () => {
    const spec = normaliseJobRequest(
      imageRequest({ args: ['--count', '3'], capture_result: true }),
      DEFAULTS,
    );
    expect(spec).toMatchObject({
      command: null,
      image: 'registry.example:5000/team/tool:1.2',
      args: ['--count', '3'],
      capture_result: true,
      step_inputs: [],
      linux_dependencies: [],
    });
    expect(normaliseJobRequest(imageRequest({ args: 'echo "$HOME"' }), DEFAULTS).args).toBe('echo "$HOME"');
    expect(normaliseJobRequest(imageRequest(), DEFAULTS).args).toBeNull();
  });

  it('takes exactly one of command and image, and args only with an image', () => {
    expect(refusal(noCommand)).toBe(
      'missing required field "command" (a shell command to run); or give "image" (a prebuilt image to run) instead',
    );
    expect(refusal(imageRequest({ command: 'echo hi' }))).toContain(
      'give either "command" or "image", not both',
    );
    expect(refusal(request({ args: ['x'] }))).toContain('"args" is the command of a prebuilt "image"');
  });

  it('refuses packages, a base image and blank args with an image, saying what to do', () => {
    expect(refusal(imageRequest({ linux_dependencies: ['curl'] }))).toContain(
      'linux_dependencies cannot be installed on a prebuilt "image"',
    );
    expect(normaliseJobRequest(imageRequest({ linux_dependencies: [] }), DEFAULTS).image).not.toBeNull();
    expect(refusal(imageRequest({ base_image: 'alpine:3' }))).toContain('drop "base_image"');
    expect(refusal(imageRequest({ args: '   ' }))).toBe('args must not be blank');
  });

  it('reads back as the request that made it, so a stored job is validated again as it was posted', () => {
    const cron = '*/5 * * * *';
    for (const body of [
      imageRequest({ args: ['a'], cron }),
      imageRequest({ cron }),
      request({ capture_result: true, cron }),
    ]) {
      const spec = normaliseJobRequest(body, DEFAULTS);
      expect(normaliseJobRequest({ ...specAsRequest(spec), cron }, DEFAULTS)).toEqual(spec);
    }
  });
});

describe('a spec stored before the runner fields existed', () => {
  it('reads as having their defaults, and a current spec reads as it is', () => {
    const current = normaliseJobRequest(request(), DEFAULTS);
    const { image: _i, args: _a, step_inputs: _s, capture_result: _c, ...old } = current;
    expect(readStoredSpec(old)).toEqual(current);
    expect(readStoredSpec(current)).toBe(current);
  });
});

describe('NAME_PATTERN', () => {
  it.each(['akhil-test-uid', 'user@example.com', 'A_1.b', 'x'.repeat(128)])('accepts %j', (name) => {
    expect(matches(NAME_PATTERN, name)).toBe(true);
  });

  it.each(['a/b', '..', '', ' x', '.hidden', '_x', 'a b', 'x'.repeat(129)])('rejects %j', (name) => {
    expect(matches(NAME_PATTERN, name)).toBe(false);
  });
});

describe('problems of a job, each at its field', () => {
  it('reports every problem found, not only the first', () => {
    const error = validationErrorOf(() =>
      normaliseJobRequest(
        request({ command: ' ', timezone: 'Europe/Paris', env: { TDS_A: '1' }, source_s3_prefix: 'a/../b' }),
        DEFAULTS,
      ),
    );
    expect(error.problems.map((p) => p.path)).toEqual([
      '/timezone',
      '/command',
      '/env/TDS_A',
      '/source_s3_prefix',
    ]);
  });
});
