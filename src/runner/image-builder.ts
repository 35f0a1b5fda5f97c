import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { pack } from 'tar-stream';
import type { Logger } from 'pino';
import type { ContainerEngine, ImageConfig } from '../../services/docker/container-engine.js';
import { RunFailure, errorMessage } from '../errors.js';
import type { JobSpec } from '../jobs/job-spec.js';
import {
  PACKAGE_IMAGE_REPOSITORY,
  RUN_IMAGE_REPOSITORY,
  forbiddenImageProblem,
  isLocalImageAllowed,
} from '../jobs/image-reference.js';
import { JOB_DIR, METRICS_DIR, OUTPUT_DIR } from './container-paths.js';

export const TEMPLATE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'template');

export const MANAGED_LABEL = 'tds.managed';
export const RUN_ID_LABEL = 'tds.run-id';
export const WORKER_ID_LABEL = 'tds.worker-id';
export const KIND_LABEL = 'tds.kind';
/** The installation (src/fleet/installation.ts) that made a container, image or network. */
export const INSTALLATION_LABEL = 'tds.installation';
/**
 * Whether a run container also samples itself for the live view (`container`) or has only the
 * engine's readings (`engine`: no /bin/sh); the figures recorded are the engine's either way.
 */
export const METRICS_SOURCE_LABEL = 'tds.metrics';

/**
 * The image every run of a (base image, package list) builds on, built once and reused: the
 * packages installed, the runtime scripts (entrypoint and metrics sampler, owned by root) and the
 * two folders the command's user may write to, owned by that user. The container's root filesystem
 * is read-only; those two folders are volumes, filled from the image when created, so they keep the
 * owner given here. Whatever does not change from run to run is here; a run's containers are
 * created from it directly, and its own files put into them (run-files.ts).
 */
export function packagesDockerfile(jobUser: string, withPackages: boolean): string {
  return `ARG TDS_BASE
FROM \${TDS_BASE}
${
  withPackages
    ? `COPY install-packages.sh packages.txt /tmp/tds/
RUN sh /tmp/tds/install-packages.sh /tmp/tds/packages.txt && rm -rf /tmp/tds
`
    : ''
}COPY runtime /job/
COPY --chown=${jobUser} writable /job/
`;
}

/** A prebuilt image as a run uses it. */
export interface PrebuiltImage {
  ref: string;
  /** The image's id: what the run builds on. */
  id: string;
  config: ImageConfig;
  /** Whether it has /bin/sh: the sampler and the entrypoint wrapper need it. */
  hasShell: boolean;
}

/** How a job container starts: the sampler, then the command (template/entrypoint.sh). */
export const JOB_ENTRYPOINT = ['/bin/sh', '/job/.tds/entrypoint.sh'];

/**
 * Where the previous release tagged each run's own image (`tds-run:<runId>`). Runs make no image
 * any more (their files are put into their created container: src/runner/run-files.ts); the
 * housekeeper still removes those left behind by the previous release, and the name stays refused
 * as a job's image.
 */
export const JOB_IMAGE_REPOSITORY = RUN_IMAGE_REPOSITORY;

/** The run an image of the previous release was built for, from its tag; undefined for any other image. */
export function runIdOfImageTag(tag: string): string | undefined {
  const prefix = `${JOB_IMAGE_REPOSITORY}:`;
  return tag.startsWith(prefix) ? tag.slice(prefix.length) : undefined;
}

/** The volume a run's container has for `dir` (/job itself, its outputs, the sampler's folder). */
export function runVolumeName(runId: string, dir: string): string {
  return `tds-vol-${runId}-${path.posix.basename(dir).replace(/^\./, '')}`;
}

/**
 * A run's volumes, by name: made before its container, removed after it. The container's root
 * filesystem is read-only, and the engine puts files into a created container only into its
 * volumes: /job is one, filled from the image when the container is created (the runtime scripts
 * of a package image) and then with the run's files (run-files.ts); the output and sampler's
 * folders, which the command's user writes to, are volumes of their own inside it, so that only
 * they count towards the run's disk limit (disk-limit.ts).
 */
export function runVolumes(runId: string): { name: string; dir: string }[] {
  return [JOB_DIR, OUTPUT_DIR, METRICS_DIR].map((dir) => ({ name: runVolumeName(runId, dir), dir }));
}

