import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { toolImage } from './tool-image.js';

const run = promisify(execFile);

/**
 * An image with Prometheus' `promtool`: Debian's `prometheus` package on the project's base image
 * (test/support/tool-image.ts). Answers its tag.
 */
export function promtoolImage(
  baseImage = process.env.TDS_BASE_IMAGE ?? 'debian:bookworm-slim',
): Promise<string> {
  return toolImage({ name: 'tds-promtool', packages: ['prometheus'], baseImage });
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
