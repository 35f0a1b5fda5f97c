import { problemOfBlock } from '../services/docker/subnet-pool.js';
import os from 'node:os';
import { isIP } from 'node:net';
import path from 'node:path';
import { isLoopbackHost } from './auth/policy.js';
import { ConfigError } from './errors.js';
import { isTag, MAX_TAGS, tagSet } from './fleet/tags.js';
import { IMAGE_PATTERN, JOB_NETWORKS, MAX_GPUS, type Gpus, type JobNetwork } from './jobs/job-spec.js';
import { RUN_HOST_ACCESS, type RunHostAccess } from './runner/host-access.js';
import { parseSecretsKey } from './secrets/secret-box.js';

export type Role = 'api' | 'worker' | 'scheduler' | 'exporter';

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
  /** How the service uses its Postgres (see docs/database.md). */
  database: {
    /** Connections each process keeps at most (the `pg` driver). */
    poolSize: number;
    connectTimeoutMs: number;
    statementTimeoutMs: number;
    lockTimeoutMs: number;
    idleInTransactionTimeoutMs: number;
    /** TCP keepalive's first probe after this much silence on a connection. */
    keepAliveDelayMs: number;
    /** `auto`: a start applies the migrations not applied yet; `never`: a database behind stops the start. */
    migrate: 'auto' | 'never';
    /** How long a migration waits for a table's lock before failing rather than queueing traffic behind it. */
    migrationLockTimeoutMs: number;
  };
  storage:
    | { kind: 'embedded'; port: number; accessKeyId: string; secretAccessKey: string }
    | { kind: 's3'; endpoint: string | undefined; region: string | undefined; forcePathStyle: boolean };
  dockerHost: string | undefined;
  baseImage: string;
  /**
   * Images a run may take from the engine as they are, without pulling them (TDS_LOCAL_IMAGES, and
   * the base image): references, repositories, or prefixes ending in `*`.
   */
  localImages: string[];
  /** Disk the images this installation pulled or built may take on an engine before the least recently used go. */
  imageCacheBytes: number;
  workerId: string;
  /** What this worker offers to jobs' `requires` (its platform is added when it starts). */
  workerTags: string[];
  maxConcurrentRuns: number;
  /**
   * What one worker's runs under way may ask for together (their `cpus` and `memory_mb`): 0 is
   * the engine's own (its CPUs and memory, read when the worker starts).
   */
  workerCapacity: { cpus: number; memoryMb: number };
  /** Free bytes a worker's data folder keeps: below them it claims nothing (0: no floor). */
  workerMinFreeBytes: number;
  pollIntervalMs: number;
  /** How often a worker woken by notifications (LISTEN) looks for queued runs anyway. */
  claimPollMs: number;
  reconcileIntervalMs: number;
  /** How often a worker measures the disk its running containers use (their `disk_mb`). */
  diskCheckIntervalMs: number;
  leaseMs: number;
  /**
   * How long a worker goes without renewing a run's lease before it stops the run's container
   * itself (fencing), so that nothing of it still runs once another worker may take it over; 0: never.
   */
  fenceMs: number;
  shutdownGraceMs: number;
  retentionDays: number;
  /**
   * Runs' results folders in S3 (docs/results.md#expiry): deleted this many days after the run
   * ended when its job or workflow says nothing (0 keeps them for ever), at most `batch` runs' folders a
   * retention pass.
   */
  resultsRetention: { defaultDays: number; batch: number };
  housekeepingIntervalMs: number;
  /** Kept results still undelivered this many days after they were kept are removed (0: never). */
  keptResultsRetentionDays: number;
  workflowPassIntervalMs: number;
  /** How reads from and writes to the object store are retried while it is unavailable. */
  storeRetry: { attempts: number; firstDelayMs: number };
  /**
   * A run's results wait in a spool on the worker's disk (at most `maxBytes` of output files in
   * all) until they are in the object store, tried for `patienceSeconds` with back-off growing
   * to `maxDelayMs`.
   */
  spool: { maxBytes: number; patienceSeconds: number; maxDelayMs: number };
  corsOrigins: string[] | true | false;
  /** Which proxies' X-Forwarded-For names the client (Fastify's trustProxy); false: none. */
  trustProxy: false | number | string[];
  /** Signing of result download links: a shared secret (or one per process) and their lifetime. */
  downloadLinks: {
    secret: string | undefined;
    lifetimeSeconds: number;
    /** Keys that open links and never sign them (a rotation's overlap: TDS_DOWNLOAD_LINK_SECRETS_ACCEPTED). */
    acceptedSecrets: string[];
  };
  /** The audit log (docs/audit.md): the most rows in a page of GET /audit, and how long rows are kept. */
  audit: { pageMax: number; retentionDays: number };
  /** API keys required; off is allowed only while the API listens on loopback alone. */
  authEnabled: boolean;
  /** Requests per minute per API key (or address); 0 turns limiting off. */
  rateLimitPerMinute: number;
  /** Requests per second per API key (or address); 0: none. */
  rateLimitPerSecond: number;
  /** How long a refused request is held before its 429. */
  rateLimitRefusalDelayMs: number;
  rateLimitPerAddressPerMinute: number;
  authFailuresPerMinute: number;
  /** Page sizes of the versions listings. */
  versionPaging: { defaultSize: number; maxSize: number };
  /** GET /usage: the most days one report covers, and the most groups it answers. */
  usage: { maxRangeDays: number; maxGroups: number };
  bodyLimitBytes: number;
  /** Ceilings for users the operator has not given their own. */
  userCeilings: {
    maxCpus: number;
    maxMemoryMb: number;
    maxDiskMb: number;
    maxGpus: Gpus;
    maxTimeoutSeconds: number;
    maxConcurrentRuns: number;
  };
  scheduler: {
    misfireToleranceMs: number;
    batchSize: number;
    maxIdleMs: number;
  };
  webhooks: {
    /** Endpoints on loopback, private, link-local or reserved addresses allowed (tests, closed networks). */
    allowPrivate: boolean;
    /** The key endpoint secrets are derived from; kept in the database when unset. */
    signingKey: string | undefined;
    /** More keys whose derived secrets also sign every delivery (a rotation's overlap), never shown. */
    acceptedSigningKeys: string[];
    /** Deliveries sent at once by each worker process. */
    concurrency: number;
    /** Of those, at most this many to one user's endpoints (and one at a time to each endpoint). */
    sendsPerUser: number;
    pollIntervalMs: number;
    /** Endpoints a user may register (POST /webhooks; notify_url endpoints are not counted). */
    endpointsPerUser: number;
  };
  /** Runs a request may queue: refused with 429 past these (src/runs/queue-room.ts). */
  queue: {
    perUser: number;
    total: number;
    /** Fire times one backfill queues (src/definitions/backfill.ts). */
    backfillMaxRuns: number;
  };
  /** Streamed answers (GET /events, log streams) of each API process. */
  streams: {
    perUser: number;
    perProcess: number;
    /** Bytes of events queued for one GET /events stream before it is paused. */
    bufferBytes: number;
    /** How often the process looks for new events for its open streams. */
    pollIntervalMs: number;
  };
  /** Users' secrets (see docs/secrets.md). */
  secrets: {
    /** TDS_SECRETS_KEY; unset: a key kept in the data folder with the embedded database, else none. */
    key: Buffer | undefined;
    maxPerUser: number;
    maxValueBytes: number;
  };
  /** A listener of its own for /metrics (no key needed there); /metrics on the API, with an operator key, when unset. */
  metricsPort: number | undefined;
  /** How long a scrape waits for the database's figures (the exporter) or its probe before reporting it down. */
  metricsDatabaseTimeoutMs: number;
  /** OpenTelemetry traces (docs/metrics.md): sent over OTLP/HTTP when an endpoint is set, off otherwise. */
  tracing: { endpoint: string | undefined; serviceName: string };
  logLevel: string;
  /** `json`: one JSON object a line; `pretty`: a line a person reads; `auto`: pretty on a terminal. */
  logFormat: LogFormat;
  /** What every job container runs as; see docs/security.md. */
  sandbox: {
    /** `uid:gid` the command runs as: never root. */
    user: string;
    /** Size of the tmpfs at /tmp (it counts against the job's memory). */
    tmpSizeMb: number;
    /** Whether bridge runs may open connections to the engine's host, and who keeps them from it. */
    hostAccess: RunHostAccess;
    /** Where `bridge` runs' own networks take their subnets; undefined: Docker's default pools. */
    runSubnets: string | undefined;
  };
  /** Caps on what a run may read and write. */
  limits: {
    /** All of a run's inputs together. */
    maxInputBytes: number;
    /** All of a run's output files together. */
    maxOutputBytes: number;
    /** Each of stdout.log and stderr.log. */
    maxLogBytes: number;
    /**
     * A run's result (the last non-empty line of its stdout) and a workflow step's result (a
     * fan-out's array of its items' results): what a run record, an API answer, a report and the
     * next steps' placeholders and environment carry inline.
     */
    maxResultBytes: number;
    /** The most of each stream GET /runs/:id/logs reads from a running container. */
    liveLogBytes: number;
  };
  /** How much of a run's metrics file one answer of `GET /runs/:id/metrics` reads and gives. */
  metricsRead: {
    maxBytes: number;
    maxRows: number;
    maxPoints: number;
  };
  /** What one `GET /runs/:id/log-search` looks for and answers at most. */
  logSearch: {
    maxMatches: number;
    maxPatternChars: number;
  };
  jobDefaults: {
    timeoutSeconds: number;
    cpus: number;
    memoryMb: number;
    diskMb: number;
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

/** Who job commands run as unless TDS_JOB_USER says otherwise. */
export const DEFAULT_JOB_USER = '10001:10001';

type Env = Record<string, string | undefined>;

/** How a setting is read: its default and what it accepts, as shown to people, and the check itself. */
interface Reader<T> {
  /** The default, as docs/configuration.md shows it (Markdown). */
  shownDefault: string;
  /** What the variable accepts, as docs/configuration.md shows it (Markdown). */
  accepts: string;
  /** Reads the raw value (undefined when unset); throws ConfigError naming the variable. */
  read(name: string, raw: string | undefined): T;
}

/** The sections of docs/configuration.md, in order. */
export const SETTING_GROUPS = {
  service: 'The service',
  database: 'Database',
  storage: 'Object storage (S3)',
  jobs: 'Docker and job defaults',
  sandbox: 'Sandbox and caps',
  worker: 'Workers',
  scheduler: 'Scheduler',
  api: 'API, users and limits',
  events: 'Webhooks, events and metrics',
} as const;

/** One environment variable: what it means, its default, and how it is read. */
export interface Setting<T = unknown> extends Reader<T> {
  group: keyof typeof SETTING_GROUPS;
  /** What the variable does (Markdown; links are relative to docs/). */
  meaning: string;
}

const GIB = 1024 * 1024 * 1024;
const MIB = 1024 * 1024;
const KIB = 1024;
/**
 * A result is given to later steps as an environment variable, and Linux holds at most 128 KiB in
 * one (MAX_ARG_STRLEN, with its name and `=`): 120 KiB leaves room for any step's name.
 */
const MAX_RESULT_BYTES_CEILING = 120 * KIB;

const code = (value: string | number) => `\`${value}\``;

/** Digits only, in decimal: `0x10`, `1e3`, `+5` and `1_000` are not read as numbers an operator meant. */
const WHOLE_NUMBER = /^\d+$/;
const DECIMAL_NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

/** A whole number from `min` to `max`; unset or empty gives `fallback`. */
function wholeNumber(
  fallback: number,
  min: number,
  max: number,
  shownDefault = code(fallback),
): Reader<number> {
  return {
    shownDefault,
    accepts:
      max === Number.MAX_SAFE_INTEGER ? `a whole number from ${min}` : `a whole number from ${min} to ${max}`,
    read(name, raw) {
      if (raw === undefined || raw === '') return fallback;
      const value = WHOLE_NUMBER.test(raw.trim()) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(value) || value < min || value > max) {
        throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
      }
      return value;
    },
  };
}

