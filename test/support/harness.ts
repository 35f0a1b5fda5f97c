import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command, PutObjectCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { pino, type Logger } from 'pino';
import pg from 'pg';
import { inject } from 'vitest';
import { createS3Client } from '../../services/aws/s3-object-store.js';
import { loadConfig, type Config, type Role } from '../../src/config.js';
import { isTerminal, type RunState } from '../../src/runs/run-states.js';
import { startService, type Service, type ServiceOverrides } from '../../src/service.js';
import { databaseDriver, databaseEnv } from './database-driver.js';

export const TEMPLATE_DATABASE = 'tds_template';

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

/** A new database for a test file: cloned from the migrated template, or empty (`migrated: false`). */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<string> {
  const base = inject('postgresUrl');
  const name = uniqueName('tds_test').replace(/-/g, '_');
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    const template = options.migrated === false ? 'template0' : TEMPLATE_DATABASE;
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A client of its own for the project's S3 server (for a test that changes what the client does). */
export function newS3Client(): S3Client {
  return createS3Client({
    endpoint: inject('s3Endpoint'),
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
}

const s3Clients = new Map<string, S3Client>();

/**
 * The client of the project's S3 server, made once per worker and endpoint: a client made anew
 * for each call resolves its settings again (environment, then ~/.aws files) and opens a
 * connection of its own.
 */
export function s3Client(): S3Client {
  const endpoint = inject('s3Endpoint');
  let client = s3Clients.get(endpoint);
  if (!client) {
    client = newS3Client();
    s3Clients.set(endpoint, client);
  }
  return client;
}

export async function createBucket(): Promise<string> {
  const bucket = uniqueName('tds-test');
  const { CreateBucketCommand } = await import('@aws-sdk/client-s3');
  await s3Client().send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

export async function putObject(bucket: string, key: string, body: string | Buffer): Promise<void> {
  await s3Client().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

export async function getText(bucket: string, key: string): Promise<string | undefined> {
  try {
    const result = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await result.Body?.transformToString('utf8');
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

export async function listKeys(bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3Client().send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const item of page.Contents ?? []) if (item.Key) keys.push(item.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface ApiResponse<T = any> {
  status: number;
  body: T;
}

export interface TestService extends Service {
  config: Config;
  request(
    method: string,
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiResponse>;
  /** Polls GET /runs/:id until the run reaches an end state (or `until`), then returns it. */
  waitForRun(runId: string, until?: (state: RunState) => boolean, timeoutMs?: number): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  close(): Promise<void>;
}

export interface TestServiceOptions {
  databaseUrl?: string;
  roles?: Role[];
  workerId?: string;
  followDockerEvents?: boolean;
  /** The scheduler's "now"; the database's clock when not given. */
  schedulerClock?: () => Date;
  env?: Record<string, string>;
  /** Sees each AWS SDK client the service makes (see ServiceOverrides). */
  observeAwsClient?: ServiceOverrides['observeAwsClient'];
  /** The service's logger; a silent one (or TEST_LOG_LEVEL's) when not given. */
  logger?: Logger;
  /** Sees each statement sent outside a transaction (see ServiceOverrides). */
  observeQuery?: ServiceOverrides['observeQuery'];
}

/** Starts the real service (same composition root as `npm start`) against the suite's Postgres, S3 and Docker. */
export async function startTestService(options: TestServiceOptions = {}): Promise<TestService> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tds-data-'));
  const database = await databaseEnv(options.databaseUrl ?? (await createTestDatabase()));
  const config = loadConfig({
    PORT: '0',
    TDS_DATA_DIR: dataDir,
    ...database.env,
    TDS_STORAGE: 's3',
    S3_ENDPOINT: inject('s3Endpoint'),
    AWS_REGION: 'us-east-1',
    TDS_BASE_IMAGE: inject('baseImage'),
    TDS_ROLES: (options.roles ?? ['api', 'worker', 'exporter']).join(','),
    TDS_WORKER_ID: options.workerId ?? uniqueName('test-worker'),
    TDS_POLL_INTERVAL_MS: '100',
    // Notifications wake the worker, and it wakes itself when a retry's backoff ends
    // (placement.test.ts shows both with a long fallback): the fallback poll is for what nothing
    // notifies, such as a worker undrained by another process.
    TDS_CLAIM_POLL_MS: '1000',
    TDS_RECONCILE_INTERVAL_MS: '300',
    TDS_MAX_CONCURRENT_RUNS: '2',
    // The slot count caps the tests' workers, not this machine's CPUs (placement.test.ts shows
    // the CPUs and memory held).
    TDS_WORKER_CPUS: '64',
    TDS_WORKER_MEMORY_MB: '1048576',
    // Tests poll the API far faster than any frontend would.
    TDS_RATE_LIMIT_PER_MINUTE: '0',
    TDS_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0',
    TDS_AUTH_FAILURES_PER_MINUTE: '0',
    // Secrets work in every test service, as on the embedded defaults (the key is unique to it).
    TDS_SECRETS_KEY: randomBytes(32).toString('base64'),
    // No registry is reachable: images the tests build themselves are named tds-test-*.
    TDS_LOCAL_IMAGES: 'tds-test-*',
    ...options.env,
  });
  const logger = options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const clock = options.schedulerClock;
  const service = await startService(config, logger, {
    followDockerEvents: options.followDockerEvents,
    observeAwsClient: options.observeAwsClient,
    observeQuery: options.observeQuery,
    schedulerClock: clock ? async () => clock() : undefined,
  }).catch(async (error: unknown) => {
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  if (databaseDriver() === 'rds-data' && service.databaseUrl !== undefined) {
    await service.stop();
    throw new Error(`the service was to use the RDS Data API but connected to ${service.databaseUrl}`);
  }

  async function request(
    method: string,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse> {
    const response = await fetch(`${service.apiUrl}${url}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed };
  }

  async function waitForRun(runId: string, until = isTerminal, timeoutMs = 150_000) {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
      const { status, body } = await request('GET', `/runs/${runId}`);
      if (status !== 200) throw new Error(`GET /runs/${runId} answered ${status}: ${JSON.stringify(body)}`);
      last = body;
      if (until(body.state as RunState)) return body;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(
      `run ${runId} did not reach the expected state in time; last seen: ${JSON.stringify(last)}`,
    );
  }

  return {
    ...service,
    config,
    request,
    waitForRun,
    async close() {
      await service.stop();
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A valid job body in the shape frontends post, with the given overrides. */
export function jobBody(bucket: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    userId: 'test-user',
    uniqueId: uniqueName('job'),
    s3_bucket: bucket,
    source_s3_prefix: '',
    destination_s3_prefix: '/out/',
    command: 'echo hello',
    linux_dependencies: [],
    ...overrides,
  };
}

/**
 * Polls `probe` every `intervalMs` until it returns a value (anything but undefined), and resolves
 * with it: a wait for a state to be there, as long as it takes up to `timeoutMs`, never a fixed time.
 */
export async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 20_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Polls `probe` until it returns true (cleanup that follows an end state, for example). */
export async function eventually(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  await until(what, async () => ((await probe()) ? true : undefined), timeoutMs);
}
