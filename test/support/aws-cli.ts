import { execFile, spawn } from 'node:child_process';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * The AWS CLI for the docs' examples that read S3 with it (`aws s3 ls`, `aws s3 cp`): Debian's
 * `awscli`, installed in an image made from the base image as a job's packages are, since the
 * machines the suite runs on have the Docker engine but not the CLI. `awsOnPath` makes a folder
 * whose `aws` runs it on the host's network in the caller's working folder (mounted at its own
 * path), with the caller's AWS settings: put it first on a shell's PATH and `aws …` works as written.
 */
const run = promisify(execFile);
export const AWS_CLI_IMAGE = 'tds-awscli:test';

/** Builds the AWS CLI's image from the base image, once per engine (kept by its tag). */
export async function buildAwsCliImage(baseImage: string): Promise<void> {
  const present = await run('docker', ['image', 'inspect', AWS_CLI_IMAGE]).then(
    () => true,
    () => false,
  );
  if (present) return;
  const dockerfile = [
    `FROM ${baseImage}`,
    'RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends awscli >/dev/null && rm -rf /var/lib/apt/lists/*',
  ].join('\n');
  await new Promise<void>((resolve, reject) => {
    const build = spawn('docker', ['build', '-q', '-t', AWS_CLI_IMAGE, '-'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    build.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    build.on('error', reject);
    build.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`building ${AWS_CLI_IMAGE} failed (${code}): ${stderr}`)),
    );
    build.stdin.end(dockerfile);
  });
}

/** A new folder holding an `aws` that runs the CLI's image: its path, for the front of PATH. */
export async function awsOnPath(): Promise<string> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'tds-aws-cli-'));
  const script = [
    '#!/bin/sh',
    // -i: `aws s3 cp - s3://…` reads standard input; the files it names are in the working folder.
    'exec docker run --rm -i --network host -v "$PWD:$PWD" -w "$PWD" -u "$(id -u):$(id -g)" -e HOME=/tmp \\',
    '  -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e AWS_SESSION_TOKEN -e AWS_REGION -e AWS_DEFAULT_REGION \\',
    `  ${AWS_CLI_IMAGE} aws "$@"`,
    '',
  ].join('\n');
  await writeFile(path.join(folder, 'aws'), script);
  await chmod(path.join(folder, 'aws'), 0o755);
  return folder;
}