/** A number (fractions allowed) from `min` to `max`; unset or empty gives `fallback`. */
function decimalNumber(fallback: number, min: number, max: number): Reader<number> {
  return {
    shownDefault: code(fallback),
    accepts: `a number from ${min} to ${max}`,
    read(name, raw) {
      if (raw === undefined || raw === '') return fallback;
      const value = DECIMAL_NUMBER.test(raw.trim()) ? Number(raw) : NaN;
      if (!Number.isFinite(value) || value < min || value > max) {
        throw new ConfigError(name, `must be a number from ${min} to ${max}, got "${raw}"`);
      }
      return value;
    },
  };
}

/** Any text; unset or empty gives `fallback`. */
function text(fallback: string, accepts: string, shownDefault = code(fallback)): Reader<string> {
  return { shownDefault, accepts, read: (_name, raw) => raw || fallback };
}

/** Any text, or nothing: unset or empty gives undefined. */
function optionalText(accepts: string, shownDefault = 'unset'): Reader<string | undefined> {
  return { shownDefault, accepts, read: (_name, raw) => raw || undefined };
}

/** One of `values`; unset or empty gives `fallback`. */
function oneOf<T extends string>(values: readonly T[], fallback: T): Reader<T> {
  const quoted = values.map((value) => `"${value}"`).join(' or ');
  return {
    shownDefault: code(fallback),
    accepts: values.map(code).join(' or '),
    read(name, raw) {
      if (raw === undefined || raw === '') return fallback;
      if (!(values as readonly string[]).includes(raw)) {
        throw new ConfigError(name, `must be ${quoted}, got "${raw}"`);
      }
      return raw as T;
    },
  };
}

const YES = ['true', '1', 'yes'];
const NO = ['false', '0', 'no'];
/** What a yes-or-no setting accepts, as its refusal says it. */
export const YES_NO_WORDS = 'true or false (also 1 or 0, yes or no, in any case)';

/**
 * The one reading of a yes-or-no value: true for `true`, `1`, `yes`, false for `false`, `0`, `no`
 * (any case, spaces around ignored), undefined for anything else, which the caller refuses.
 */
export function parseYesNo(raw: string): boolean | undefined {
  const value = raw.trim().toLowerCase();
  if (YES.includes(value)) return true;
  if (NO.includes(value)) return false;
  return undefined;
}

/** Yes or no; unset or empty gives `fallback`, anything not understood is refused. */
function yesNo(fallback: boolean, shownDefault = code(String(fallback))): Reader<boolean> {
  return {
    shownDefault,
    accepts: '`true` or `false` (also `1`/`0`, `yes`/`no`, in any case)',
    read(name, raw) {
      if (raw === undefined || raw.trim() === '') return fallback;
      const value = parseYesNo(raw);
      if (value === undefined) throw new ConfigError(name, `must be ${YES_NO_WORDS}, got "${raw}"`);
      return value;
    },
  };
}

interface UrlRule {
  /** The schemes accepted, without `://`. */
  schemes: readonly string[];
  accepts: string;
  shownDefault?: string;
  /** Whether a host must be named (a Postgres URL may name a socket folder instead, in its query). */
  hostNeeded?: boolean;
  /** The value is not shown when refused (a database URL holds its password). */
  secret?: boolean;
}

/** A URL with one of the rule's schemes, or nothing: unset or empty gives undefined. */
function url({
  schemes,
  accepts,
  shownDefault = 'unset',
  hostNeeded = true,
  secret = false,
}: UrlRule): Reader<string | undefined> {
  const expected = schemes.map((scheme) => `${scheme}://`).join(' or ');
  return {
    shownDefault,
    accepts,
    read(name, raw) {
      if (raw === undefined || raw.trim() === '') return undefined;
      const value = raw.trim();
      const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase();
      const parsed = URL.canParse(value) ? new URL(value) : undefined;
      if (
        scheme === undefined ||
        !schemes.includes(scheme) ||
        parsed === undefined ||
        (hostNeeded && parsed.hostname === '')
      ) {
        const shown = secret ? ' (the value is not shown: it may hold a password)' : `, got "${raw}"`;
        const host = hostNeeded ? ' naming a host' : '';
        throw new ConfigError(name, `must be a URL starting with ${expected}${host}${shown}`);
      }
      return value;
    },
  };
}

/** Text that must match `pattern` when set; `problem` says what was expected. */
function matching(pattern: RegExp, accepts: string, problem: string): Reader<string | undefined> {
  return {
    shownDefault: 'unset',
    accepts,
    read(name, raw) {
      if (!raw) return undefined;
      if (!pattern.test(raw)) throw new ConfigError(name, `${problem}, got "${raw}"`);
      return raw;
    },
  };
}

/**
 * Keys, comma-separated, each 32 characters or more: the other keys of a key ring (the one that
 * signs is its own setting). The values are secrets: an error names the entry, never its text.
 */
function keyRing(): Reader<string[]> {
  return {
    shownDefault: 'none',
    accepts: 'keys of 32 characters or more (without commas), separated by commas',
    read(name, raw) {
      if (raw === undefined || raw.trim() === '') return [];
      const keys = raw.split(',').map((key) => key.trim());
      keys.forEach((key, index) => {
        if (key.length < 32) {
          throw new ConfigError(
            name,
            `key ${index + 1} of ${keys.length} must be 32 characters or more, got ${key.length}`,
          );
        }
      });
      return keys;
    },
  };
}

const ROLES: readonly Role[] = ['api', 'worker', 'scheduler', 'exporter'];

/** pino's levels, quietest last. */
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const roles: Reader<Role[]> = {
  shownDefault: 'all four',
  accepts: `a comma-separated list of ${ROLES.map(code).join(', ')}`,
  read(name, raw) {
    if (raw === undefined || raw.trim() === '') return [...ROLES];
    const given = raw.split(',').map((r) => r.trim());
    for (const role of given) {
      if (!(ROLES as readonly string[]).includes(role)) {
        throw new ConfigError(
          name,
          `unknown role "${role}"; use a comma-separated list of ${ROLES.join(', ')}`,
        );
      }
    }
    return given as Role[];
  },
};

/** Each origin as a browser sends it (`Origin`): a scheme, a host in lower case and a port, no path. */
const corsOrigins: Reader<string[] | true | false> = {
  shownDefault: 'none',
  accepts: 'comma-separated origins (`https://app.example.com`, no path), or `*` for any',
  read(name, raw) {
    if (raw === undefined || raw.trim() === '') return false;
    if (raw.trim() === '*') return true;
    const origins = raw
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean);
    for (const origin of origins) {
      const parsed = URL.canParse(origin) ? new URL(origin) : undefined;
      if (parsed?.origin !== origin) {
        const meant = parsed && parsed.origin !== 'null' ? ` (did you mean "${parsed.origin}"?)` : '';
        throw new ConfigError(
          name,
          `has "${origin}", which is not an origin as browsers send it: give scheme://host[:port], without a path${meant}`,
        );
      }
    }
    return origins;
  },
};

/** A host name (letters, digits, `-` between dots) or an IP address, as the API listens on it. */
const listenHost: Reader<string> = {
  shownDefault: code('127.0.0.1'),
  accepts: 'a host name or IP address (`0.0.0.0` or `::` for every address)',
  read(name, raw) {
    const value = (raw ?? '').trim();
    if (value === '') return '127.0.0.1';
    const label = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
    const hostName = new RegExp(`^${label}(?:\\.${label})*\\.?$`);
    if (isIP(value) === 0 && !(value.length <= 253 && hostName.test(value))) {
      throw new ConfigError(
        name,
        `must be a host name or an IP address (without brackets or a port; the port is PORT), got "${raw}"`,
      );
    }
    return value;
  },
};

/** The engine as dockerOptions (services/docker) reaches it: a socket, or a host and port. */
const dockerHost: Reader<string | undefined> = {
  shownDefault: 'the local socket',
  accepts: '`unix:///path/to/docker.sock`, or `tcp://host:port` (also `http://`, `https://`)',
  read(name, raw) {
    const value = (raw ?? '').trim();
    if (value === '') return undefined;
    if (/^unix:\/\/\/\S+$/.test(value)) return value;
    const parsed = URL.canParse(value) ? new URL(value) : undefined;
    if (parsed === undefined || !['tcp:', 'http:', 'https:'].includes(parsed.protocol) || !parsed.hostname) {
      throw new ConfigError(
        name,
        `must be unix:///path/to/docker.sock or tcp://host:port (also http:// or https://), got "${raw}"`,
      );
    }
    return value;
  },
};

