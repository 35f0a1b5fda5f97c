import { execFile, spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { promisify } from 'node:util';

/**
 * Docker Compose for the tests of the deploy files (deploy/compose/): Debian's `docker-compose`,
 * installed in an image made from the base image as a job's packages are, since the machines the
 * suite runs on have the Docker engine but not Compose. It talks to the host's engine through its
 * socket; the files it reads are mounted at the same paths as on the host, so relative paths and
 * `env_file` resolve as they would there.
 */
const run = promisify(execFile);
export const COMPOSE_IMAGE = 'tds-compose:test';
const SOCKET = '/var/run/docker.sock';

/** Builds the Compose image from the base image, once per engine (kept by its tag). */
export async function buildComposeImage(baseImage: string): Promise<void> {
  const present = await run('docker', ['image', 'inspect', COMPOSE_IMAGE]).then(
    () => true,
    () => false,
  );
  if (present) return;
  const dockerfile = [
    `FROM ${baseImage}`,
    'RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null && rm -rf /var/lib/apt/lists/*',
  ].join('\n');
  await new Promise<void>((resolve, reject) => {
    const build = spawn('docker', ['build', '-q', '-t', COMPOSE_IMAGE, '-'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    build.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    build.on('error', reject);
    build.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`building ${COMPOSE_IMAGE} failed (${code}): ${stderr}`)),
    );
    build.stdin.end(dockerfile);
  });
}

/**
 * Runs `docker-compose ARGS` with `folders` mounted at their own paths and `env` set, and answers
 * its output; a failure carries what it printed.
 */
export async function compose(
  args: string[],
  options: { folders: string[]; env?: Record<string, string> },
): Promise<{ stdout: string; stderr: string }> {
  const mounts = [...new Set([SOCKET, ...options.folders])].flatMap((folder) => [
    '-v',
    `${folder}:${folder}`,
  ]);
  const env = Object.entries(options.env ?? {}).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
  return run('docker', ['run', '--rm', ...mounts, ...env, COMPOSE_IMAGE, 'docker-compose', ...args], {
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
