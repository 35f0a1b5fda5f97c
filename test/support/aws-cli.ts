import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { toolImage } from './tool-image.js';

/**
 * The AWS CLI for the docs' examples that read S3 with it (`aws s3 ls`, `aws s3 cp`): Debian's
 * `awscli`, installed in an image made from the base image as a job's packages are, since the
 * machines the suite runs on have the Docker engine but not the CLI. `awsOnPath` makes a folder
 * whose `aws` runs it on the host's network in the caller's working folder (mounted at its own
 * path), with the caller's AWS settings: put it first on a shell's PATH and `aws …` works as written.
 *
 * The AWS CLI's image made from `baseImage` (test/support/tool-image.ts): its tag.
 */
export function awsCliImage(baseImage: string): Promise<string> {
  return toolImage({ name: 'tds-awscli', packages: ['awscli'], baseImage });
}

/** A new folder holding an `aws` that runs `image` (awsCliImage): its path, for the front of PATH. */
export async function awsOnPath(image: string): Promise<string> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'tds-aws-cli-'));
  const script = [
    '#!/bin/sh',
    // -i: `aws s3 cp - s3://…` reads standard input; the files it names are in the working folder.
    'exec docker run --rm -i --network host -v "$PWD:$PWD" -w "$PWD" -u "$(id -u):$(id -g)" -e HOME=/tmp \\',
    '  -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e AWS_SESSION_TOKEN -e AWS_REGION -e AWS_DEFAULT_REGION \\',
    `  ${image} aws "$@"`,
    '',
  ].join('\n');
  await writeFile(path.join(folder, 'aws'), script);
  await chmod(path.join(folder, 'aws'), 0o755);
  return folder;
}