/**
 * Which proxies' `X-Forwarded-For` names the client: none (the address a request comes from is the
 * client's), a number of hops, or the proxies' addresses. Never every sender: any client could then
 * name itself anew in each request and escape the limits by address.
 */
const trustProxy: Reader<false | number | string[]> = {
  shownDefault: '`off`',
  accepts:
    '`off`, a number of proxy hops from 1 to 10, or comma-separated addresses or CIDR ranges of the proxies',
  read(name, raw) {
    const value = (raw ?? '').trim();
    if (value === '' || value.toLowerCase() === 'off') return false;
    if (/^\d{1,2}$/.test(value)) {
      const hops = Number(value);
      if (hops < 1 || hops > 10) throw new ConfigError(name, `must be 1 to 10 hops, got ${hops}`);
      return hops;
    }
    const entries = value.split(',').map((entry) => entry.trim());
    for (const entry of entries) {
      const slash = entry.indexOf('/');
      const address = slash === -1 ? entry : entry.slice(0, slash);
      const bits = slash === -1 ? '' : entry.slice(slash + 1);
      const family = isIP(address);
      const maxBits = family === 6 ? 128 : 32;
      if (family === 0 || (slash !== -1 && !(/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits))) {
        throw new ConfigError(
          name,
          `"${entry}" is not an address or CIDR range: give "off", a number of hops, or the proxies' addresses (10.0.0.0/16,10.1.2.3)`,
        );
      }
    }
    return entries;
  },
};

/** `on` or `off` as given, or undefined when unset: whether that is allowed depends on HOST. */
const auth: Reader<'on' | 'off' | undefined> = {
  shownDefault: '`off` on loopback, else `on`',
  accepts:
    '`on` or `off` (or a yes-or-no word: `true`/`false`, `1`/`0`, `yes`/`no`); `off` only with a loopback `HOST`',
  read(name, raw) {
    const value = (raw ?? '').trim().toLowerCase();
    if (value === '') return undefined;
    if (value === 'on' || value === 'off') return value;
    const yes = parseYesNo(value);
    if (yes === undefined)
      throw new ConfigError(name, `must be "on" or "off" (or ${YES_NO_WORDS}), got "${raw}"`);
    return yes ? 'on' : 'off';
  },
};

/** Comma-separated tags; each a tag as jobs' `requires` name them. */
const workerTags: Reader<string[]> = {
  shownDefault: 'none',
  accepts: `comma-separated tags (letters, digits, \`.\`, \`_\`, \`-\`, \`/\`, \`:\`, \`=\`; up to ${MAX_TAGS})`,
  read(name, raw) {
    const given = (raw ?? '')
      .split(',')
      .map((tag) => tag.trim())
      .filter(Boolean);
    const bad = given.find((tag) => !isTag(tag));
    if (bad !== undefined) {
      throw new ConfigError(
        name,
        `has "${bad}", which is not a tag: use letters, digits, ".", "_", "-", "/", ":" or "=", starting with a letter or digit, up to 64 characters`,
      );
    }
    if (given.length > MAX_TAGS) throw new ConfigError(name, `has ${given.length} tags; at most ${MAX_TAGS}`);
    return tagSet(given);
  },
};

/** The largest uid or gid TDS_JOB_USER takes. */
const MAX_ID = 2 ** 31 - 1;

/** `uid:gid`, both numbers, neither of them 0: job commands never run as root. */
const jobUser: Reader<string> = {
  shownDefault: code(DEFAULT_JOB_USER),
  accepts: `\`uid:gid\`, two numbers from 1 to ${MAX_ID} (never root)`,
  read(name, raw) {
    if (raw === undefined || raw === '') return DEFAULT_JOB_USER;
    const match = /^(\d{1,10}):(\d{1,10})$/.exec(raw);
    const uid = Number(match?.[1]);
    const gid = Number(match?.[2]);
    if (!match || uid < 1 || gid < 1 || uid > MAX_ID || gid > MAX_ID) {
      throw new ConfigError(
        name,
        `must be "uid:gid" with two numbers from 1 to ${MAX_ID} (job commands never run as root), got "${raw}"`,
      );
    }
    return `${uid}:${gid}`;
  },
};

/**
 * Every environment variable the service reads, in one place: loadConfig reads each through its
 * entry, and docs/configuration.md is written from this table (`npm run docs:config`).
 */
