import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Integration tests build images, run containers and start service processes: on a 2-core
    // machine, one file at a time keeps each test's timing free of the others' load.
    maxWorkers: 1,
    testTimeout: 180_000,
    hookTimeout: 180_000,
    env: {
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
    },
  },
});
