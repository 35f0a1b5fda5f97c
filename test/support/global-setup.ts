import Docker from 'dockerode';
import type { TestProject } from 'vitest/node';
import { dockerOptions } from '../../services/docker/docker-engine.js';
import { removeEngineLeftovers } from './engine-leftovers.js';
import { startSharedParts } from './shared-parts.js';

/**
 * The integration projects run against real parts: the shared Postgres, Data API endpoint and S3
 * server (shared-parts.ts), and the local Docker engine with the base image present. A missing
 * Docker engine fails the suite; it is never skipped. What the suite's services left on the engine
 * is removed as the project ends (engine-leftovers.ts).
 */
export default async function setup(project: TestProject) {
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
  return startSharedParts(project, baseImage, (postgresUrl) => removeEngineLeftovers(docker, postgresUrl));
}
