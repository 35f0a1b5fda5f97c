import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrate } from '../../services/db/migrate.js';
import { createPgDatabase } from '../../services/db/pg-database.js';
import { startEmbeddedPostgres } from '../../services/embedded/embedded-postgres.js';
import { startEmbeddedS3 } from '../../services/embedded/embedded-s3.js';
import { startDataApiServer } from './data-api-server.js';
import { TEST_CLUSTER_ARN, TEST_SECRET_ARN } from './database-driver.js';
import { freePort } from './free-port.js';

export const TEMPLATE_DATABASE = 'tds_template';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    s3Endpoint: string;
    baseImage: string;
    /** A local RDS Data API endpoint on the suite's Postgres (see database-driver.ts). */
    dataApiEndpoint: string;
  }
}

/**
 * The parts a project's files share: an embedded Postgres server with a migrated template database
 * (each test file clones its own), the local RDS Data API endpoint on it, and an S3-compatible
 * server. Provided to the project's files; the returned function stops them.
 */
export async function startSharedParts(
  project: TestProject,
  baseImage: string,
  /** Called with the suite's Postgres before the parts stop. */
  beforeStop?: (postgresUrl: string) => Promise<void>,
): Promise<() => Promise<void>> {
  const logger = pino({ level: 'silent' });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tds-test-'));
  await chmod(dir, 0o755); // the embedded Postgres runs as the postgres user when the suite runs as root
  const postgres = await startEmbeddedPostgres(path.join(dir, 'postgres'), await freePort(), logger);
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE}`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  await admin.end();
  const templateUrl = new URL(postgres.url);
  templateUrl.pathname = `/${TEMPLATE_DATABASE}`;
  const template = createPgDatabase(templateUrl.toString(), logger);
  await migrate(template);
  await template.close();

  const s3 = await startEmbeddedS3(path.join(dir, 's3'), 0, {
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
  });

  const dataApi = await startDataApiServer({
    postgresUrl: postgres.url,
    resourceArn: TEST_CLUSTER_ARN,
    secretArn: TEST_SECRET_ARN,
  });

  project.provide('postgresUrl', postgres.url);
  project.provide('dataApiEndpoint', dataApi.endpoint);
  project.provide('s3Endpoint', s3.endpoint);
  project.provide('baseImage', baseImage);

  return async () => {
    await beforeStop?.(postgres.url);
    await dataApi.stop();
    await s3.stop();
    await postgres.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