export const SETTINGS = {
  HOST: {
    group: 'service',
    meaning: 'the address the API listens on',
    ...listenHost,
  },
  PORT: {
    group: 'service',
    meaning: 'the port the API listens on',
    ...wholeNumber(8080, 0, 65535),
  },
  TDS_ROLES: {
    group: 'service',
    meaning: 'which roles this process plays',
    ...roles,
  },
  TDS_DATA_DIR: {
    group: 'service',
    meaning: "embedded Postgres and embedded S3 data, and runs' working folders",
    shownDefault: code('./.data'),
    accepts: 'a folder (a relative one is taken from the working folder)',
    read: (_name, raw) => path.resolve(raw || './.data'),
  },
  LOG_LEVEL: {
    group: 'service',
    meaning: 'how much the service logs',
    ...oneOf(LOG_LEVELS, 'info'),
  },
  TDS_LOG_FORMAT: {
    group: 'service',
    meaning:
      'how the service writes its log: `json` (one object a line, for a collector), `pretty` (a line a person reads) or `auto` (pretty when its output is a terminal, JSON otherwise)',
    ...oneOf(LOG_FORMATS, 'auto'),
  },

  DATABASE_URL: {
    group: 'database',
    meaning: 'a Postgres to use instead of the embedded one (the `pg` driver)',
    ...url({
      schemes: ['postgres', 'postgresql'],
      accepts: 'a `postgres://` or `postgresql://` URL',
      shownDefault: 'unset (embedded)',
      hostNeeded: false,
      secret: true,
    }),
  },
  TDS_RDS_CLUSTER_ARN: {
    group: 'database',
    meaning:
      'Aurora (Serverless) through the RDS Data API instead: the cluster ARN; with `TDS_RDS_SECRET_ARN` and `TDS_RDS_DATABASE`, and never with `DATABASE_URL`',
    ...matching(
      /^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:cluster:[A-Za-z0-9-]+$/,
      '`arn:aws:rds:REGION:ACCOUNT:cluster:NAME`',
      'must be an Aurora cluster ARN (arn:aws:rds:REGION:ACCOUNT:cluster:NAME)',
    ),
  },
  // The secret's value is the database password; its ARN only names it, and may be shown.
  TDS_RDS_SECRET_ARN: {
    group: 'database',
    meaning: 'the ARN of the Secrets Manager secret with the database credentials (RDS Data API)',
    ...matching(
      /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/,
      '`arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME`',
      'must be a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME)',
    ),
  },
  TDS_RDS_DATABASE: {
    group: 'database',
    meaning: 'the database name (RDS Data API)',
    ...optionalText('a database name'),
  },
  TDS_RDS_ENDPOINT: {
    group: 'database',
    meaning:
      "another RDS Data API endpoint than the region's (a VPC endpoint); the region is `AWS_REGION`, else the cluster ARN's",
    ...url({ schemes: ['http', 'https'], accepts: 'an `http(s)` URL', shownDefault: "the region's" }),
  },
  TDS_PG_PORT: {
    group: 'database',
    meaning: 'port of the embedded Postgres on loopback',
    ...wholeNumber(54329, 1, 65535),
  },
  TDS_DB_POOL_SIZE: {
    group: 'database',
    meaning:
      "connections each process keeps to Postgres at most (`pg` driver); the fleet needs processes × this within the server's `max_connections`",
    ...wholeNumber(10, 1, 1000),
  },
  TDS_DB_CONNECT_TIMEOUT_MS: {
    group: 'database',
    meaning:
      'how long opening a connection may take before it fails and is tried again (a failover leaves connects hanging at an address that no longer answers)',
    ...wholeNumber(10_000, 100, 600_000),
  },
  TDS_DB_STATEMENT_TIMEOUT_MS: {
    group: 'database',
    meaning:
      'the longest one statement may run (`statement_timeout`); past it the server cancels the statement. Migrations are exempt',
    ...wholeNumber(60_000, 100, 86_400_000),
  },
  TDS_DB_LOCK_TIMEOUT_MS: {
    group: 'database',
    meaning:
      'the longest a statement waits for a lock (`lock_timeout`) before it fails instead of piling up behind a stuck transaction',
    ...wholeNumber(10_000, 100, 86_400_000),
  },
  TDS_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: {
    group: 'database',
    meaning:
      'how long the server keeps a transaction whose client went silent (`idle_in_transaction_session_timeout`) before ending it and freeing its locks',
    ...wholeNumber(60_000, 1000, 86_400_000),
  },
  TDS_DB_KEEPALIVE_DELAY_MS: {
    group: 'database',
    meaning:
      'TCP keepalive on every connection: the first probe after this much silence, so a connection to a server that vanished (failover) is found dead',
    ...wholeNumber(10_000, 1000, 3_600_000),
  },
  TDS_MIGRATE: {
    group: 'database',
    meaning:
      '`auto`: a start applies the migrations not applied yet; `never`: a database behind this version stops the start, naming `npm run migrate` (the image: its `migrate` command), run as a deploy step ([database](database.md#upgrades))',
    shownDefault: '`auto` with the embedded Postgres, else `never`',
    accepts: '`auto` or `never`',
    read(name, raw): 'auto' | 'never' | undefined {
      if (raw === undefined || raw === '') return undefined;
      if (raw !== 'auto' && raw !== 'never')
        throw new ConfigError(name, `must be "auto" or "never", got "${raw}"`);
      return raw;
    },
  },
  TDS_MIGRATION_LOCK_TIMEOUT_MS: {
    group: 'database',
    meaning:
      "how long a migration's statement waits for a table's lock before the migration fails (and nothing of it is kept) rather than holding the traffic queued behind it",
    ...wholeNumber(5_000, 100, 3_600_000),
  },

  TDS_STORAGE: {
    group: 'storage',
    meaning:
      '`embedded` (local S3-compatible server) or `s3` (AWS S3, or any S3-compatible store with `S3_ENDPOINT`)',
    ...oneOf(['embedded', 's3'], 'embedded'),
  },
  TDS_S3_PORT: {
    group: 'storage',
    meaning: 'port of the embedded S3 server on loopback',
    ...wholeNumber(4569, 1, 65535),
  },
  TDS_S3_ACCESS_KEY_ID: {
    group: 'storage',
    meaning: 'with `TDS_S3_SECRET_ACCESS_KEY`, an extra key pair the embedded S3 server accepts',
    ...text(EMBEDDED_S3_CREDENTIALS.accessKeyId, 'any text', '`S3RVER` (always accepted)'),
  },
  TDS_S3_SECRET_ACCESS_KEY: {
    group: 'storage',
    meaning: 'the secret of that extra key pair',
    ...text(EMBEDDED_S3_CREDENTIALS.secretAccessKey, 'any text', '`S3RVER` (always accepted)'),
  },
  S3_ENDPOINT: {
    group: 'storage',
    meaning: 'with `TDS_STORAGE=s3`: an S3-compatible store other than AWS S3 (path-style addressing)',
    ...url({ schemes: ['http', 'https'], accepts: 'an `http(s)` URL', shownDefault: 'AWS S3' }),
  },
  S3_FORCE_PATH_STYLE: {
    group: 'storage',
    meaning: 'with `TDS_STORAGE=s3`: path-style addressing even without `S3_ENDPOINT`',
    ...yesNo(false, '`false` (`true` with `S3_ENDPOINT`)'),
  },
  AWS_REGION: {
    group: 'storage',
    meaning: 'the AWS region of S3 (with `TDS_STORAGE=s3`) and of the RDS Data API',
    ...optionalText('a region name', "the SDK's default (for the Data API: the cluster ARN's)"),
  },
  AWS_DEFAULT_REGION: {
    group: 'storage',
    meaning: 'the region when `AWS_REGION` is unset',
    ...optionalText('a region name'),
  },
  TDS_S3_ATTEMPTS: {
    group: 'storage',
    meaning: "how often reading a run's inputs from the object store is tried before giving up",
    ...wholeNumber(5, 1, 100),
  },
  TDS_S3_RETRY_DELAY_MS: {
    group: 'storage',
    meaning: 'how long before the first retry of a read or write to the object store (doubling after each)',
    ...wholeNumber(1000, 1, 600_000),
  },
  TDS_UPLOAD_PATIENCE_SECONDS: {
    group: 'storage',
    meaning:
      "how long a run's results are retried while the store is away (across restarts) before `upload_error`",
    ...wholeNumber(3600, 1, 30 * 86400),
  },
  TDS_UPLOAD_RETRY_MAX_DELAY_MS: {
    group: 'storage',
    meaning: "the longest wait between two tries of a run's results (doubling from `TDS_S3_RETRY_DELAY_MS`)",
    ...wholeNumber(60_000, 1, 3_600_000),
  },
  TDS_SPOOL_MAX_BYTES: {
    group: 'storage',
    meaning:
      'the most output files a worker keeps while they wait for S3; more fail the run `limit_exceeded`',
    ...wholeNumber(20 * GIB, 1, Number.MAX_SAFE_INTEGER, '`21474836480` (20 GiB)'),
  },

  DOCKER_HOST: {
    group: 'jobs',
    meaning: 'the Docker engine',
    ...dockerHost,
  },
  TDS_BASE_IMAGE: {
    group: 'jobs',
    meaning: 'base image of job images that do not name one (`base_image`)',
    ...text('debian:bookworm-slim', "an image reference, as a job's `base_image`"),
    read(name: string, raw: string | undefined): string {
      const value = raw?.trim() || 'debian:bookworm-slim';
      // The rule a job's own base_image is held to.
      if (!new RegExp(IMAGE_PATTERN).test(value)) {
        throw new ConfigError(
          name,
          `must be an image reference such as debian:bookworm-slim (lower case, no spaces), got "${raw}"`,
        );
      }
      return value;
    },
  },
  TDS_LOCAL_IMAGES: {
    group: 'jobs',
    meaning:
      "images a job's `image` or `base_image` may use from the engine without pulling them; any other is pulled for each run (see [images](security.md#images))",
    shownDefault: 'none (`TDS_BASE_IMAGE` only)',
    accepts: 'comma-separated references, repositories (any tag) or prefixes ending in `*`',
    read(name, raw) {
      const entries = (raw ?? '')
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '');
      for (const entry of entries) {
        if (/\s/.test(entry) || (entry.includes('*') && !entry.endsWith('*'))) {
          throw new ConfigError(
            name,
            `"${entry}" is not an image reference, a repository or a prefix ending in *`,
          );
        }
      }
      return entries;
    },
  },
  TDS_IMAGE_CACHE_MB: {
    group: 'jobs',
    meaning:
      'disk the images pulled for runs and the package images may take on each engine, least recently used evicted first (see [images](security.md#images))',
    ...wholeNumber(20_480, 100, 10_000_000),
  },
  TDS_DEFAULT_TIMEOUT_SECONDS: {
    group: 'jobs',
    meaning: 'timeout of jobs that do not say (`timeout_seconds`); at most `TDS_USER_MAX_TIMEOUT_SECONDS`',
    ...wholeNumber(3600, 1, 7 * 86400),
  },
  TDS_DEFAULT_CPUS: {
    group: 'jobs',
    meaning: 'CPU limit of jobs that do not say (`cpus`); at most `TDS_USER_MAX_CPUS`',
    ...decimalNumber(1, 0.01, 256),
  },
  TDS_DEFAULT_MEMORY_MB: {
    group: 'jobs',
    meaning: 'memory limit in MiB of jobs that do not say (`memory_mb`); at most `TDS_USER_MAX_MEMORY_MB`',
    ...wholeNumber(1024, 16, 1_048_576),
  },
  TDS_DEFAULT_DISK_MB: {
    group: 'jobs',
    meaning:
      'disk in MiB a run of a job that does not say (`disk_mb`) may fill in the folders it can write to (`/job/output`); at most `TDS_USER_MAX_DISK_MB`',
    ...wholeNumber(10_240, 1, 16_777_216),
  },
  TDS_METRICS_INTERVAL_SECONDS: {
    group: 'jobs',
    meaning: 'how often CPU and memory are sampled in jobs that do not say (`metrics_interval_seconds`)',
    ...decimalNumber(1, 0.1, 3600),
  },
  TDS_PIDS_LIMIT: {
    group: 'jobs',
    meaning: 'process limit of each job container',
    ...wholeNumber(1024, 16, 1_000_000),
  },
  TDS_DEFAULT_NETWORK: {
    group: 'jobs',
    meaning: 'network of jobs that do not say (see [the sandbox](security.md#the-sandbox))',
    ...oneOf(JOB_NETWORKS, 'bridge'),
  },

  TDS_JOB_USER: {
    group: 'sandbox',
    meaning: 'who job commands run as (never root: 0 is refused)',
    ...jobUser,
  },
  TDS_RUN_HOST_ACCESS: {
    group: 'sandbox',
    meaning:
      "whether `bridge` runs may open connections to the Docker engine's host (its services on any address, the networks' gateways): `blocked`, the worker installs the host firewall rule before each bridge run and fails the run when it cannot; `blocked-by-operator`, the operator keeps that rule; `allowed`, they may (see [networks](security.md#networks))",
    ...oneOf(RUN_HOST_ACCESS, 'blocked'),
  },
  TDS_RUN_SUBNETS: {
    group: 'sandbox',
    meaning:
      "the private IPv4 block `bridge` runs' own networks take their subnets from, a /28 each (a /15 gives 8,192 runs with a network at once on one engine); `engine` leaves it to the Docker engine's default pools, which give about 30",
    shownDefault: '`172.30.0.0/15`',
    accepts: 'a private IPv4 block from /8 to /24 (`a.b.c.d/n`), or `engine`',
    read(name: string, raw: string | undefined): string | undefined {
      const value = raw || '172.30.0.0/15';
      if (value === 'engine') return undefined;
      const problem = problemOfBlock(value);
      if (problem) throw new ConfigError(name, `${problem}, or "engine"; got "${value}"`);
      return value;
    },
  },
  TDS_TMP_SIZE_MB: {
    group: 'sandbox',
    meaning: 'size of the in-memory `/tmp` of each job container (counts against its memory)',
    ...wholeNumber(512, 1, 1_048_576),
  },
  TDS_MAX_INPUT_BYTES: {
    group: 'sandbox',
    meaning:
      "the most a run's inputs may come to in all; over it the run fails `input_error` before building",
    ...wholeNumber(10 * GIB, 1, Number.MAX_SAFE_INTEGER, '`10737418240` (10 GiB)'),
  },
  TDS_MAX_OUTPUT_BYTES: {
    group: 'sandbox',
    meaning:
      "the most a run's output files may come to in all; over it what fits is uploaded and the run fails `limit_exceeded`",
    ...wholeNumber(10 * GIB, 1, Number.MAX_SAFE_INTEGER, '`10737418240` (10 GiB)'),
  },
  TDS_MAX_LOG_BYTES: {
    group: 'sandbox',
    meaning:
      'the most kept of each of `stdout.log` and `stderr.log`; the rest is dropped and the log ends with a line saying so',
    ...wholeNumber(256 * MIB, 1, Number.MAX_SAFE_INTEGER, '`268435456` (256 MiB)'),
  },
  TDS_LIVE_LOG_BYTES: {
    group: 'sandbox',
    meaning:
      "the most of each of stdout and stderr `GET /runs/:id/logs` reads from a running container (its last 10,000 lines, then the end of those), whatever the lines' length",
    ...wholeNumber(MIB, 1024, 64 * MIB, '`1048576` (1 MiB)'),
  },

  TDS_MAX_RESULT_BYTES: {
    group: 'sandbox',
    meaning:
      "the most a run's result (with `capture_result`: the last non-empty line of stdout; longer fails the run `result_too_large`) or a fan-out step's result (its items' results as one JSON array; longer is kept only in the step's manifest, `items.jsonl`) may come to; at most 120 KiB, so that it always fits in one environment variable",
    ...wholeNumber(64 * KIB, 1, MAX_RESULT_BYTES_CEILING, '`65536` (64 KiB)'),
  },
  TDS_METRICS_READ_MAX_BYTES: {
    group: 'sandbox',
    meaning:
      "the most of a run's metrics file `GET /runs/:id/metrics` reads (the job can write its own file without end); the answer says `truncated` past it",
    ...wholeNumber(8 * MIB, 1024, GIB, '`8388608` (8 MiB)'),
  },
  TDS_METRICS_READ_MAX_ROWS: {
    group: 'sandbox',
    meaning:
      "the most rows of a run's metrics file `GET /runs/:id/metrics` reads; the answer says `truncated` past it",
    ...wholeNumber(200_000, 10, 10_000_000),
  },
  TDS_LOG_SEARCH_MAX_MATCHES: {
    group: 'sandbox',
    meaning:
      'the most matching lines one `GET /runs/:id/log-search` answers; past it the search stops reading and the answer says `truncated`',
    ...wholeNumber(500, 1, 100_000),
  },
  TDS_LOG_SEARCH_MAX_PATTERN_CHARS: {
    group: 'sandbox',
    meaning: 'the longest text `GET /runs/:id/log-search` looks for (`q`); a longer one is refused with 400',
    ...wholeNumber(200, 1, 4096),
  },
  TDS_METRICS_MAX_POINTS: {
    group: 'sandbox',
    meaning:
      'the most samples `GET /runs/:id/metrics` answers with: past it neighbouring samples are merged, keeping their peaks',
    ...wholeNumber(2000, 10, 100_000),
  },

  TDS_WORKER_ID: {
    group: 'worker',
    meaning:
      "this worker's identity in the database; keep it stable across restarts so running containers are adopted",
    shownDefault: 'the host name',
    accepts: 'any text',
    read: (_name, raw) => raw || os.hostname(),
  },
  TDS_WORKER_TAGS: {
    group: 'worker',
    meaning:
      "what this worker offers: it claims only runs whose job's `requires` are all among these tags, its engine's platform (e.g. `linux/amd64`) and `gpu` when its engine has the NVIDIA runtime; see [deploying a fleet](deploy.md) and [GPUs](deploy.md#gpus)",
    ...workerTags,
  },
  TDS_MAX_CONCURRENT_RUNS: {
    group: 'worker',
    meaning: 'runs one worker stages, builds, runs or uploads at once',
    ...wholeNumber(2, 1, 1000),
  },
  TDS_WORKER_CPUS: {
    group: 'worker',
    meaning:
      "CPUs one worker's runs under way may ask for together (each run its `cpus`): a run is claimed only if it fits beside them; `0` is the engine's CPU count (see [capacity](operations.md#capacity))",
    ...decimalNumber(0, 0, 4096),
    shownDefault: "`0` (the engine's CPUs)",
  },
  TDS_WORKER_MEMORY_MB: {
    group: 'worker',
    meaning:
      "memory (MiB) one worker's runs under way may ask for together (each run its `memory_mb`): a run is claimed only if it fits beside them; `0` is the engine's memory (see [capacity](operations.md#capacity))",
    ...wholeNumber(0, 0, 1_000_000_000, "`0` (the engine's memory)"),
  },
  TDS_WORKER_MIN_FREE_MB: {
    group: 'worker',
    meaning:
      "free space (MiB) a worker's data folder (`TDS_DATA_DIR`: its spool of results waiting for S3, its runs' working files) keeps: below it the worker claims no run until there is room again, and says so in its log and in `tds_worker_disk_free_bytes`; `0` turns the floor off",
    ...wholeNumber(1024, 0, 1_000_000_000),
  },
  TDS_DISK_CHECK_INTERVAL_MS: {
    group: 'worker',
    meaning:
      "how often a worker measures the disk its running containers' writable folders use, to stop a run past its `disk_mb` (each check reads the engine's disk usage, `docker system df`)",
    ...wholeNumber(10_000, 200, 600_000),
  },
  TDS_POLL_INTERVAL_MS: {
    group: 'worker',
    meaning:
      'how often an idle worker looks for queued runs when it cannot be woken by notifications (the RDS Data API driver, or while its listening connection is lost)',
    ...wholeNumber(500, 10, 60_000),
  },
  TDS_CLAIM_POLL_MS: {
    group: 'worker',
    meaning:
      'how often an idle worker looks for queued runs while it is woken by notifications (the `pg` driver LISTENs: a queued run wakes it at once); a backstop (a run held back by a retry delay wakes it when the delay ends; see [claiming](operations.md#claiming))',
    ...wholeNumber(5000, 10, 600_000),
  },
  TDS_RECONCILE_INTERVAL_MS: {
    group: 'worker',
    meaning:
      'how often a worker checks its containers (exits missed by the event stream, cancels, timeouts) and heartbeats its runs',
    ...wholeNumber(2000, 50, 600_000),
  },
  TDS_LEASE_MS: {
    group: 'worker',
    meaning:
      'a run whose worker has not heartbeat for this long may be taken over by another worker (at least three reconcile intervals)',
    ...wholeNumber(30_000, 1000, 3_600_000),
  },
  TDS_FENCE_MS: {
    group: 'worker',
    meaning:
      "a worker that has not renewed a run's lease for this long (it is cut off from the database) stops the run's container itself, so that it no longer runs once another worker may take the run over, which runs it again ([a worker cut off from the database](operations.md#a-worker-cut-off-from-the-database)); at most `TDS_LEASE_MS` less one `TDS_RECONCILE_INTERVAL_MS`; `0` turns fencing off (the container goes on, and the command may run twice)",
    shownDefault: 'half of `TDS_LEASE_MS`',
    accepts: 'a whole number from 0 to 3600000',
    read(name, raw): number | undefined {
      if (raw === undefined || raw === '') return undefined;
      return wholeNumber(0, 0, 3_600_000).read(name, raw);
    },
  },
  TDS_SHUTDOWN_GRACE_MS: {
    group: 'worker',
    meaning:
      'on SIGTERM, how long a worker waits for runs being staged or built before handing them back to the queue',
    ...wholeNumber(30_000, 0, 3_600_000),
  },
  TDS_RETENTION_DAYS: {
    group: 'worker',
    meaning:
      'history older than this is deleted: runs and workflow runs that ended, schedule fires, replaced versions, events, workers gone ([retention](database.md#retention)); 0 keeps everything',
    ...wholeNumber(30, 0, 36_500),
  },
  TDS_RESULTS_RETENTION_DAYS: {
    group: 'worker',
    meaning:
      "a run's results folder in S3 is deleted this many days after the run ended, when its job or workflow gives no `results_retention_days` ([expiry](results.md#expiry)); never later than `TDS_RETENTION_DAYS` when that is not 0; 0 keeps results for ever",
    ...wholeNumber(0, 0, 36_500),
  },
  TDS_RESULTS_EXPIRY_BATCH: {
    group: 'worker',
    meaning:
      'the most runs whose results folders one retention pass deletes; the rest wait for the next pass ([expiry](results.md#expiry))',
    ...wholeNumber(100, 1, 10_000),
  },
  TDS_KEPT_RESULTS_RETENTION_DAYS: {
    group: 'worker',
    meaning:
      'results a worker keeps on its disk after S3 was away too long (its spool, and `undelivered/` of earlier releases) are tried again by its housekeeping every pass and removed once delivered; still undelivered this many days after the run kept them, they are removed, with a warning in the log ([S3 unavailable](operations.md#s3-unavailable)); 0 keeps them until they are delivered',
    ...wholeNumber(14, 0, 36_500),
  },
  TDS_AUDIT_RETENTION_DAYS: {
    group: 'worker',
    meaning:
      "audit log rows older than this are deleted by the workers' housekeeping, in the retention pass, whatever `TDS_RETENTION_DAYS` says ([audit](audit.md#retention)); 0 keeps everything",
    ...wholeNumber(365, 0, 36_500),
  },
  TDS_HOUSEKEEPING_INTERVAL_MS: {
    group: 'worker',
    meaning: 'how often a worker removes leftover containers, run images and folders',
    ...wholeNumber(60_000, 1000, 86_400_000),
  },

  TDS_WORKFLOW_PASS_INTERVAL_MS: {
    group: 'worker',
    meaning:
      "how often a worker moves on workflow runs no step's end moved lately (after a crash) and writes reports not yet written",
    ...wholeNumber(10_000, 100, 3_600_000),
  },

  TDS_MISFIRE_TOLERANCE_MS: {
    group: 'scheduler',
    meaning:
      'how late a fire time may be handled and still count as on time (later: missed, and the catch-up policy applies)',
    ...wholeNumber(60_000, 0, 86_400_000),
  },
  TDS_SCHEDULER_BATCH: {
    group: 'scheduler',
    meaning: 'schedules a scheduler handles per transaction',
    ...wholeNumber(500, 1, 100_000),
  },
  TDS_SCHEDULER_IDLE_MS: {
    group: 'scheduler',
    meaning:
      'the longest an idle scheduler sleeps (it wakes at the next fire time, and when a schedule changes)',
    ...wholeNumber(1000, 10, 60_000),
  },

  TDS_WEBHOOK_ALLOW_PRIVATE: {
    group: 'events',
    meaning:
      'let webhook endpoints and `notify_url`s resolve to loopback, private, link-local or reserved addresses (refused otherwise, at registration and at every delivery); for tests and closed networks',
    ...yesNo(false),
  },
  // Its value is a secret: never logged, never shown.
  TDS_WEBHOOK_SIGNING_KEY: {
    group: 'events',
    meaning:
      "the key every endpoint's `whsec_` secret is derived from, kept out of the database (see [webhooks](webhooks.md#secrets)); when unset, one is made and kept in the database",
    ...matching(/^.{32,}$/s, 'at least 32 characters of random text', 'must be at least 32 characters long'),
  },
  // Their values are secrets: never logged, never shown.
  TDS_WEBHOOK_SIGNING_KEYS_ACCEPTED: {
    group: 'events',
    meaning:
      "more signing keys, comma-separated: every delivery is also signed with each endpoint's secret derived from each of them, so receivers holding a secret derived from one keep verifying while `TDS_WEBHOOK_SIGNING_KEY` is rotated (see [operations](operations.md#rotating-keys)); new secrets come from `TDS_WEBHOOK_SIGNING_KEY` only",
    ...keyRing(),
  },
  TDS_WEBHOOK_CONCURRENCY: {
    group: 'events',
    meaning:
      'webhook deliveries each worker process sends at once (a slow receiver holds one of them, never a run)',
    ...wholeNumber(8, 1, 256),
  },
  TDS_WEBHOOK_SENDS_PER_USER: {
    group: 'events',
    meaning:
      "of a worker process's webhook sends under way, at most this many to one user's endpoints, and one at a time to each endpoint, so one tenant's slow receivers cannot take every send",
    ...wholeNumber(2, 1, 256),
  },
  TDS_WEBHOOK_ENDPOINTS_PER_USER: {
    group: 'events',
    meaning:
      'webhook endpoints a user may register (`POST /webhooks`; the endpoints of `notify_url`s are not counted); one more is refused with 409',
    ...wholeNumber(25, 1, 100_000),
  },
  TDS_MAX_QUEUED_RUNS_PER_USER: {
    group: 'api',
    meaning:
      'runs one user may have queued: a request that would queue one more (a job or workflow that runs now, a trigger, a retry) is refused with 429 and Retry-After (counted at most once a second per API process while there is room, afresh before a refusal); runs a workflow queues as it goes and schedule fires are not refused',
    ...wholeNumber(10_000, 1, 10_000_000),
  },
  TDS_MAX_QUEUED_RUNS: {
    group: 'api',
    meaning:
      'runs the service takes queued, all users together: past it a request that would queue one more is refused with 429 and Retry-After (counted as TDS_MAX_QUEUED_RUNS_PER_USER is)',
    ...wholeNumber(100_000, 1, 100_000_000),
  },
  TDS_BACKFILL_MAX_RUNS: {
    group: 'api',
    meaning:
      'fire times one backfill (POST /jobs/:id/backfill, POST /workflows/:id/backfill) queues: a period holding more is refused whole with 400 naming this setting; the queued runs also count against TDS_MAX_QUEUED_RUNS_PER_USER and TDS_MAX_QUEUED_RUNS',
    ...wholeNumber(500, 1, 100_000),
  },
  TDS_STREAMS_PER_USER: {
    group: 'events',
    meaning:
      'streams (`GET /events`, `GET /runs/:id/log-stream`) one user may have open on one API process; one more is refused with 429 and Retry-After',
    ...wholeNumber(20, 1, 100_000),
  },
  TDS_STREAMS_PER_PROCESS: {
    group: 'events',
    meaning:
      'streams one API process serves at once, all users together; one more is refused with 429 and Retry-After',
    ...wholeNumber(1000, 1, 1_000_000),
  },
  TDS_EVENT_STREAM_BUFFER_BYTES: {
    group: 'events',
    meaning:
      'bytes of events held for one `GET /events` stream whose client reads slower than they come; past it the stream is paused, then served from the database at its own pace',
    ...wholeNumber(256 * 1024, 1024, 64 * MIB),
  },
  TDS_EVENT_POLL_INTERVAL_MS: {
    group: 'events',
    meaning:
      'how often an API process looks for new events for all its open `GET /events` streams (one read for all)',
    ...wholeNumber(1000, 10, 60_000),
  },
  TDS_WEBHOOK_POLL_INTERVAL_MS: {
    group: 'events',
    meaning: 'how often a worker process looks for webhook deliveries due (sooner when a run ends there)',
    ...wholeNumber(1000, 10, 60_000),
  },
  TDS_METRICS_PORT: {
    group: 'events',
    meaning:
      'serve Prometheus metrics on a listener of their own at this port (on `HOST`, no key needed, `/metrics`); unset: `GET /metrics` on the API, with an operator key',
    shownDefault: 'unset',
    accepts: 'a port from 0 to 65535',
    read(name, raw) {
      if (raw === undefined || raw === '') return undefined;
      return wholeNumber(0, 0, 65535).read(name, raw);
    },
  },

  TDS_METRICS_DATABASE_TIMEOUT_MS: {
    group: 'events',
    meaning:
      "how long a scrape of `/metrics` waits for the database (the exporter's figures, every process's probe) before it answers with `tds_database_up 0`",
    ...wholeNumber(3000, 100, 60_000),
  },
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    group: 'events',
    meaning:
      "OpenTelemetry's standard setting: the OTLP/HTTP collector that traces of runs' stages and API requests are sent to (`<endpoint>/v1/traces`); unset: no traces",
    ...url({ schemes: ['http', 'https'], accepts: 'an http:// or https:// URL' }),
  },
  TDS_OTEL_TRACES_ENDPOINT: {
    group: 'events',
    meaning:
      'the full URL traces are posted to, instead of `OTEL_EXPORTER_OTLP_ENDPOINT`/v1/traces (turns traces on by itself)',
    ...url({ schemes: ['http', 'https'], accepts: 'an http:// or https:// URL' }),
  },
  OTEL_SERVICE_NAME: {
    group: 'events',
    meaning: "the `service.name` of this process's traces",
    ...text('task-deploy-service', 'a name'),
  },

  TDS_AUTH: {
    group: 'api',
    meaning: '`on`: every request needs an API key; `off`: allowed only with a loopback `HOST`',
    ...auth,
  },
  TDS_CORS_ORIGIN: {
    group: 'api',
    meaning: 'origins allowed to call the API from a browser',
    ...corsOrigins,
  },
  TDS_DOWNLOAD_LINK_SECRET: {
    group: 'api',
    meaning:
      'the key that signs result download links (GET /runs/:id/files); unset, each API process makes its own at start, so set one shared secret when several API processes sit behind one address',
    shownDefault: 'a random key per process',
    accepts: 'any text of 32 characters or more',
    read(name: string, raw: string | undefined): string | undefined {
      if (!raw) return undefined;
      // The value is a secret: the message says what is wrong without showing it.
      if (raw.length < 32) throw new ConfigError(name, `must be 32 characters or more, got ${raw.length}`);
      return raw;
    },
  },
  TDS_DOWNLOAD_LINK_SECRETS_ACCEPTED: {
    group: 'api',
    meaning:
      'more keys, comma-separated, that open download links and never sign them: the overlap of a rotation of `TDS_DOWNLOAD_LINK_SECRET` (see [operations](operations.md#rotating-keys)); a link signed with a key in neither setting is refused',
    ...keyRing(),
  },
  TDS_DOWNLOAD_LINK_SECONDS: {
    group: 'api',
    meaning: 'how long a result download link works',
    ...wholeNumber(900, 10, 7 * 24 * 3600),
  },
  TDS_RATE_LIMIT_PER_MINUTE: {
    group: 'api',
    meaning: 'requests per minute per API key (or address); `0` turns limiting off',
    ...wholeNumber(1200, 0, 10_000_000),
  },
  TDS_RATE_LIMIT_PER_SECOND: {
    group: 'api',
    meaning:
      "requests per second per API key (or address), for an operator who wants a key's minute spread out rather than spent in one burst; `0` (the default) sets none, so a frontend may post a batch of jobs at once",
    ...wholeNumber(0, 0, 1_000_000),
  },
  TDS_RATE_LIMIT_REFUSAL_DELAY_MS: {
    group: 'api',
    meaning:
      'how long a request refused by a request limit (429) is held before it is answered (never past its `Retry-After`): a client that goes on sending past its limit gets one refusal per connection in that time, instead of refusals as fast as it can send, each costing the API work that other tenants wait behind; `0` answers at once',
    ...wholeNumber(1000, 0, 60_000),
  },
  TDS_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: {
    group: 'api',
    meaning:
      'requests per minute per client address (an IPv6 address by its /64), counted before the API key is looked up, so a flood with bad keys or none costs no database query past it; behind a load balancer see `TDS_TRUST_PROXY`; `0` turns it off',
    ...wholeNumber(6000, 0, 10_000_000),
  },
  TDS_AUTH_FAILURES_PER_MINUTE: {
    group: 'api',
    meaning:
      'requests refused as unauthenticated (no key, a malformed, unknown or revoked one) per minute per client address; past it the address gets 429 for the rest of the minute before any key is looked up; `0` turns it off',
    ...wholeNumber(60, 0, 10_000_000),
  },
  TDS_VERSIONS_PAGE_SIZE: {
    group: 'api',
    meaning:
      'versions in a page of `GET /jobs/:id/versions` and `GET /workflows/:id/versions` without `limit` (each holds a whole definition, up to `TDS_BODY_LIMIT_BYTES`)',
    ...wholeNumber(10, 1, 1000),
  },
  TDS_VERSIONS_PAGE_MAX: {
    group: 'api',
    meaning: 'the most versions `limit` may ask for in one page of those listings',
    ...wholeNumber(50, 1, 1000),
  },
  TDS_USAGE_MAX_RANGE_DAYS: {
    group: 'api',
    meaning: 'the most days one `GET /usage` report may cover (`from` to `to`)',
    ...wholeNumber(366, 1, 3660),
  },
  TDS_USAGE_MAX_GROUPS: {
    group: 'api',
    meaning:
      'the most groups (jobs, workflows, users or days) one `GET /usage` report answers; past it the rest are left out of `groups` (never of `total`) and `truncated` is true',
    ...wholeNumber(1000, 1, 100_000),
  },
  TDS_AUDIT_PAGE_MAX: {
    group: 'api',
    meaning:
      'the most rows `limit` may ask for in one page of `GET /audit` (50 without `limit`, or this when lower); one more is refused with 400',
    ...wholeNumber(200, 1, 1000),
  },
  TDS_TRUST_PROXY: {
    group: 'api',
    meaning:
      'the proxies (a load balancer) whose `X-Forwarded-For` names the client, for the limits by address and the logs; off, the address a request comes from is the client, so behind a load balancer every client shares its address and its limits',
    ...trustProxy,
  },
  TDS_BODY_LIMIT_BYTES: {
    group: 'api',
    meaning: 'largest request body',
    ...wholeNumber(MIB, 1024, 64 * MIB),
  },
  // Its value is a secret: never logged, never shown, not even in an error.
  TDS_SECRETS_KEY: {
    group: 'api',
    meaning:
      "the key users' [secrets](secrets.md) are sealed with (AES-256-GCM); unset with the embedded database, one is made once and kept in `TDS_DATA_DIR/secrets.key` (mode 0600); unset with `DATABASE_URL` or the RDS Data API, secrets are unavailable (their routes answer 503 saying so). A malformed key stops the start",
    shownDefault: 'unset',
    accepts: '32 bytes: 64 hex digits, or base64 (`openssl rand -base64 32`)',
    read(name: string, raw: string | undefined): Buffer | undefined {
      if (!raw) return undefined;
      const key = parseSecretsKey(raw);
      if (typeof key === 'string') throw new ConfigError(name, key);
      return key;
    },
  },
  TDS_SECRETS_MAX_PER_USER: {
    group: 'api',
    meaning: 'the most [secrets](secrets.md) one user may keep; setting one more is refused with 403',
    ...wholeNumber(100, 1, 10_000),
  },
  TDS_SECRET_MAX_VALUE_BYTES: {
    group: 'api',
    meaning: 'the largest value of a [secret](secrets.md), in bytes; a larger one is refused with 400',
    ...wholeNumber(64 * 1024, 1, 1024 * 1024, '`65536` (64 KiB)'),
  },
  TDS_USER_MAX_CPUS: {
    group: 'api',
    meaning: 'CPU ceiling of users without their own (`PUT /admin/users/:userId`)',
    ...decimalNumber(4, 0.01, 256),
  },
  TDS_USER_MAX_MEMORY_MB: {
    group: 'api',
    meaning: 'memory ceiling in MiB of users without their own',
    ...wholeNumber(8192, 16, 1_048_576),
  },
  TDS_USER_MAX_DISK_MB: {
    group: 'api',
    meaning: 'the most `disk_mb` a job may ask for',
    ...wholeNumber(102_400, 1, 16_777_216),
  },
  TDS_USER_MAX_GPUS: {
    group: 'api',
    meaning:
      "the most `gpus` a job or step may ask for (`all`: any count, and all of a worker's); more is refused with 403. `0` turns GPUs off",
    shownDefault: '`all`',
    accepts: `\`all\`, or a whole number from 0 to ${MAX_GPUS}`,
    read(name: string, raw: string | undefined): Gpus {
      if (raw === undefined || raw.trim() === '' || raw.trim().toLowerCase() === 'all') return 'all';
      return wholeNumber(0, 0, MAX_GPUS).read(name, raw);
    },
  },
  TDS_USER_MAX_TIMEOUT_SECONDS: {
    group: 'api',
    meaning: 'timeout ceiling of users without their own',
    ...wholeNumber(86_400, 1, 7 * 86400),
  },
  TDS_USER_MAX_CONCURRENT_RUNS: {
    group: 'api',
    meaning: 'runs under way at once, across all workers, for users without their own ceiling',
    ...wholeNumber(10, 1, 10_000),
  },
} satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;

