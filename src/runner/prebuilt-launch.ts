import type { ImageConfig } from '../../services/docker/container-engine.js';
import { RunFailure } from '../errors.js';
import { JOB_ENTRYPOINT } from './image-builder.js';

/** How a prebuilt image's container is started. */
export interface PrebuiltLaunch {
  entrypoint: string[];
  command: string[];
  workingDir: string;
}

/** The folder a run works in when its image names none. */
const DEFAULT_WORKDIR = '/job';

/**
 * What a prebuilt image runs, as Docker would run it: its entrypoint (kept), followed by `args`
 * (a list as it is; a string as `/bin/sh -c <string>`, Docker's shell form) or, without args, the
 * image's own CMD; in the image's working folder, or /job when it names none. With /bin/sh in the
 * image, that command runs under the entrypoint wrapper (the sampler, then the command, its exit
 * code passed on); without, it is the container's entrypoint itself.
 */
export function prebuiltLaunch(
  image: string,
  config: ImageConfig,
  args: string[] | string | null,
  hasShell: boolean,
): PrebuiltLaunch {
  if (typeof args === 'string' && !hasShell) {
    throw new RunFailure(
      'image_error',
      `args is a string, run by the image's /bin/sh, but image "${image}" has no /bin/sh: give args as a list of arguments`,
    );
  }
  const command =
    args === null ? (config.cmd ?? []) : typeof args === 'string' ? ['/bin/sh', '-c', args] : args;
  const argv = [...(config.entrypoint ?? []), ...command];
  if (argv.length === 0) {
    throw new RunFailure(
      'image_error',
      `image "${image}" has neither an entrypoint nor a command, and the job gives no args: give args`,
    );
  }
  const workingDir = config.workingDir || DEFAULT_WORKDIR;
  return hasShell
    ? { entrypoint: JOB_ENTRYPOINT, command: argv, workingDir }
    : { entrypoint: argv, command: [], workingDir };
}
