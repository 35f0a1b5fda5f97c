import { defineConfig } from 'vitest/config';

const awsEnv = {
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REGION: 'us-east-1',
};

/**
 * Files whose checks hold only while the machine has time to spare, run after all the others, one
 * at a time, on pg: the sampler's CPU and memory against docker stats and the CPU a run gets at its
 * limit (a busy loop at --cpus 0.5 gets half a core only while a core is free), and a fire decided
 * a second ahead of its time, which the test must see and act on within that second.
 */
const ALONE = [
  'test/integration/metrics-script.test.ts',
  'test/integration/run-metrics.test.ts',
  'test/integration/scheduler-ahead.test.ts',
];

/**
 * The database drivers are checked by one contract suite (test/contract/), run on each driver:
 * what the service asks of a Database (types both ways, arrays, JSON, timestamps, transactions,
 * SKIP LOCKED, advisory locks, deferred constraints, the events read by polling, errors,
 * migrations). It needs Postgres, the local Data API endpoint and S3, and no Docker engine.
 * The Data API driver's own tests (failures injected, retries, every value compared with pg's)
 * run on the rds-data side only.
 */
const CONTRACT = ['test/contract/**/*.test.ts'];
const DATA_API_DRIVER_TESTS = 'test/contract/data-api-driver.test.ts';

/**
 * The end-to-end files (Docker, Postgres, S3) run once, on pg. On the RDS Data API driver run only
 * these, which prove the driver in the real path: a job and a workflow through the service
 * (data-api-smoke), and several schedulers firing through the Data API, whose transactions
 * outlive their client unless the database ends them (scheduler-instances), and retention, whose
 * one-housekeeper-at-a-time lock is a transaction's since the Data API has no session (retention).
 */
const ON_DATA_API = [
  'test/integration/retention.test.ts',
  'test/integration/data-api-smoke.test.ts',
  'test/integration/scheduler-instances.test.ts',
];
/** The smoke is the Data API's: on pg, runs.test.ts and workflows.test.ts check the same and more. */
const ONLY_ON_DATA_API = ['test/integration/data-api-smoke.test.ts'];

/**
 * Files share their modules within a worker (`isolate: false`): each file starts its own services
 * (databases, buckets, workers) and closes them, and loading the service's modules once per worker
 * rather than once per file took the suite's import time from 188 s to 35 s.
 *
 * Three files at a time on this 2-core machine. An integration file spends much of its time
 * waiting (containers that sleep, retry back-offs, leases running out, polls of the API), and its
 * bursts of work (runs started, uploads, a service starting) take about a core. Measured on one
 * machine with the engine clean at the start (no networks or containers left by earlier runs):
 * two at a time left the CPU idle about a quarter of the run (613–660 s of tests); three keep it
 * 86% busy (523 s). Each file has its own databases, buckets, workers and containers
 * (housekeeping leaves other installations' alone), so files side by side do not see each other;
 * their tests wait for the states they check, not for fixed times (those whose checks need a free
 * core are ALONE, above).
 * `--project 'pg*'` runs a file on Postgres whichever group it is in. The unit and contract files
 * share the same three places: they take seconds.
 */
const SIDE_BY_SIDE = { maxWorkers: 3, sequence: { groupOrder: 0 } };
const ONE_AT_A_TIME = { maxWorkers: 1, sequence: { groupOrder: 1 } };

export default defineConfig({
  test: {
    testTimeout: 180_000,
    hookTimeout: 180_000,
    isolate: false,
    env: awsEnv,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], ...SIDE_BY_SIDE } },
      {
        extends: true,
        test: {
          name: 'contract-pg',
          include: CONTRACT,
          exclude: [DATA_API_DRIVER_TESTS],
          globalSetup: ['test/support/contract-setup.ts'],
          env: { ...awsEnv, TDS_TEST_DATABASE_DRIVER: 'pg' },
          ...SIDE_BY_SIDE,
        },
      },
      {
        extends: true,
        test: {
          name: 'contract-rds-data',
          include: CONTRACT,
          globalSetup: ['test/support/contract-setup.ts'],
          env: { ...awsEnv, TDS_TEST_DATABASE_DRIVER: 'rds-data' },
          ...SIDE_BY_SIDE,
        },
      },
      {
        extends: true,
        test: {
          name: 'pg',
          include: ['test/integration/**/*.test.ts'],
          exclude: [...ONLY_ON_DATA_API, ...ALONE],
          globalSetup: ['test/support/global-setup.ts'],
          env: { ...awsEnv, TDS_TEST_DATABASE_DRIVER: 'pg' },
          ...SIDE_BY_SIDE,
        },
      },
      {
        extends: true,
        test: {
          name: 'rds-data',
          include: ON_DATA_API,
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
    ],
  },
});