type ValueOf<N extends SettingName> = ReturnType<(typeof SETTINGS)[N]['read']>;

const RDS_DATA_NAMES = ['TDS_RDS_CLUSTER_ARN', 'TDS_RDS_SECRET_ARN', 'TDS_RDS_DATABASE'] as const;

/** Reads one setting through its entry in SETTINGS (the one home of its parse rule). */
type ReadSetting = <N extends SettingName>(name: N) => ValueOf<N>;

/** Reads and validates the configuration once, at boot. Throws ConfigError naming the variable at fault. */
export function loadConfig(env: Env = process.env): Config {
  const read: ReadSetting = (name) => SETTINGS[name].read(name, env[name]) as ValueOf<typeof name>;
  const host = read('HOST');
  const config: Config = {
    host,
    port: read('PORT'),
    roles: read('TDS_ROLES'),
    dataDir: read('TDS_DATA_DIR'),
    databaseUrl: read('DATABASE_URL'),
    rdsData: rdsDataConfig(env, read),
    embeddedPostgresPort: read('TDS_PG_PORT'),
    database: databaseConfig(env, read),
    storage: storageConfig(read),
    ...engineConfig(read),
    ...workerConfig(read),
    ...apiConfig(read, host),
    scheduler: {
      misfireToleranceMs: read('TDS_MISFIRE_TOLERANCE_MS'),
      batchSize: read('TDS_SCHEDULER_BATCH'),
      maxIdleMs: read('TDS_SCHEDULER_IDLE_MS'),
    },
    ...eventsConfig(read),
    logLevel: read('LOG_LEVEL'),
    logFormat: read('TDS_LOG_FORMAT'),
    ...runCaps(read),
  };
  checkDefaultsWithinCeilings(config);
  checkExporterServed(config);
  return config;
}

