import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * An image with Prometheus' `promtool`, made FROM the project's base image (scripts/base-image.sh)
 * with Debian's `prometheus` package, as the service's package images install packages. Tagged by
 * what it is made from, so it is built once per machine and reused by every run of the tests.
 */
export async function promtoolImage(baseImage = process.env.TDS_BASE_IMAGE ?? 'debian:bookworm-slim') {
  const dockerfile = [
    `FROM ${baseImage}`,
    'RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus' +
      ' && rm -rf /var/lib/apt/lists/*',
    '',
  ].join('\n');
  const tag = `tds-promtool:${createHash('sha256').update(dockerfile).digest('hex').slice(0, 12)}`;
  const present = await run('docker', ['image', 'inspect', tag]).then(
    () => true,
    () => false,
  );
  if (!present) {
    const build = run('docker', ['build', '-q', '-t', tag, '-'], { maxBuffer: 16 * 1024 * 1024 });
    build.child.stdin?.end(dockerfile);
    await build;
  }
  return tag;
}

/** `promtool test rules` on the files of `dir` (mounted read-only), with its output and exit code. */
export async function promtoolTestRules(
  image: string,
  dir: string,
  testFiles: string[],
): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(
      'docker',
      [
        'run',
        '--rm',
        '--network',
        'none',
        '-v',
        `${dir}:/rules:ro`,
        '-w',
        '/rules',
        image,
        'promtool',
        'test',
        'rules',
        ...testFiles,
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : 1,
      output: `${failed.stdout ?? ''}${failed.stderr ?? ''}`,
    };
  }
}
