import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { loadConfig, parseYesNo, SETTINGS } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';

/** Loads a config that must be refused and returns the error. */
function configErrorFor(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

describe('loadConfig', () => {
  it('reads TDS_SECRETS_KEY as 32 bytes of hex or base64, and refuses another without showing it', () => {
    const hex = 'ab'.repeat(32);
    expect(loadConfig({ TDS_SECRETS_KEY: hex }).secrets.key).toEqual(Buffer.from(hex, 'hex'));
    const base64 = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ TDS_SECRETS_KEY: base64 }).secrets.key).toEqual(Buffer.alloc(32, 7));
    expect(loadConfig({}).secrets).toEqual({ key: undefined, maxPerUser: 100, maxValueBytes: 65536 });
    for (const bad of ['my-password', 'ab'.repeat(31), Buffer.alloc(24).toString('base64')]) {
      const error = configErrorFor({ TDS_SECRETS_KEY: bad });
      expect(error.variable).toBe('TDS_SECRETS_KEY');
      expect(error.message).toContain('32 bytes');
      expect(error.message).not.toContain(bad);
    }
    expect(configErrorFor({ TDS_SECRETS_MAX_PER_USER: '0' }).variable).toBe('TDS_SECRETS_MAX_PER_USER');
    expect(configErrorFor({ TDS_SECRET_MAX_VALUE_BYTES: 'big' }).variable).toBe('TDS_SECRET_MAX_VALUE_BYTES');
  });

  it('reads the accepted keys of a rotation as a list, and refuses a short one without showing it', () => {
    const [a, b] = ['a'.repeat(32), 'b'.repeat(40)];
    expect(loadConfig({}).downloadLinks.acceptedSecrets).toEqual([]);
    expect(
      loadConfig({ TDS_DOWNLOAD_LINK_SECRETS_ACCEPTED: `${a}, ${b}` }).downloadLinks.acceptedSecrets,
    ).toEqual([a, b]);
    expect(loadConfig({ TDS_WEBHOOK_SIGNING_KEYS_ACCEPTED: a }).webhooks.acceptedSigningKeys).toEqual([a]);
    for (const name of ['TDS_DOWNLOAD_LINK_SECRETS_ACCEPTED', 'TDS_WEBHOOK_SIGNING_KEYS_ACCEPTED']) {
      const error = configErrorFor({ [name]: `${a},short-secret-text` });
      expect(error.variable).toBe(name);
      expect(error.message).toContain('key 2 of 2 must be 32 characters or more');
      expect(error.message).not.toContain('short-secret-text');
    }
  });

  it('reads the audit settings, and refuses a page of none', () => {
    expect(loadConfig({}).audit).toEqual({ pageMax: 200, retentionDays: 365 });
    expect(loadConfig({ TDS_AUDIT_PAGE_MAX: '20', TDS_AUDIT_RETENTION_DAYS: '0' }).audit).toEqual({
      pageMax: 20,
      retentionDays: 0,
    });
    expect(configErrorFor({ TDS_AUDIT_PAGE_MAX: '0' }).variable).toBe('TDS_AUDIT_PAGE_MAX');
  });

  it('reads TDS_WORKER_TAGS as a set of tags, and names a tag it refuses', () => {
    expect(loadConfig({}).workerTags).toEqual([]);
    expect(loadConfig({ TDS_WORKER_TAGS: ' zone-a, gpu ,,gpu,arch=arm64' }).workerTags).toEqual([
      'arch=arm64',
      'gpu',
      'zone-a',
    ]);
    const error = configErrorFor({ TDS_WORKER_TAGS: 'gpu,big gpu' });
    expect(error.variable).toBe('TDS_WORKER_TAGS');
    expect(error.message).toContain('"big gpu"');
  });

  it('reads TDS_LOCAL_IMAGES after the base image, TDS_IMAGE_CACHE_MB in bytes, and names an entry it refuses', () => {
    expect(loadConfig({}).localImages).toEqual(['debian:bookworm-slim']);
    expect(loadConfig({}).imageCacheBytes).toBe(20_480 * 1024 * 1024);
    const config = loadConfig({
      TDS_BASE_IMAGE: 'alpine:3.20',
      TDS_LOCAL_IMAGES: ' python , registry.local/ops/*,,',
      TDS_IMAGE_CACHE_MB: '100',
    });
    expect(config.localImages).toEqual(['alpine:3.20', 'python', 'registry.local/ops/*']);
    expect(config.imageCacheBytes).toBe(100 * 1024 * 1024);
    const error = configErrorFor({ TDS_LOCAL_IMAGES: 'python,ops/*/tool' });
    expect(error.variable).toBe('TDS_LOCAL_IMAGES');
    expect(error.message).toContain('"ops/*/tool"');
    expect(configErrorFor({ TDS_IMAGE_CACHE_MB: '10' }).variable).toBe('TDS_IMAGE_CACHE_MB');
  });

  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(8080);
    expect(path.isAbsolute(config.dataDir)).toBe(true);
    expect(path.basename(config.dataDir)).toBe('.data');
    expect(config.storage).toEqual({
      kind: 'embedded',
      port: 4569,
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
    });
    expect(config.baseImage).toBe('debian:bookworm-slim');
    expect(config.roles).toEqual(['api', 'worker', 'scheduler', 'exporter']);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.corsOrigins).toBe(false);
    expect(config.jobDefaults).toEqual({
      timeoutSeconds: 3600,
      cpus: 1,
      memoryMb: 1024,
      diskMb: 10240,
      pidsLimit: 1024,
      metricsIntervalSeconds: 1,
      network: 'bridge',
    });
    expect(config.sandbox).toEqual({
      user: '10001:10001',
      tmpSizeMb: 512,
      hostAccess: 'blocked',
      runSubnets: '172.30.0.0/15',
    });
    expect(config.limits).toEqual({
      maxInputBytes: 10 * 1024 ** 3,
      maxOutputBytes: 10 * 1024 ** 3,
      maxLogBytes: 256 * 1024 ** 2,
      maxResultBytes: 64 * 1024,
      liveLogBytes: 1024 ** 2,
    });
  });

  it('reads the sandbox settings and the caps', () => {
    const config = loadConfig({
      TDS_JOB_USER: '65534:65534',
      TDS_TMP_SIZE_MB: '64',
      TDS_RUN_HOST_ACCESS: 'allowed',
      TDS_DEFAULT_NETWORK: 'none',
      TDS_MAX_INPUT_BYTES: '1000',
      TDS_MAX_OUTPUT_BYTES: '2000',
      TDS_MAX_LOG_BYTES: '3000',
      TDS_MAX_RESULT_BYTES: '4000',
      TDS_LIVE_LOG_BYTES: '4096',
      TDS_RUN_SUBNETS: 'engine',
    });
    expect(config.sandbox).toEqual({
      user: '65534:65534',
      tmpSizeMb: 64,
      hostAccess: 'allowed',
      runSubnets: undefined,
    });
    expect(loadConfig({ TDS_RUN_SUBNETS: '10.9.0.0/16' }).sandbox.runSubnets).toBe('10.9.0.0/16');
    expect(() => loadConfig({ TDS_RUN_SUBNETS: '8.8.0.0/16' })).toThrow(
      'TDS_RUN_SUBNETS must lie within a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16); 8.8.0.0–8.8.255.255 does not, or "engine"; got "8.8.0.0/16"',
    );
    expect(() => loadConfig({ TDS_RUN_HOST_ACCESS: 'open' })).toThrow(
      'TDS_RUN_HOST_ACCESS must be "blocked" or "blocked-by-operator" or "allowed", got "open"',
    );
    expect(config.jobDefaults.network).toBe('none');
    expect(config.limits).toEqual({
      maxInputBytes: 1000,
      maxOutputBytes: 2000,
      maxLogBytes: 3000,
      maxResultBytes: 4000,
      liveLogBytes: 4096,
    });
  });

  it('refuses a result bound over 120 KiB: a result must fit in one environment variable', () => {
    expect(loadConfig({ TDS_MAX_RESULT_BYTES: String(120 * 1024) }).limits.maxResultBytes).toBe(122_880);
    const error = configErrorFor({ TDS_MAX_RESULT_BYTES: String(120 * 1024 + 1) });
    expect(error.variable).toBe('TDS_MAX_RESULT_BYTES');
    expect(error.message).toContain('from 1 to 122880');
  });

  it.each(['0:0', '0:10001', '10001:0', 'root', '10001', '10001:10001:1', '-1:5', 'a:b'])(
    'refuses TDS_JOB_USER=%j: commands never run as root, and only numbers are taken',
    (user) => {
      const error = configErrorFor({ TDS_JOB_USER: user });
      expect(error.variable).toBe('TDS_JOB_USER');
      expect(error.message).toContain(`"${user}"`);
      expect(error.message).toContain('never run as root');
    },
  );

  it('reads which proxies name the client, and never trusts every sender', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TDS_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TDS_TRUST_PROXY: '10.0.0.0/16, 10.1.2.3,fd00::/8' }).trustProxy).toEqual([
      '10.0.0.0/16',
      '10.1.2.3',
      'fd00::/8',
    ]);
    for (const raw of ['true', '0', '11', '10.0.0.0/33', 'proxy.internal']) {
      expect(configErrorFor({ TDS_TRUST_PROXY: raw }).message).toContain('TDS_TRUST_PROXY');
    }
    expect(configErrorFor({ TDS_VERSIONS_PAGE_SIZE: '60' }).message).toContain('TDS_VERSIONS_PAGE_MAX');
  });

  it('refuses a default network other than none or bridge', () => {
    const error = configErrorFor({ TDS_DEFAULT_NETWORK: 'host' });
    expect(error.message).toBe('TDS_DEFAULT_NETWORK must be "none" or "bridge", got "host"');
  });

  it.each(['TDS_MAX_INPUT_BYTES', 'TDS_MAX_OUTPUT_BYTES', 'TDS_MAX_LOG_BYTES', 'TDS_TMP_SIZE_MB'])(
    'refuses %s that is not a positive whole number',
    (name) => {
      for (const value of ['0', '-5', '1.5', '10G']) {
        const error = configErrorFor({ [name]: value });
        expect(error.variable).toBe(name);
        expect(error.message).toContain(`"${value}"`);
      }
    },
  );

  it('reads the port and resolves a relative data directory', () => {
    const config = loadConfig({ PORT: '9090', TDS_DATA_DIR: 'some/dir' });
    expect(config.port).toBe(9090);
    expect(config.dataDir).toBe(path.resolve('some/dir'));
  });

  it.each(['abc', '8080.5', '70000', '-1'])('refuses PORT=%j, naming PORT and the value', (port) => {
    const error = configErrorFor({ PORT: port });
    expect(error.variable).toBe('PORT');
    expect(error.message).toContain('PORT');
    expect(error.message).toContain(`"${port}"`);
  });

  it('refuses an unknown storage kind, naming TDS_STORAGE', () => {
    const error = configErrorFor({ TDS_STORAGE: 'gcs' });
    expect(error.variable).toBe('TDS_STORAGE');
    expect(error.message).toContain('TDS_STORAGE');
    expect(error.message).toContain('"gcs"');
  });

  it('uses path-style S3 at the given endpoint', () => {
    const config = loadConfig({
      TDS_STORAGE: 's3',
      S3_ENDPOINT: 'http://localhost:9000',
      AWS_REGION: 'eu-west-1',
    });
    expect(config.storage).toEqual({
      kind: 's3',
      endpoint: 'http://localhost:9000',
      region: 'eu-west-1',
      forcePathStyle: true,
    });
  });

  it('uses virtual-hosted AWS S3 when no endpoint is given', () => {
    const config = loadConfig({ TDS_STORAGE: 's3' });
    expect(config.storage).toEqual({
      kind: 's3',
      endpoint: undefined,
      region: undefined,
      forcePathStyle: false,
    });
  });

  it('reads a comma-separated role list', () => {
    expect(loadConfig({ TDS_ROLES: 'api, worker' }).roles).toEqual(['api', 'worker']);
  });

  it('refuses the exporter role where its metrics would be served nowhere', () => {
    const error = configErrorFor({ TDS_ROLES: 'worker,exporter' });
    expect(error.variable).toBe('TDS_ROLES');
    expect(error.message).toMatch(/TDS_METRICS_PORT/);
    expect(loadConfig({ TDS_ROLES: 'exporter', TDS_METRICS_PORT: '9464' }).roles).toEqual(['exporter']);
  });

  it('sends traces only when an OTLP endpoint is set, to its /v1/traces or the full URL given', () => {
    expect(loadConfig({}).tracing).toEqual({ endpoint: undefined, serviceName: 'task-deploy-service' });
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing.endpoint).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(
      loadConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        TDS_OTEL_TRACES_ENDPOINT: 'https://traces.example/in',
      }).tracing.endpoint,
    ).toBe('https://traces.example/in');
    expect(configErrorFor({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }).variable).toBe(
      'OTEL_EXPORTER_OTLP_ENDPOINT',
    );
  });

  it('refuses an unknown role, naming TDS_ROLES and the role', () => {
    const error = configErrorFor({ TDS_ROLES: 'api,bogus' });
    expect(error.variable).toBe('TDS_ROLES');
    expect(error.message).toContain('"bogus"');
  });

  it('reads CORS origins as a list, or * as any origin', () => {
    expect(loadConfig({ TDS_CORS_ORIGIN: 'http://a.test, http://b.test' }).corsOrigins).toEqual([
      'http://a.test',
      'http://b.test',
    ]);
    expect(loadConfig({ TDS_CORS_ORIGIN: '*' }).corsOrigins).toBe(true);
  });

  it('refuses a default CPU limit out of range', () => {
    const error = configErrorFor({ TDS_DEFAULT_CPUS: '0' });
    expect(error.variable).toBe('TDS_DEFAULT_CPUS');
  });
});