/** The container a run's command runs in. */
export function runContainerName(runId: string): string {
  return `tds-run-${runId}`;
}

/**
 * The name a run's container is given when its worker, cut off from the database, stopped it
 * (fencing): whoever holds the run next, on this engine, sees that the command was stopped, not
 * that it ended, and runs it again.
 */
export function fencedContainerName(runId: string): string {
  return `tds-fenced-${runId}`;
}

const TEMPLATE_FILES = ['install-packages.sh', 'entrypoint.sh', 'metrics.sh'] as const;
/** The runtime scripts under /job/.tds: in every package image, and put into a prebuilt image's runs. */
export const RUNTIME_FILES = ['entrypoint.sh', 'metrics.sh'] as const;

/**
 * The tag of the cached package image for `packages` on the base image `baseImageId`, whose
 * writable folders belong to `jobUser`. It changes whenever anything that goes into the image does.
 * Installations sharing an engine share it: it holds nothing of any run.
 */
export async function packageImageTag(
  baseImageId: string,
  packages: string[],
  jobUser: string,
): Promise<string> {
  templateDigest ??= Promise.all(TEMPLATE_FILES.map((file) => readFile(path.join(TEMPLATE_DIR, file)))).then(
    (contents) => {
      const hash = createHash('sha256');
      for (const content of contents) hash.update(content).update('\0');
      return hash.digest('hex');
    },
  );
  const key = createHash('sha256')
    .update(baseImageId)
    .update('\0')
    .update(packages.join('\n'))
    .update('\0')
    .update(jobUser)
    .update('\0')
    .update(await templateDigest)
    .digest('hex')
    .slice(0, 24);
  return `${PACKAGE_IMAGE_REPOSITORY}:${key}`;
}

/** The template files are part of the product: read once per process. */
let templateDigest: Promise<string> | undefined;

export interface ImageBuilder {
  /**
   * The image with the job's packages and the runtime scripts installed on its base image, built
   * once per (base image, package list) and reused after that. Resolves with the image reference
   * to build on.
   */
  ensurePackageImage(spec: JobSpec, log: (text: string) => void, signal: AbortSignal): Promise<string>;
  /**
   * A job's prebuilt image, pulled if the engine does not have it (`image_error` when it cannot
   * be), with its configuration and whether it has a shell.
   */
  preparePrebuiltImage(
    runId: string,
    spec: JobSpec,
    log: (text: string) => void,
    labels: Record<string, string>,
  ): Promise<PrebuiltImage>;
}

/** Which images runs may use, and whose they are. */
export interface ImageRules {
  /** Labelled on every package image built. */
  installationId: string;
  /** Images taken from the engine as they are (TDS_LOCAL_IMAGES and the base image); any other is pulled for each run. */
  localImages: readonly string[];
  /** Told of each image pulled or package image used, for the cache's least-recently-used eviction. */
  onImageUsed?: (ref: string) => void;
}

/**
 * `jobUser` (`uid:gid`) is who the command runs as: it owns the output and metrics folders of
 * every package image.
 */
