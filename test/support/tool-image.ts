import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * An image with a tool the tests run but the machines the suite runs on do not have (Compose, the
 * AWS CLI, promtool): the base image (scripts/base-image.sh) with Debian's `packages` installed, as
 * the service's package images install a job's packages. Tagged `<name>:<hash of its Dockerfile>`,
 * so it is built once per engine and kept by that tag, and a change of base image or packages makes
 * a new one. Answers the tag.
 */
export async function toolImage(options: {
  name: string;
  packages: string[];
  baseImage: string;
}): Promise<string> {
  const dockerfile = [
    `FROM ${options.baseImage}`,
    'RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ' +
      `${options.packages.join(' ')} >/dev/null && rm -rf /var/lib/apt/lists/*`,
    '',
  ].join('\n');
  const tag = `${options.name}:${createHash('sha256').update(dockerfile).digest('hex').slice(0, 12)}`;
  const present = await run('docker', ['image', 'inspect', tag]).then(
    () => true,
    () => false,
  );
  if (!present) await build(tag, dockerfile);
  return tag;
}

/** `docker build` of `dockerfile` (no context) as `tag`; a failure carries what the build printed. */
function build(tag: string, dockerfile: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn('docker', ['build', '-q', '-t', tag, '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`building ${tag} failed (${code}): ${stderr}`)),
    );
    child.stdin.end(dockerfile);
  });
}