/** The database client's pool, timeouts and migrations. */
function databaseConfig(env: Env, read: ReadSetting): Config['database'] {
  return {
    poolSize: read('TDS_DB_POOL_SIZE'),
    connectTimeoutMs: read('TDS_DB_CONNECT_TIMEOUT_MS'),
    statementTimeoutMs: read('TDS_DB_STATEMENT_TIMEOUT_MS'),
    lockTimeoutMs: read('TDS_DB_LOCK_TIMEOUT_MS'),
    idleInTransactionTimeoutMs: read('TDS_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS'),
    keepAliveDelayMs: read('TDS_DB_KEEPALIVE_DELAY_MS'),
    // The embedded Postgres is this process's own: nobody else runs a deploy step for it.
    migrate: read('TDS_MIGRATE') ?? (env.DATABASE_URL || env.TDS_RDS_CLUSTER_ARN ? 'never' : 'auto'),
    migrationLockTimeoutMs: read('TDS_MIGRATION_LOCK_TIMEOUT_MS'),
  };
}

function awsRegion(read: ReadSetting): string | undefined {
  return read('AWS_REGION') ?? read('AWS_DEFAULT_REGION');
}

/** Every storage setting is read, the other kind's too: a value not understood is refused whichever is used. */
function storageConfig(read: ReadSetting): Config['storage'] {
  const embedded = {
    kind: 'embedded' as const,
    port: read('TDS_S3_PORT'),
    accessKeyId: read('TDS_S3_ACCESS_KEY_ID'),
    secretAccessKey: read('TDS_S3_SECRET_ACCESS_KEY'),
  };
  const endpoint = read('S3_ENDPOINT');
  const s3 = {
    kind: 's3' as const,
    endpoint,
    region: awsRegion(read),
    forcePathStyle: read('S3_FORCE_PATH_STYLE') || Boolean(endpoint),
  };
  return read('TDS_STORAGE') === 'embedded' ? embedded : s3;
}