describe('loadConfig: the database driver', () => {
  const rds = {
    TDS_RDS_CLUSTER_ARN: 'arn:aws:rds:eu-west-3:123456789012:cluster:tds-prod',
    TDS_RDS_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-3:123456789012:secret:tds-db-AbCdEf',
    TDS_RDS_DATABASE: 'tds',
  };

  it('uses pg for DATABASE_URL, and the embedded Postgres when nothing is set', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://db/tds' })).toMatchObject({
      databaseUrl: 'postgres://db/tds',
      rdsData: undefined,
    });
    expect(loadConfig({})).toMatchObject({ databaseUrl: undefined, rdsData: undefined });
  });

  it('uses the RDS Data API for a cluster ARN, a secret ARN and a database, in the cluster region by default', () => {
    expect(loadConfig(rds).rdsData).toEqual({
      clusterArn: rds.TDS_RDS_CLUSTER_ARN,
      secretArn: rds.TDS_RDS_SECRET_ARN,
      database: 'tds',
      region: 'eu-west-3',
      endpoint: undefined,
    });
    expect(
      loadConfig({ ...rds, AWS_REGION: 'us-east-1', TDS_RDS_ENDPOINT: 'http://127.0.0.1:9999' }).rdsData,
    ).toMatchObject({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9999' });
  });

  it('refuses DATABASE_URL together with the Data API settings', () => {
    const error = configErrorFor({ ...rds, DATABASE_URL: 'postgres://db/tds' });
    expect(error.variable).toBe('DATABASE_URL');
    expect(error.message).toMatch(/both set/);
  });

  it('names the Data API setting that is missing', () => {
    const { TDS_RDS_SECRET_ARN: _secret, ...withoutSecret } = rds;
    const error = configErrorFor(withoutSecret);
    expect(error.variable).toBe('TDS_RDS_SECRET_ARN');
    expect(error.message).toMatch(/missing: TDS_RDS_SECRET_ARN/);
    expect(configErrorFor({ TDS_RDS_ENDPOINT: 'http://x' }).variable).toBe('TDS_RDS_ENDPOINT');
  });

  it('refuses ARNs of the wrong kind and an endpoint that is not a URL', () => {
    expect(configErrorFor({ ...rds, TDS_RDS_CLUSTER_ARN: 'tds-prod' }).variable).toBe('TDS_RDS_CLUSTER_ARN');
    expect(configErrorFor({ ...rds, TDS_RDS_SECRET_ARN: rds.TDS_RDS_CLUSTER_ARN }).variable).toBe(
      'TDS_RDS_SECRET_ARN',
    );
    expect(configErrorFor({ ...rds, TDS_RDS_ENDPOINT: 'localhost:9999' }).variable).toBe('TDS_RDS_ENDPOINT');
  });
});

