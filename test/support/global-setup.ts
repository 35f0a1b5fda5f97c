import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { pino } from 'pino';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrate } from '../../services/db/migrate.js';
import { createPgDatabase } from '../../services/db/pg-database.js';
import { dockerOptions } from '../../services/docker/docker-engine.js';
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
 * The suite runs against real parts: an embedded Postgres server with a migrated template
 * database (each test file clones its own), an S3-compatible server, and the local Docker engine
 * with the base image present. A missing Docker engine fails the suite; it is never skipped.
 */
export default async function setup(project: TestProject) {
  const logger = pino({ level: 'silent' });
  const baseImage = process.env.TDS_BASE_IMAGE || 'debian:bookworm-slim';
  const docker = new Docker(dockerOptions(process.env.DOCKER_HOST));
  try {
    await docker.ping();
  } catch (error) {
    throw new Error(
      `The test suite needs a Docker engine and none answered (${String(error)}). Start Docker, or set DOCKER_HOST.`,
    );
  }
  try {
    await docker.getImage(baseImage).inspect();
  } catch {
    throw new Error(
      `The test suite needs the base image ${baseImage}: run \`docker pull ${baseImage}\`, or build it offline with \`bash scripts/base-image.sh\`.`,
    );
  }

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
    await dataApi.stop();
    await s3.stop();
    await postgres.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
