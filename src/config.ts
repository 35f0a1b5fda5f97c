import os from 'node:os';
import path from 'node:path';
import { isLoopbackHost } from './auth/policy.js';
import { ConfigError } from './errors.js';
import { JOB_NETWORKS, type JobNetwork } from './jobs/job-spec.js';

export type Role = 'api' | 'worker' | 'scheduler';

export interface Config {
  host: string;
  port: number;
  roles: Role[];
  dataDir: string;
  /** A Postgres to use instead of the embedded one. */
  databaseUrl: string | undefined;
  /** Aurora through the RDS Data API instead of a Postgres connection (never set with databaseUrl). */
  rdsData: RdsDataConfig | undefined;
  embeddedPostgresPort: number;
  storage:
    | { kind: 'embedded'; port: number; accessKeyId: string; secretAccessKey: string }
    | { kind: 's3'; endpoint: string | undefined; region: string | undefined; forcePathStyle: boolean };
  dockerHost: string | undefined;
  baseImage: string;
  workerId: string;
  maxConcurrentRuns: number;
  pollIntervalMs: number;
  reconcileIntervalMs: number;
  leaseMs: number;
  shutdownGraceMs: number;
  retentionDays: number;
  housekeepingIntervalMs: number;
  /** How reads from and writes to the object store are retried while it is unavailable. */
  storeRetry: { attempts: number; firstDelayMs: number };
  corsOrigins: string[] | true | false;
  /** API keys required; off is allowed only while the API listens on loopback alone. */
  authEnabled: boolean;
  /** Requests per minute per API key (or address); 0 turns limiting off. */
  rateLimitPerMinute: number;
  bodyLimitBytes: number;
  /** Ceilings for users the operator has not given their own. */
  userCeilings: {
    maxCpus: number;
    maxMemoryMb: number;
    maxTimeoutSeconds: number;
    maxConcurrentRuns: number;
  };
  scheduler: {
    misfireToleranceMs: number;
    batchSize: number;
    maxIdleMs: number;
  };
  logLevel: string;
  /** What every job container runs as; see the README's Sandbox section. */
  sandbox: {
    /** `uid:gid` the command runs as: never root. */
    user: string;
    /** Size of the tmpfs at /tmp (it counts against the job's memory). */
    tmpSizeMb: number;
  };
  /** Caps on what a run may read and write. */
  limits: {
    /** All of a run's inputs together. */
    maxInputBytes: number;
    /** All of a run's output files together. */
    maxOutputBytes: number;
    /** Each of stdout.log and stderr.log. */
    maxLogBytes: number;
  };
  jobDefaults: {
    timeoutSeconds: number;
    cpus: number;
    memoryMb: number;
    pidsLimit: number;
    metricsIntervalSeconds: number;
    network: JobNetwork;
  };
}

export interface RdsDataConfig {
  clusterArn: string;
  secretArn: string;
  database: string;
  region: string;
  /** Another endpoint than the region's (a VPC endpoint, or a local one in tests). */
  endpoint: string | undefined;
}

/** The fixed, documented credentials of the embedded S3 server (the AWS CLI reads results with them). */
export const EMBEDDED_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

type Env = Record<string, string | undefined>;

