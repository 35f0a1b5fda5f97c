import { pino } from 'pino';
import { inject } from 'vitest';
import { createRdsDataClient, createRdsDataDatabase } from '../../services/aws/rds-data-database.js';
import type { Database } from '../../services/db/database.js';
import { createPgDatabase } from '../../services/db/pg-database.js';
import { startDataApiServer } from './data-api-server.js';

/**
 * The database driver the integration tests run on: `pg` by default, the RDS Data API when the
 * test project sets TDS_TEST_DATABASE_DRIVER=rds-data (vitest.config.ts). Under the Data API the
 * service reaches the suite's Postgres through the local Data API endpoint started by the
 * global setup (test/support/data-api-server.ts).
 */
export type DatabaseDriver = 'pg' | 'rds-data';

export const TEST_CLUSTER_ARN = 'arn:aws:rds:us-east-1:123456789012:cluster:tds-test';
export const TEST_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:tds-test-AbCdEf';

export function databaseDriver(): DatabaseDriver {
  return process.env.TDS_TEST_DATABASE_DRIVER === 'rds-data' ? 'rds-data' : 'pg';
}

/**
 * A Data API endpoint for the Postgres server of `databaseUrl`: the suite's shared one, or (for a
 * test that runs a Postgres of its own) one started for it, stopped by `close`.
 */
async function endpointFor(databaseUrl: string): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const url = new URL(databaseUrl);
  if (url.host === new URL(inject('postgresUrl')).host) {
    return { endpoint: inject('dataApiEndpoint'), close: async () => undefined };
  }
  url.pathname = '/postgres';
  const server = await startDataApiServer({
    postgresUrl: url.toString(),
    resourceArn: TEST_CLUSTER_ARN,
    secretArn: TEST_SECRET_ARN,
  });
  return { endpoint: server.endpoint, close: () => server.stop() };
}

/** The environment that points the service at `databaseUrl` through the driver under test. */
export async function databaseEnv(
  databaseUrl: string,
): Promise<{ env: Record<string, string>; close: () => Promise<void> }> {
  if (databaseDriver() === 'pg') return { env: { DATABASE_URL: databaseUrl }, close: async () => undefined };
  const { endpoint, close } = await endpointFor(databaseUrl);
  return {
    env: {
      // The local endpoint checks that calls are signed, not by whom.
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      TDS_RDS_CLUSTER_ARN: TEST_CLUSTER_ARN,
      TDS_RDS_SECRET_ARN: TEST_SECRET_ARN,
      TDS_RDS_DATABASE: new URL(databaseUrl).pathname.slice(1),
      TDS_RDS_ENDPOINT: endpoint,
    },
    close,
  };
}

/** A Database on `databaseUrl` through the driver under test (on the suite's Postgres). */
export function connectTestDatabase(databaseUrl: string): Database {
  const logger = pino({ level: 'silent' });
  if (databaseDriver() === 'pg') return createPgDatabase(databaseUrl, logger);
  const client = createRdsDataClient({ region: 'us-east-1', endpoint: inject('dataApiEndpoint') });
  const database = new URL(databaseUrl).pathname.slice(1);
  return createRdsDataDatabase(
    client,
    { resourceArn: TEST_CLUSTER_ARN, secretArn: TEST_SECRET_ARN, database },
    logger,
  );
}