/** The Docker engine and the images runs may use. */
function engineConfig(read: ReadSetting) {
  const baseImage = read('TDS_BASE_IMAGE');
  return {
    dockerHost: read('DOCKER_HOST'),
    baseImage,
    localImages: [baseImage, ...read('TDS_LOCAL_IMAGES')],
    imageCacheBytes: read('TDS_IMAGE_CACHE_MB') * MIB,
  } satisfies Partial<Config>;
}

/** What a worker offers, how often it looks and heartbeats, and how it keeps results for the store. */
function workerConfig(read: ReadSetting) {
  const reconcileIntervalMs = read('TDS_RECONCILE_INTERVAL_MS');
  const leaseMs = read('TDS_LEASE_MS');
  if (leaseMs < 3 * reconcileIntervalMs) {
    throw new ConfigError(
      'TDS_LEASE_MS',
      `must be at least three heartbeats (3 × TDS_RECONCILE_INTERVAL_MS = ${3 * reconcileIntervalMs}), got ${leaseMs}`,
    );
  }
  const fenceMs = read('TDS_FENCE_MS') ?? Math.floor(leaseMs / 2);
  // The fence is checked every half reconcile interval: one interval of room leaves time for the
  // check to come round and the container to be stopped before the lease can lapse.
  if (fenceMs > leaseMs - reconcileIntervalMs) {
    throw new ConfigError(
      'TDS_FENCE_MS',
      `must leave a reconcile interval before the lease lapses (at most TDS_LEASE_MS − TDS_RECONCILE_INTERVAL_MS = ${leaseMs - reconcileIntervalMs}), got ${fenceMs}`,
    );
  }
  return {
    workerId: read('TDS_WORKER_ID'),
    workerTags: read('TDS_WORKER_TAGS'),
    maxConcurrentRuns: read('TDS_MAX_CONCURRENT_RUNS'),
    workerCapacity: { cpus: read('TDS_WORKER_CPUS'), memoryMb: read('TDS_WORKER_MEMORY_MB') },
    workerMinFreeBytes: read('TDS_WORKER_MIN_FREE_MB') * 1024 * 1024,
    pollIntervalMs: read('TDS_POLL_INTERVAL_MS'),
    claimPollMs: read('TDS_CLAIM_POLL_MS'),
    reconcileIntervalMs,
    diskCheckIntervalMs: read('TDS_DISK_CHECK_INTERVAL_MS'),
    leaseMs,
    fenceMs,
    shutdownGraceMs: read('TDS_SHUTDOWN_GRACE_MS'),
    retentionDays: read('TDS_RETENTION_DAYS'),
    resultsRetention: {
      defaultDays: read('TDS_RESULTS_RETENTION_DAYS'),
      batch: read('TDS_RESULTS_EXPIRY_BATCH'),
    },
    housekeepingIntervalMs: read('TDS_HOUSEKEEPING_INTERVAL_MS'),
    keptResultsRetentionDays: read('TDS_KEPT_RESULTS_RETENTION_DAYS'),
    workflowPassIntervalMs: read('TDS_WORKFLOW_PASS_INTERVAL_MS'),
    storeRetry: {
      attempts: read('TDS_S3_ATTEMPTS'),
      firstDelayMs: read('TDS_S3_RETRY_DELAY_MS'),
    },
    spool: {
      maxBytes: read('TDS_SPOOL_MAX_BYTES'),
      patienceSeconds: read('TDS_UPLOAD_PATIENCE_SECONDS'),
      maxDelayMs: read('TDS_UPLOAD_RETRY_MAX_DELAY_MS'),
    },
  } satisfies Partial<Config>;
}

