import { defineConfig } from 'vitest/config';

const awsEnv = {
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REGION: 'us-east-1',
};

/**
 * Files whose checks hold only while the machine has time to spare, run after all the others, one
 * at a time: the sampler's CPU and memory against docker stats and the CPU a run gets at its limit
 * (a busy loop at --cpus 0.5 gets half a core only while a core is free), and a fire decided a
 * second ahead of its time, which the test must see and act on within that second.
 */
const ALONE = [
  'test/integration/metrics-script.test.ts',
  'test/integration/run-metrics.test.ts',
  'test/integration/scheduler-ahead.test.ts',
];

/**
 * The integration files that run a second time with the service on the RDS Data API driver: every
 * file that starts the service or uses the database. Left out: zero-config (the embedded Postgres
 * default: no database settings at all), metrics-script and image-builder (no database),
 * fleet-hosts (engines of its own), service-image (the image, built and started once), and the
 * clients of the HTTP API (the tds executable, the dashboard in a browser).
 */
const ONLY_ON_PG = [
  'test/integration/zero-config.test.ts',
  // Separate engines in namespaces of their own: what it proves is the engines', and its workers
  // reach the database over forwarded links; the drivers' fleet behaviour is fleet.test.ts's.
  'test/integration/fleet-hosts.test.ts',
  // The service's image, built and started once: the database driver is not what it tests.
  'test/integration/service-image.test.ts',
  // The IAM policies: it runs the service on the Data API itself, whatever the project's driver.
  'test/integration/iam-policies.test.ts',
  'test/integration/metrics-script.test.ts',
  'test/integration/image-builder.test.ts',
  // Bounded workflow results: its 10,000-item fan-out ends every item by SQL and reads a 656 MB
  // manifest back (4 minutes); the drivers' part in a step's end is workflows.test.ts's, on both.
  'test/integration/bounded-results.test.ts',
  // The tds executable against the service: a client of the HTTP API, whose answers the API's own
  // files check on both drivers; run once, it keeps the suite's time down.
  'test/integration/cli.test.ts',
  // A browser against the service: what it checks is the page, the same on either driver.
  'test/integration/dashboard.test.ts',
  'test/integration/dashboard-workflows.test.ts',
];
/** The driver's own tests run once, with both drivers side by side. */
const DRIVER_TESTS = 'test/integration/rds-data-driver.test.ts';

/**
 * Two files at a time on this 2-core machine. An integration file spends most of its time waiting:
 * on containers that sleep, retry back-offs, leases running out, polls of the API; its bursts of
 * work (image builds, uploads, a service starting) take about a core. Two files side by side keep
 * both cores busy with little queueing: the suite took 524 s instead of 1,200 s one file at a
 * time. Three took 438 s but kept the CPU 89% busy, stretched single files up to three times
 * (worker-crash 36 s to 114 s) and pushed timing margins that two leave alone. Each file has its
 * own databases, buckets, workers and containers (housekeeping leaves other installations' alone),
 * so files side by side do not see each other. `--project 'pg*'` runs a file on Postgres whichever
 * group it is in.
 */
const SIDE_BY_SIDE = { maxWorkers: 2, sequence: { groupOrder: 0 } };
const ONE_AT_A_TIME = { maxWorkers: 1, sequence: { groupOrder: 1 } };

export default defineConfig({
  test: {
    testTimeout: 180_000,
    hookTimeout: 180_000,
    env: awsEnv,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], ...SIDE_BY_SIDE } },
      {
        extends: true,
        test: {
          name: 'pg',
          include: ['test/integration/**/*.test.ts'],
          exclude: [DRIVER_TESTS, ...ALONE],
          globalSetup: ['test/support/global-setup.ts'],
          env: { ...awsEnv, TDS_TEST_DATABASE_DRIVER: 'pg' },
          ...SIDE_BY_SIDE,
        },
      },
      {
        extends: true,
        test: {
          name: 'rds-data',
          include: ['test/integration/**/*.test.ts'],
          exclude: [...ONLY_ON_PG, ...ALONE],
          globalSetup: ['test/support/global-setup.ts'],
          env: { ...awsEnv, TDS_TEST_DATABASE_DRIVER: 'rds-data' },
          ...SIDE_BY_SIDE,
        },
      },
      {
        extends: true,
        test: {
          name: 'pg-alone',
          include: ALONE,
          globalSetup: ['test/support/global-setup.ts'],
          env: { ...awsEnv, TDS_TEST_DATABASE_DRIVER: 'pg' },
          ...ONE_AT_A_TIME,
        },
      },
      {
        extends: true,
        test: {
          name: 'rds-data-alone',
          include: ALONE,
          exclude: ONLY_ON_PG,
          globalSetup: ['test/support/global-setup.ts'],
          env: { ...awsEnv, TDS_TEST_DATABASE_DRIVER: 'rds-data' },
          ...ONE_AT_A_TIME,
        },
      },
    ],
  },
});