const GIB = 1024 * 1024 * 1024;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function decimal(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(name, `must be a number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

/** Who job commands run as unless TDS_JOB_USER says otherwise. */
export const DEFAULT_JOB_USER = '10001:10001';

/** `uid:gid`, both numbers, neither of them 0: job commands never run as root. */
function jobUser(env: Env): string {
  const raw = env.TDS_JOB_USER;
  if (raw === undefined || raw === '') return DEFAULT_JOB_USER;
  const match = /^(\d{1,10}):(\d{1,10})$/.exec(raw);
  const uid = Number(match?.[1]);
  const gid = Number(match?.[2]);
  if (!match || uid < 1 || gid < 1 || uid > 2 ** 31 - 1 || gid > 2 ** 31 - 1) {
    throw new ConfigError(
      'TDS_JOB_USER',
      `must be "uid:gid" with two numbers from 1 to ${2 ** 31 - 1} (job commands never run as root), got "${raw}"`,
    );
  }
  return `${uid}:${gid}`;
}

function network(env: Env): JobNetwork {
  const raw = env.TDS_DEFAULT_NETWORK;
  if (raw === undefined || raw === '') return 'bridge';
  if (!(JOB_NETWORKS as readonly string[]).includes(raw)) {
    throw new ConfigError(
      'TDS_DEFAULT_NETWORK',
      `must be ${JOB_NETWORKS.map((n) => `"${n}"`).join(' or ')}, got "${raw}"`,
    );
  }
  return raw as JobNetwork;
}

function parseRoles(raw: string | undefined): Role[] {
  if (raw === undefined || raw.trim() === '') return ['api', 'worker', 'scheduler'];
  const roles = raw.split(',').map((r) => r.trim());
  for (const role of roles) {
    if (role !== 'api' && role !== 'worker' && role !== 'scheduler') {
      throw new ConfigError(
        'TDS_ROLES',
        `unknown role "${role}"; use a comma-separated list of api, worker, scheduler`,
      );
    }
  }
  return roles as Role[];
}

function parseCors(raw: string | undefined): string[] | true | false {
  if (raw === undefined || raw.trim() === '') return false;
  if (raw.trim() === '*') return true;
  return raw
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
}

const RDS_DATA_NAMES = ['TDS_RDS_CLUSTER_ARN', 'TDS_RDS_SECRET_ARN', 'TDS_RDS_DATABASE'] as const;

/** The RDS Data API settings, when any is set: all three names, and no DATABASE_URL. */
function parseRdsData(env: Env): RdsDataConfig | undefined {
  const given = RDS_DATA_NAMES.filter((name) => env[name]);
  if (given.length === 0) {
    if (env.TDS_RDS_ENDPOINT) {
      throw new ConfigError('TDS_RDS_ENDPOINT', `is set but ${RDS_DATA_NAMES.join(', ')} are not`);
    }
    return undefined;
  }
  const missing = RDS_DATA_NAMES.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new ConfigError(
      missing[0]!,
      `is needed with ${given.join(' and ')}: the RDS Data API takes the cluster ARN, the secret ARN and the database name (missing: ${missing.join(', ')})`,
    );
  }
  if (env.DATABASE_URL) {
    throw new ConfigError(
      'DATABASE_URL',
      'and the RDS Data API settings (TDS_RDS_*) are both set; keep DATABASE_URL for a Postgres connection, or the TDS_RDS_* settings for Aurora through the Data API',
    );
  }
  const clusterArn = env.TDS_RDS_CLUSTER_ARN!;
  const cluster = /^arn:aws[a-z-]*:rds:([a-z0-9-]+):\d{12}:cluster:[A-Za-z0-9-]+$/.exec(clusterArn);
  if (!cluster) {
    throw new ConfigError(
      'TDS_RDS_CLUSTER_ARN',
      `must be an Aurora cluster ARN (arn:aws:rds:REGION:ACCOUNT:cluster:NAME), got "${clusterArn}"`,
    );
  }
  // The secret's value is the database password; its ARN only names it, and may be shown.
  const secretArn = env.TDS_RDS_SECRET_ARN!;
  if (!/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(secretArn)) {
    throw new ConfigError(
      'TDS_RDS_SECRET_ARN',
      `must be a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME), got "${secretArn}"`,
    );
  }
  const endpoint = env.TDS_RDS_ENDPOINT || undefined;
  if (endpoint && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
    throw new ConfigError('TDS_RDS_ENDPOINT', `must be an http(s) URL, got "${endpoint}"`);
  }
  return {
    clusterArn,
    secretArn,
    database: env.TDS_RDS_DATABASE!,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || cluster[1]!,
    endpoint,
  };
}

function parseAuth(raw: string | undefined, host: string): boolean {
  const value = (raw ?? '').trim().toLowerCase();
  if (value === '') return !isLoopbackHost(host);
  if (value !== 'on' && value !== 'off')
    throw new ConfigError('TDS_AUTH', `must be "on" or "off", got "${raw}"`);
  if (value === 'off' && !isLoopbackHost(host)) {
    throw new ConfigError(
      'TDS_AUTH',
      `is off, but HOST=${host} would let other machines reach the API without a key; ` +
        'turn authentication on (TDS_AUTH=on) or listen on loopback only (HOST=127.0.0.1)',
    );
  }
  return value === 'on';
}

/** Reads and validates the configuration once, at boot. Throws ConfigError naming the variable at fault. */
export function loadConfig(env: Env = process.env): Config {
  const storageKind = env.TDS_STORAGE || 'embedded';
  if (storageKind !== 'embedded' && storageKind !== 's3') {
    throw new ConfigError('TDS_STORAGE', `must be "embedded" or "s3", got "${storageKind}"`);
  }
  const storage: Config['storage'] =
    storageKind === 'embedded'
      ? {
          kind: 'embedded',
          port: integer(env, 'TDS_S3_PORT', 4569, 1, 65535),
          accessKeyId: env.TDS_S3_ACCESS_KEY_ID || EMBEDDED_S3_CREDENTIALS.accessKeyId,
          secretAccessKey: env.TDS_S3_SECRET_ACCESS_KEY || EMBEDDED_S3_CREDENTIALS.secretAccessKey,
        }
      : {
          kind: 's3',
          endpoint: env.S3_ENDPOINT || undefined,
          region: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
          forcePathStyle: env.S3_FORCE_PATH_STYLE === 'true' || Boolean(env.S3_ENDPOINT),
        };

  const baseImage = env.TDS_BASE_IMAGE || 'debian:bookworm-slim';
  const reconcileIntervalMs = integer(env, 'TDS_RECONCILE_INTERVAL_MS', 2000, 50, 600_000);
  const leaseMs = integer(env, 'TDS_LEASE_MS', 30_000, 1000, 3_600_000);
  if (leaseMs < 3 * reconcileIntervalMs) {
    throw new ConfigError(
      'TDS_LEASE_MS',
      `must be at least three heartbeats (3 × TDS_RECONCILE_INTERVAL_MS = ${3 * reconcileIntervalMs}), got ${leaseMs}`,
    );
  }
  const host = env.HOST || '127.0.0.1';
  const config: Config = {
    host,
    port: integer(env, 'PORT', 8080, 0, 65535),
    roles: parseRoles(env.TDS_ROLES),
    dataDir: path.resolve(env.TDS_DATA_DIR || './.data'),
    databaseUrl: env.DATABASE_URL || undefined,
    rdsData: parseRdsData(env),
    embeddedPostgresPort: integer(env, 'TDS_PG_PORT', 54329, 1, 65535),
    storage,
    dockerHost: env.DOCKER_HOST || undefined,
    baseImage,
    workerId: env.TDS_WORKER_ID || `${os.hostname()}`,
    maxConcurrentRuns: integer(env, 'TDS_MAX_CONCURRENT_RUNS', 2, 1, 1000),
    pollIntervalMs: integer(env, 'TDS_POLL_INTERVAL_MS', 500, 10, 60_000),
    reconcileIntervalMs,
    leaseMs,
    shutdownGraceMs: integer(env, 'TDS_SHUTDOWN_GRACE_MS', 30_000, 0, 3_600_000),
    retentionDays: integer(env, 'TDS_RETENTION_DAYS', 30, 0, 36_500),
    housekeepingIntervalMs: integer(env, 'TDS_HOUSEKEEPING_INTERVAL_MS', 60_000, 1000, 86_400_000),
    storeRetry: {
      attempts: integer(env, 'TDS_S3_ATTEMPTS', 5, 1, 100),
      firstDelayMs: integer(env, 'TDS_S3_RETRY_DELAY_MS', 1000, 1, 600_000),
    },
    corsOrigins: parseCors(env.TDS_CORS_ORIGIN),
    authEnabled: parseAuth(env.TDS_AUTH, host),
    rateLimitPerMinute: integer(env, 'TDS_RATE_LIMIT_PER_MINUTE', 1200, 0, 10_000_000),
    bodyLimitBytes: integer(env, 'TDS_BODY_LIMIT_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    userCeilings: {
      maxCpus: decimal(env, 'TDS_USER_MAX_CPUS', 4, 0.01, 256),
      maxMemoryMb: integer(env, 'TDS_USER_MAX_MEMORY_MB', 8192, 16, 1_048_576),
      maxTimeoutSeconds: integer(env, 'TDS_USER_MAX_TIMEOUT_SECONDS', 86_400, 1, 7 * 86400),
      maxConcurrentRuns: integer(env, 'TDS_USER_MAX_CONCURRENT_RUNS', 10, 1, 10_000),
    },
    scheduler: {
      misfireToleranceMs: integer(env, 'TDS_MISFIRE_TOLERANCE_MS', 60_000, 0, 86_400_000),
      batchSize: integer(env, 'TDS_SCHEDULER_BATCH', 500, 1, 100_000),
      maxIdleMs: integer(env, 'TDS_SCHEDULER_IDLE_MS', 1000, 10, 60_000),
    },
    logLevel: env.LOG_LEVEL || 'info',
    sandbox: {
      user: jobUser(env),
      tmpSizeMb: integer(env, 'TDS_TMP_SIZE_MB', 512, 1, 1_048_576),
    },
    limits: {
      maxInputBytes: integer(env, 'TDS_MAX_INPUT_BYTES', 10 * GIB, 1, Number.MAX_SAFE_INTEGER),
      maxOutputBytes: integer(env, 'TDS_MAX_OUTPUT_BYTES', 10 * GIB, 1, Number.MAX_SAFE_INTEGER),
      maxLogBytes: integer(env, 'TDS_MAX_LOG_BYTES', 256 * 1024 * 1024, 1, Number.MAX_SAFE_INTEGER),
    },
    jobDefaults: {
      timeoutSeconds: integer(env, 'TDS_DEFAULT_TIMEOUT_SECONDS', 3600, 1, 7 * 86400),
      cpus: decimal(env, 'TDS_DEFAULT_CPUS', 1, 0.01, 256),
      memoryMb: integer(env, 'TDS_DEFAULT_MEMORY_MB', 1024, 16, 1_048_576),
      pidsLimit: integer(env, 'TDS_PIDS_LIMIT', 1024, 16, 1_000_000),
      metricsIntervalSeconds: decimal(env, 'TDS_METRICS_INTERVAL_SECONDS', 1, 0.1, 3600),
      network: network(env),
    },
  };
  checkDefaultsWithinCeilings(config);
  return config;
}

/** A job that takes every default must fit every user's default ceiling. */
function checkDefaultsWithinCeilings({ jobDefaults, userCeilings }: Config): void {
  const pairs = [
    ['TDS_DEFAULT_CPUS', jobDefaults.cpus, 'TDS_USER_MAX_CPUS', userCeilings.maxCpus],
    ['TDS_DEFAULT_MEMORY_MB', jobDefaults.memoryMb, 'TDS_USER_MAX_MEMORY_MB', userCeilings.maxMemoryMb],
    [
      'TDS_DEFAULT_TIMEOUT_SECONDS',
      jobDefaults.timeoutSeconds,
      'TDS_USER_MAX_TIMEOUT_SECONDS',
      userCeilings.maxTimeoutSeconds,
    ],
  ] as const;
  for (const [name, value, ceilingName, ceiling] of pairs) {
    if (value > ceiling) {
      throw new ConfigError(
        name,
        `(${value}) is above ${ceilingName} (${ceiling}); a job taking the default would be refused`,
      );
    }
  }
}
