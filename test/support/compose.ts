import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { promisify } from 'node:util';
import { toolImage } from './tool-image.js';

/**
 * Docker Compose for the tests of the deploy files (deploy/compose/): Debian's `docker-compose`,
 * installed in an image made from the base image as a job's packages are, since the machines the
 * suite runs on have the Docker engine but not Compose. It talks to the host's engine through its
 * socket; the files it reads are mounted at the same paths as on the host, so relative paths and
 * `env_file` resolve as they would there.
 */
const run = promisify(execFile);
const SOCKET = '/var/run/docker.sock';

/** The Compose image made from `baseImage` (test/support/tool-image.ts): its tag. */
export function composeImage(baseImage: string): Promise<string> {
  return toolImage({ name: 'tds-compose', packages: ['docker-compose'], baseImage });
}

/**
 * Runs `docker-compose ARGS` in `image` (composeImage) with `folders` mounted at their own paths and `env` set, and answers
 * its output; a failure carries what it printed.
 */
export async function compose(
  image: string,
  args: string[],
  options: { folders: string[]; env?: Record<string, string> },
): Promise<{ stdout: string; stderr: string }> {
  const mounts = [...new Set([SOCKET, ...options.folders])].flatMap((folder) => [
    '-v',
    `${folder}:${folder}`,
  ]);
  const env = Object.entries(options.env ?? {}).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
  return run('docker', ['run', '--rm', ...mounts, ...env, image, 'docker-compose', ...args], {
    maxBuffer: 16 * 1024 * 1024,
  }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(
      `docker-compose ${args.join(' ')} failed: ${error.stderr || error.stdout || error.message}`,
    );
  });
}

/** The group that owns the engine's socket, which the service's user joins (DOCKER_GID in the files). */
export function dockerSocketGroup(): string {
  return String(statSync(SOCKET).gid);
}