export function createImageBuilder(
  engine: ContainerEngine,
  logger: Logger,
  jobUser: string,
  rules: ImageRules,
): ImageBuilder {
  const inFlight = new Map<string, Promise<string>>();
  /** Whether an image (by id) has /bin/sh: images do not change under their id. */
  const shells = new Map<string, boolean>();
  const used = (ref: string) => rules.onImageUsed?.(ref);

  /**
   * The id of the image a run may use for `ref` (what = "image" or "base image"). The service's own
   * images and image ids are refused; an image on the operator's list is taken from the engine
   * (pulled if missing); any other is pulled for this run, whatever the engine has under that name:
   * a local image may be another user's, pulled with their credentials or built from their files.
   * The id is what the run builds on, so a tag moved meanwhile changes nothing.
   */
  async function usableImageId(
    ref: string,
    what: 'image' | 'base image',
    reason: 'image_error' | 'build_error',
    log: (text: string) => void,
  ): Promise<string> {
    const forbidden = forbiddenImageProblem(ref);
    if (forbidden !== undefined) throw new RunFailure(reason, `${what} ${forbidden}`);
    const local = isLocalImageAllowed(ref, rules.localImages);
    if (local) {
      const existing = await engine.imageId(ref);
      if (existing) return existing;
    }
    try {
      log(`Pulling ${ref}\n`);
      logger.info({ image: ref }, `pulling ${what}`);
      await engine.pullImage(ref);
    } catch (error) {
      throw new RunFailure(
        reason,
        local
          ? `${what} "${ref}" is not on the engine and could not be pulled: ${errorMessage(error)}`
          : `${what} "${ref}" is pulled for each run (only the images in TDS_LOCAL_IMAGES are taken from the engine as they are) and could not be pulled: ${errorMessage(error)}`,
        { cause: error },
      );
    }
    const pulled = await engine.imageId(ref);
    if (!pulled) throw new RunFailure(reason, `${what} "${ref}" could not be found after pulling it`);
    if (!local) used(ref);
    return pulled;
  }

  /** Waits for `work`, or rejects as soon as `signal` aborts (the work itself goes on). */
  function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
      work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  async function buildPackageImage(spec: JobSpec, baseId: string, tag: string, log: (text: string) => void) {
    const withPackages = spec.linux_dependencies.length > 0;
    const context = pack();
    context.entry({ name: 'Dockerfile' }, packagesDockerfile(jobUser, withPackages));
    if (withPackages) {
      context.entry(
        { name: 'install-packages.sh' },
        await readFile(path.join(TEMPLATE_DIR, 'install-packages.sh')),
      );
      context.entry({ name: 'packages.txt' }, `${spec.linux_dependencies.join('\n')}\n`);
    }
    for (const file of RUNTIME_FILES) {
      context.entry({ name: `runtime/.tds/${file}` }, await readFile(path.join(TEMPLATE_DIR, file)));
    }
    for (const dir of [OUTPUT_DIR, METRICS_DIR]) {
      context.entry({ name: `writable/${path.posix.relative('/job', dir)}`, type: 'directory' });
    }
    context.finalize();
    log(
      withPackages
        ? `Installing packages on ${spec.base_image}: ${spec.linux_dependencies.join(' ')}\n`
        : `Preparing ${spec.base_image} for jobs\n`,
    );
    const result = await engine.buildImage({
      context: context as unknown as Readable,
      tag,
      buildArgs: { TDS_BASE: baseId },
      labels: {
        [MANAGED_LABEL]: 'true',
        [KIND_LABEL]: 'packages',
        [INSTALLATION_LABEL]: rules.installationId,
      },
    });
    log(result.log);
  }

  return {
    async ensurePackageImage(spec, log, signal) {
      const baseId = await usableImageId(spec.base_image, 'base image', 'build_error', log);
      const tag = await packageImageTag(baseId, spec.linux_dependencies, jobUser);
      used(tag);
      if (await engine.imageId(tag)) {
        log(
          `Packages ${spec.linux_dependencies.join(' ') || '(none)'} on ${spec.base_image}: cached as ${tag}\n`,
        );
        return tag;
      }
      // Runs needing the same packages at once share one build, which is not stopped when one of
      // them is cancelled: the others still need it, and the image serves later runs.
      let build = inFlight.get(tag);
      if (!build) {
        build = buildPackageImage(spec, baseId, tag, log)
          .then(() => tag)
          .finally(() => inFlight.delete(tag));
        inFlight.set(tag, build);
      } else {
        log(`Waiting for another run's build of ${tag}\n`);
      }
      return untilAborted(build, signal);
    },

    async preparePrebuiltImage(runId, spec, log, labels) {
      const ref = spec.image ?? '';
      const id = await usableImageId(ref, 'image', 'image_error', log);
      const config = await engine.inspectImage(id);
      if (!config) throw new RunFailure('image_error', `image "${ref}" was removed while the run used it`);
      let hasShell = shells.get(config.id);
      if (hasShell === undefined) {
        hasShell = await engine.imageHasPath(id, '/bin/sh', labels);
        shells.set(config.id, hasShell);
      }
      log(
        `Running ${ref} (${config.id.slice(0, 19)}) as it is: ${hasShell ? 'with /bin/sh, metrics sampled inside the container' : 'no /bin/sh, metrics sampled by the engine'}\n`,
      );
      logger.debug({ runId, image: ref, hasShell }, 'prebuilt image ready');
      return { ref, id, config, hasShell };
    },
  };
}
