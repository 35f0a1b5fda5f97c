import { defineConfig } from 'vitest/config';

const awsEnv = {
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REGION: 'us-east-1',
};

/**
 * The integration files that run a second time with the service on the RDS Data API driver: every
 * file that starts the service or uses the database. Left out: zero-config (the embedded Postgres
 * default: no database settings at all), metrics-script and image-builder (no database).
 */
const ONLY_ON_PG = [
  'test/integration/zero-config.test.ts',
  'test/integration/metrics-script.test.ts',
  'test/integration/image-builder.test.ts',
];
/** The driver's own tests run once, with both drivers side by side. */
const DRIVER_TESTS = 'test/integration/rds-data-driver.test.ts';

export default defineConfig({
  test: {
    // Integration tests build images, run containers and start service processes: on a 2-core
    // machine, one file at a time keeps each test's timing free of the others' load.
    maxWorkers: 1,
    testTimeout: 180_000,
    hookTimeout: 180_000,
    env: awsEnv,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'pg',
          include: ['test/integration/**/*.test.ts'],
          exclude: [DRIVER_TESTS],
          globalSetup: ['test/support/global-setup.ts'],
          env: { ...awsEnv, TDS_TEST_DATABASE_DRIVER: 'pg' },
        },
      },
      {
        extends: true,
        test: {
          name: 'rds-data',
          include: ['test/integration/**/*.test.ts'],
          exclude: ONLY_ON_PG,
          globalSetup: ['test/support/global-setup.ts'],
          env: { ...awsEnv, TDS_TEST_DATABASE_DRIVER: 'rds-data' },
        },
      },
    ],
  },
});
