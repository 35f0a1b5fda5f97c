import type { TestProject } from 'vitest/node';
import { startSharedParts } from './shared-parts.js';

/**
 * The database contract projects (test/contract/) use the same shared Postgres, Data API endpoint
 * and S3 server as the integration projects, and no Docker engine: what they check is the
 * database drivers, which start no container.
 */
export default async function setup(project: TestProject) {
  return startSharedParts(project, process.env.TDS_BASE_IMAGE || 'debian:bookworm-slim');
}