describe('loadConfig: settings that say no', () => {
  /** Every setting read as yes or no: each must refuse what it does not understand. */
  const yesNoSettings = Object.entries(SETTINGS)
    .filter(([, setting]) => setting.accepts.startsWith('`true` or `false`'))
    .map(([name]) => name);

  it('reads yes-or-no words in any case, and nothing else', () => {
    for (const yes of ['true', 'TRUE', 'True', '1', 'yes', 'YES', ' yes '])
      expect(parseYesNo(yes)).toBe(true);
    for (const no of ['false', 'False', '0', 'no', 'NO']) expect(parseYesNo(no)).toBe(false);
    for (const other of ['on', 'off', 'y', 'n', '2', 'truee', 'enabled', '']) {
      expect(parseYesNo(other)).toBeUndefined();
    }
  });

  it('has every yes-or-no setting read with the one rule', () => {
    expect(yesNoSettings).toEqual(['S3_FORCE_PATH_STYLE', 'TDS_WEBHOOK_ALLOW_PRIVATE']);
  });

  it('takes TDS_WEBHOOK_ALLOW_PRIVATE=1 as allowed, and refuses a word it does not know', () => {
    expect(loadConfig({ TDS_WEBHOOK_ALLOW_PRIVATE: '1' }).webhooks.allowPrivate).toBe(true);
    expect(loadConfig({ TDS_WEBHOOK_ALLOW_PRIVATE: 'Yes' }).webhooks.allowPrivate).toBe(true);
    expect(loadConfig({ TDS_WEBHOOK_ALLOW_PRIVATE: 'no' }).webhooks.allowPrivate).toBe(false);
    expect(loadConfig({}).webhooks.allowPrivate).toBe(false);
    expect(configErrorFor({ TDS_WEBHOOK_ALLOW_PRIVATE: 'allowed' }).message).toBe(
      'TDS_WEBHOOK_ALLOW_PRIVATE must be true or false (also 1 or 0, yes or no, in any case), got "allowed"',
    );
  });

  it('reads S3_FORCE_PATH_STYLE with the same words', () => {
    const s3 = { TDS_STORAGE: 's3' };
    expect(loadConfig({ ...s3, S3_FORCE_PATH_STYLE: 'YES' }).storage).toMatchObject({ forcePathStyle: true });
    expect(loadConfig({ ...s3, S3_FORCE_PATH_STYLE: '0' }).storage).toMatchObject({ forcePathStyle: false });
    expect(configErrorFor({ ...s3, S3_FORCE_PATH_STYLE: 'path' }).variable).toBe('S3_FORCE_PATH_STYLE');
  });

  it('reads TDS_AUTH as on or off, or a yes-or-no word', () => {
    expect(loadConfig({ TDS_AUTH: 'ON' }).authEnabled).toBe(true);
    expect(loadConfig({ TDS_AUTH: '1' }).authEnabled).toBe(true);
    expect(loadConfig({ TDS_AUTH: 'no' }).authEnabled).toBe(false);
    expect(configErrorFor({ TDS_AUTH: 'maybe' }).message).toContain('must be "on" or "off"');
    expect(configErrorFor({ TDS_AUTH: 'false', HOST: '0.0.0.0' }).message).toContain('HOST=0.0.0.0');
  });

  it.each([
    ['PORT', '0x1F90'],
    ['PORT', '8e3'],
    ['PORT', ''.padEnd(3, ' ') + '+80'],
    ['TDS_POLL_INTERVAL_MS', '1_000'],
    ['TDS_LEASE_MS', '30s'],
    ['TDS_DEFAULT_CPUS', '1e0'],
    ['TDS_DEFAULT_CPUS', '0x1'],
    ['TDS_DEFAULT_CPUS', 'Infinity'],
    ['LOG_LEVEL', 'verbose'],
    ['LOG_LEVEL', 'INFO'],
    ['HOST', 'my host'],
    ['HOST', '[::1]'],
    ['HOST', 'localhost:8080'],
    ['DOCKER_HOST', '/var/run/docker.sock'],
    ['DOCKER_HOST', 'ssh://me@engine'],
    ['DOCKER_HOST', 'tcp://'],
    ['S3_ENDPOINT', 'localhost:9000'],
    ['S3_ENDPOINT', 'ftp://store'],
    ['TDS_CORS_ORIGIN', 'https://app.example.com/'],
    ['TDS_CORS_ORIGIN', 'app.example.com'],
    ['TDS_BASE_IMAGE', 'Debian:Bookworm'],
    ['TDS_BASE_IMAGE', 'debian bookworm'],
  ])('refuses %s=%j, naming the setting and the value', (name, value) => {
    const error = configErrorFor({ [name]: value });
    expect(error.variable).toBe(name);
    expect(error.message.startsWith(`${name} `)).toBe(true);
    expect(error.message).toContain(value);
    expect(error.message).not.toContain('\n');
  });

  it('reads numbers in decimal, with spaces around, and the forms that are understood', () => {
    expect(loadConfig({ PORT: ' 9090 ' }).port).toBe(9090);
    expect(loadConfig({ TDS_DEFAULT_CPUS: '0.5' }).jobDefaults.cpus).toBe(0.5);
    expect(loadConfig({ TDS_DEFAULT_CPUS: '.5' }).jobDefaults.cpus).toBe(0.5);
    expect(loadConfig({ LOG_LEVEL: 'silent' }).logLevel).toBe('silent');
    expect(loadConfig({ HOST: '::' }).host).toBe('::');
    expect(loadConfig({ HOST: 'api.internal', TDS_AUTH: 'on' }).host).toBe('api.internal');
    expect(loadConfig({ DOCKER_HOST: 'unix:///run/docker.sock' }).dockerHost).toBe('unix:///run/docker.sock');
    expect(loadConfig({ DOCKER_HOST: 'tcp://10.0.0.5:2375' }).dockerHost).toBe('tcp://10.0.0.5:2375');
  });

  it('refuses a DATABASE_URL that is not a Postgres URL without showing it (it holds the password)', () => {
    const bad = 'mysql://tds:hunter2@db/tds';
    const error = configErrorFor({ DATABASE_URL: bad });
    expect(error.message).toContain('postgres://');
    expect(error.message).not.toContain('hunter2');
    expect(loadConfig({ DATABASE_URL: 'postgresql:///tds?host=/run/postgresql' }).databaseUrl).toBe(
      'postgresql:///tds?host=/run/postgresql',
    );
  });

  it('suggests the origin when a CORS entry has a path', () => {
    expect(configErrorFor({ TDS_CORS_ORIGIN: 'https://app.example.com/' }).message).toContain(
      'did you mean "https://app.example.com"',
    );
  });
});

