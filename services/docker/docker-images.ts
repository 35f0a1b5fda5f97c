// Images on a Docker engine: looking up, pulling, building, listing and removing them.
import type Docker from 'dockerode';
import { BuildError, type BuildImageOptions, type ImageConfig } from './container-engine.js';
import { listOrNull, messageOf, statusOf, tolerate } from './docker-calls.js';

export async function imageId(docker: Docker, ref: string): Promise<string | undefined> {
  try {
    return (await docker.getImage(ref).inspect()).Id;
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

export async function pullImage(docker: Docker, ref: string): Promise<void> {
  const stream = await docker.pull(ref);
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null) => (error ? reject(error) : resolve()));
  });
}

export async function inspectImage(docker: Docker, ref: string): Promise<ImageConfig | undefined> {
  try {
    const info = await docker.getImage(ref).inspect();
    const config = info.Config as Partial<Docker.ImageInspectInfo['Config']> | undefined;
    return {
      id: info.Id,
      entrypoint: listOrNull(config?.Entrypoint),
      cmd: listOrNull(config?.Cmd),
      workingDir: config?.WorkingDir ?? '',
      user: config?.User ?? '',
      bytes: info.Size,
      labels: config?.Labels ?? {},
    };
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

export async function imageHasPath(
  docker: Docker,
  ref: string,
  path: string,
  labels: Record<string, string>,
): Promise<boolean> {
  // Created with an entrypoint of its own: an image with neither entrypoint nor command
  // cannot be created otherwise. It is never started.
  const container = await docker.createContainer({
    Image: ref,
    Entrypoint: ['/nonexistent-never-started'],
    Cmd: [],
    Labels: labels,
    NetworkDisabled: true,
  });
  try {
    await container.infoArchive({ path });
    return true;
  } catch (error) {
    if (statusOf(error) === 404) return false;
    throw error;
  } finally {
    await tolerate([404], () => container.remove({ force: true, v: true }));
  }
}

export async function buildImage(
  docker: Docker,
  { context, tag, buildArgs, labels, noCache, signal }: BuildImageOptions,
): Promise<{ log: string }> {
  const lines: string[] = [];
  const stream = await docker.buildImage(context, {
    t: tag,
    buildargs: buildArgs,
    labels,
    nocache: noCache ?? false,
    rm: true,
    forcerm: true,
    abortSignal: signal,
  });
  let failure: string | undefined;
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null) => (error ? reject(error) : resolve()),
      (event: { stream?: string; error?: string; errorDetail?: { message?: string } }) => {
        if (event.stream) lines.push(event.stream);
        if (event.error) {
          failure = event.errorDetail?.message ?? event.error;
          lines.push(`${failure}\n`);
        }
      },
    );
  }).catch((error: unknown) => {
    failure ??= messageOf(error);
  });
  const log = lines.join('');
  if (failure !== undefined) throw new BuildError(failure, log);
  return { log };
}

export async function removeImage(docker: Docker, ref: string): Promise<void> {
  await tolerate([404, 409], () => docker.getImage(ref).remove({ force: true, noprune: false }));
}

export async function removeImageIfUnused(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).remove({ force: false, noprune: false });
    return true;
  } catch (error) {
    if (statusOf(error) === 404) return true;
    if (statusOf(error) === 409) return false;
    throw error;
  }
}

export async function listImages(
  docker: Docker,
  repository: string,
): Promise<{ id: string; tags: string[]; labels: Record<string, string> }[]> {
  const images = await docker.listImages({ filters: { reference: [`${repository}:*`] } });
  return images.map((image) => ({
    id: image.Id,
    tags: image.RepoTags ?? [],
    labels: image.Labels ?? {},
  }));
}