/** Who may call the API, how often, with what, and the ceilings of users without their own. */
function apiConfig(read: ReadSetting, host: string) {
  return {
    corsOrigins: read('TDS_CORS_ORIGIN'),
    trustProxy: read('TDS_TRUST_PROXY'),
    downloadLinks: {
      secret: read('TDS_DOWNLOAD_LINK_SECRET'),
      lifetimeSeconds: read('TDS_DOWNLOAD_LINK_SECONDS'),
      acceptedSecrets: read('TDS_DOWNLOAD_LINK_SECRETS_ACCEPTED'),
    },
    audit: { pageMax: read('TDS_AUDIT_PAGE_MAX'), retentionDays: read('TDS_AUDIT_RETENTION_DAYS') },
    authEnabled: authEnabled(read('TDS_AUTH'), host),
    rateLimitPerMinute: read('TDS_RATE_LIMIT_PER_MINUTE'),
    rateLimitPerSecond: read('TDS_RATE_LIMIT_PER_SECOND'),
    rateLimitRefusalDelayMs: read('TDS_RATE_LIMIT_REFUSAL_DELAY_MS'),
    rateLimitPerAddressPerMinute: read('TDS_RATE_LIMIT_PER_ADDRESS_PER_MINUTE'),
    authFailuresPerMinute: read('TDS_AUTH_FAILURES_PER_MINUTE'),
    versionPaging: { defaultSize: read('TDS_VERSIONS_PAGE_SIZE'), maxSize: read('TDS_VERSIONS_PAGE_MAX') },
    usage: { maxRangeDays: read('TDS_USAGE_MAX_RANGE_DAYS'), maxGroups: read('TDS_USAGE_MAX_GROUPS') },
    bodyLimitBytes: read('TDS_BODY_LIMIT_BYTES'),
    userCeilings: {
      maxCpus: read('TDS_USER_MAX_CPUS'),
      maxMemoryMb: read('TDS_USER_MAX_MEMORY_MB'),
      maxDiskMb: read('TDS_USER_MAX_DISK_MB'),
      maxGpus: read('TDS_USER_MAX_GPUS'),
      maxTimeoutSeconds: read('TDS_USER_MAX_TIMEOUT_SECONDS'),
      maxConcurrentRuns: read('TDS_USER_MAX_CONCURRENT_RUNS'),
    },
    secrets: {
      key: read('TDS_SECRETS_KEY'),
      maxPerUser: read('TDS_SECRETS_MAX_PER_USER'),
      maxValueBytes: read('TDS_SECRET_MAX_VALUE_BYTES'),
    },
  } satisfies Partial<Config>;
}

/** Webhooks, event streams and the metrics listener. */
function eventsConfig(read: ReadSetting) {
  return {
    webhooks: {
      allowPrivate: read('TDS_WEBHOOK_ALLOW_PRIVATE'),
      signingKey: read('TDS_WEBHOOK_SIGNING_KEY'),
      acceptedSigningKeys: read('TDS_WEBHOOK_SIGNING_KEYS_ACCEPTED'),
      concurrency: read('TDS_WEBHOOK_CONCURRENCY'),
      sendsPerUser: read('TDS_WEBHOOK_SENDS_PER_USER'),
      pollIntervalMs: read('TDS_WEBHOOK_POLL_INTERVAL_MS'),
      endpointsPerUser: read('TDS_WEBHOOK_ENDPOINTS_PER_USER'),
    },
    queue: {
      perUser: read('TDS_MAX_QUEUED_RUNS_PER_USER'),
      total: read('TDS_MAX_QUEUED_RUNS'),
      backfillMaxRuns: read('TDS_BACKFILL_MAX_RUNS'),
    },
    streams: {
      perUser: read('TDS_STREAMS_PER_USER'),
      perProcess: read('TDS_STREAMS_PER_PROCESS'),
      bufferBytes: read('TDS_EVENT_STREAM_BUFFER_BYTES'),
      pollIntervalMs: read('TDS_EVENT_POLL_INTERVAL_MS'),
    },
    metricsPort: read('TDS_METRICS_PORT'),
    metricsDatabaseTimeoutMs: read('TDS_METRICS_DATABASE_TIMEOUT_MS'),
    tracing: {
      endpoint: tracesEndpoint(read('TDS_OTEL_TRACES_ENDPOINT'), read('OTEL_EXPORTER_OTLP_ENDPOINT')),
      serviceName: read('OTEL_SERVICE_NAME'),
    },
  } satisfies Partial<Config>;
}

/** Where traces go: the full URL given, else OTLP's path under the standard endpoint, else nowhere. */
function tracesEndpoint(full: string | undefined, base: string | undefined): string | undefined {
  if (full) return full;
  return base ? `${base.endsWith('/') ? base.slice(0, -1) : base}/v1/traces` : undefined;
}

/** The sandbox every run gets, the caps on what it reads and writes, and the defaults of jobs. */
function runCaps(read: ReadSetting) {
  return {
    sandbox: {
      user: read('TDS_JOB_USER'),
      tmpSizeMb: read('TDS_TMP_SIZE_MB'),
      hostAccess: read('TDS_RUN_HOST_ACCESS'),
      runSubnets: read('TDS_RUN_SUBNETS'),
    },
    limits: {
      maxInputBytes: read('TDS_MAX_INPUT_BYTES'),
      maxOutputBytes: read('TDS_MAX_OUTPUT_BYTES'),
      maxLogBytes: read('TDS_MAX_LOG_BYTES'),
      maxResultBytes: read('TDS_MAX_RESULT_BYTES'),
      liveLogBytes: read('TDS_LIVE_LOG_BYTES'),
    },
    metricsRead: {
      maxBytes: read('TDS_METRICS_READ_MAX_BYTES'),
      maxRows: read('TDS_METRICS_READ_MAX_ROWS'),
      maxPoints: read('TDS_METRICS_MAX_POINTS'),
    },
    logSearch: {
      maxMatches: read('TDS_LOG_SEARCH_MAX_MATCHES'),
      maxPatternChars: read('TDS_LOG_SEARCH_MAX_PATTERN_CHARS'),
    },
    jobDefaults: {
      timeoutSeconds: read('TDS_DEFAULT_TIMEOUT_SECONDS'),
      cpus: read('TDS_DEFAULT_CPUS'),
      memoryMb: read('TDS_DEFAULT_MEMORY_MB'),
      diskMb: read('TDS_DEFAULT_DISK_MB'),
      pidsLimit: read('TDS_PIDS_LIMIT'),
      metricsIntervalSeconds: read('TDS_METRICS_INTERVAL_SECONDS'),
      network: read('TDS_DEFAULT_NETWORK'),
    },
  } satisfies Partial<Config>;
}

/** The RDS Data API settings, when any is set: all three names, and no DATABASE_URL. */
function rdsDataConfig(env: Env, read: ReadSetting): RdsDataConfig | undefined {
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
  const clusterArn = read('TDS_RDS_CLUSTER_ARN')!;
  return {
    clusterArn,
    secretArn: read('TDS_RDS_SECRET_ARN')!,
    database: read('TDS_RDS_DATABASE')!,
    endpoint: read('TDS_RDS_ENDPOINT'),
    // The cluster ARN names its region: arn:aws:rds:REGION:…
    region: awsRegion(read) ?? clusterArn.split(':')[3]!,
  };
}

/** TDS_AUTH as given, or by HOST when unset: off is allowed only while the API listens on loopback alone. */
function authEnabled(given: 'on' | 'off' | undefined, host: string): boolean {
  if (given === undefined) return !isLoopbackHost(host);
  if (given === 'off' && !isLoopbackHost(host)) {
    throw new ConfigError(
      'TDS_AUTH',
      `is off, but HOST=${host} would let other machines reach the API without a key; ` +
        'turn authentication on (TDS_AUTH=on) or listen on loopback only (HOST=127.0.0.1)',
    );
  }
  return given === 'on';
}

/** The exporter's figures are only worth reading where /metrics is served: on the API, or TDS_METRICS_PORT. */
function checkExporterServed({ roles, metricsPort }: Config): void {
  if (roles.includes('exporter') && !roles.includes('api') && metricsPort === undefined) {
    throw new ConfigError(
      'TDS_ROLES',
      'has the exporter role without the api role, so its metrics would be served nowhere; set TDS_METRICS_PORT (a listener for /metrics) or add the api role',
    );
  }
}

/** A job that takes every default must fit every user's default ceiling. */
function checkDefaultsWithinCeilings({ jobDefaults, userCeilings, versionPaging }: Config): void {
  if (versionPaging.defaultSize > versionPaging.maxSize) {
    throw new ConfigError(
      'TDS_VERSIONS_PAGE_SIZE',
      `(${versionPaging.defaultSize}) is above TDS_VERSIONS_PAGE_MAX (${versionPaging.maxSize}); a page without limit would ask for more than is allowed`,
    );
  }
  const pairs = [
    ['TDS_DEFAULT_CPUS', jobDefaults.cpus, 'TDS_USER_MAX_CPUS', userCeilings.maxCpus],
    ['TDS_DEFAULT_MEMORY_MB', jobDefaults.memoryMb, 'TDS_USER_MAX_MEMORY_MB', userCeilings.maxMemoryMb],
    ['TDS_DEFAULT_DISK_MB', jobDefaults.diskMb, 'TDS_USER_MAX_DISK_MB', userCeilings.maxDiskMb],
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