describe('loadConfig: the database connection and migrations', () => {
  it('gives the pool its documented defaults, and reads each setting', () => {
    expect(loadConfig({}).database).toEqual({
      poolSize: 10,
      connectTimeoutMs: 10_000,
      statementTimeoutMs: 60_000,
      lockTimeoutMs: 10_000,
      idleInTransactionTimeoutMs: 60_000,
      keepAliveDelayMs: 10_000,
      migrate: 'auto',
      migrationLockTimeoutMs: 5_000,
    });
    const config = loadConfig({
      TDS_DB_POOL_SIZE: '3',
      TDS_DB_CONNECT_TIMEOUT_MS: '2000',
      TDS_DB_STATEMENT_TIMEOUT_MS: '1500',
      TDS_DB_LOCK_TIMEOUT_MS: '700',
      TDS_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '9000',
      TDS_DB_KEEPALIVE_DELAY_MS: '5000',
      TDS_MIGRATION_LOCK_TIMEOUT_MS: '250',
    }).database;
    expect(config).toMatchObject({
      poolSize: 3,
      connectTimeoutMs: 2000,
      statementTimeoutMs: 1500,
      lockTimeoutMs: 700,
      idleInTransactionTimeoutMs: 9000,
      keepAliveDelayMs: 5000,
      migrationLockTimeoutMs: 250,
    });
    expect(configErrorFor({ TDS_DB_POOL_SIZE: '0' }).variable).toBe('TDS_DB_POOL_SIZE');
    expect(configErrorFor({ TDS_DB_STATEMENT_TIMEOUT_MS: 'soon' }).variable).toBe(
      'TDS_DB_STATEMENT_TIMEOUT_MS',
    );
  });

  it('migrates by itself on the embedded Postgres, and leaves it to the deploy step on any other', () => {
    expect(loadConfig({}).database.migrate).toBe('auto');
    expect(loadConfig({ DATABASE_URL: 'postgres://db/tds' }).database.migrate).toBe('never');
    expect(
      loadConfig({
        TDS_RDS_CLUSTER_ARN: 'arn:aws:rds:us-east-1:123456789012:cluster:tds',
        TDS_RDS_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:tds-AbCdEf',
        TDS_RDS_DATABASE: 'tds',
      }).database.migrate,
    ).toBe('never');
    expect(loadConfig({ DATABASE_URL: 'postgres://db/tds', TDS_MIGRATE: 'auto' }).database.migrate).toBe(
      'auto',
    );
    expect(loadConfig({ TDS_MIGRATE: 'never' }).database.migrate).toBe('never');
    const error = configErrorFor({ TDS_MIGRATE: 'yes' });
    expect(error.variable).toBe('TDS_MIGRATE');
    expect(error.message).toContain('"auto" or "never"');
  });
});

describe('the fence (TDS_FENCE_MS)', () => {
  it('is half the lease unless set, and 0 turns it off', () => {
    expect(loadConfig({}).fenceMs).toBe(15_000);
    expect(loadConfig({ TDS_LEASE_MS: '9000' }).fenceMs).toBe(4500);
    expect(loadConfig({ TDS_FENCE_MS: '20000' }).fenceMs).toBe(20_000);
    expect(loadConfig({ TDS_FENCE_MS: '0' }).fenceMs).toBe(0);
  });

  it('must leave a reconcile interval before the lease can lapse', () => {
    expect(loadConfig({ TDS_FENCE_MS: '28000' }).fenceMs).toBe(28_000);
    const error = configErrorFor({ TDS_FENCE_MS: '28001' });
    expect(error.variable).toBe('TDS_FENCE_MS');
    expect(error.message).toMatch(/at most TDS_LEASE_MS − TDS_RECONCILE_INTERVAL_MS = 28000\), got 28001/);
    expect(configErrorFor({ TDS_FENCE_MS: '30000' }).variable).toBe('TDS_FENCE_MS');
    expect(configErrorFor({ TDS_FENCE_MS: '1.5' }).variable).toBe('TDS_FENCE_MS');
  });
});
