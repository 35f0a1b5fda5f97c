/**
 * Which image references a job may name, and which of them may be taken from the engine's own
 * images as they are. The one home of these rules: job validation refuses what no job may name,
 * and the image builder applies both again when a run starts.
 */

/** An image reference such as `debian:bookworm-slim`, `registry:5000/team/image@sha256:...`. */
export const IMAGE_PATTERN = '^[a-z0-9][a-z0-9._/:-]{0,254}(@sha256:[a-f0-9]{64})?$';
// The schema's pattern as published (a JSON Schema pattern): its group is for grouping, not capture.
// eslint-disable-next-line regexp/no-unused-capturing-group
const IMAGE_REFERENCE = new RegExp(IMAGE_PATTERN);

/** Repositories of the images the service makes: run images (`tds-run:<runId>`) and package images. */
export const RUN_IMAGE_REPOSITORY = 'tds-run';
export const PACKAGE_IMAGE_REPOSITORY = 'tds-packages';
const SERVICE_REPOSITORIES: readonly string[] = [RUN_IMAGE_REPOSITORY, PACKAGE_IMAGE_REPOSITORY];

/**
 * The repository of a reference as the engine resolves it: without its tag or digest, and without
 * the default registry's spellings (`docker.io/library/tds-run` is `tds-run` on the engine).
 */
export function imageRepository(ref: string): string {
  let name = ref.split('@')[0]!.toLowerCase();
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash + 1);
  if (colon >= 0) name = name.slice(0, colon);
  for (const prefix of ['index.docker.io/', 'registry-1.docker.io/', 'docker.io/']) {
    if (name.startsWith(prefix)) name = name.slice(prefix.length);
  }
  if (name.startsWith('library/')) name = name.slice('library/'.length);
  return name;
}

/** The reference with its default tag: `debian` is `debian:latest`; a digest stays as it is. */
function withTag(ref: string): string {
  const lastSlash = ref.lastIndexOf('/');
  return ref.includes('@') || ref.indexOf(':', lastSlash + 1) >= 0 ? ref : `${ref}:latest`;
}

/** What the reference names after the repository: `:tag`, `@digest` or both. */
function suffixOf(ref: string): string {
  const full = withTag(ref);
  const lastSlash = full.split('@')[0]!.lastIndexOf('/');
  const colon = full.indexOf(':', lastSlash + 1);
  const at = full.indexOf('@');
  const start = colon >= 0 && (at < 0 || colon < at) ? colon : at;
  return full.slice(start);
}

/**
 * Why no job may name `ref`, or undefined when it may. The service's own images hold other runs'
 * inputs and commands; an image id names whatever image the engine has under it, whoever pulled it.
 */
export function forbiddenImageProblem(ref: string): string | undefined {
  const repository = imageRepository(ref);
  if (SERVICE_REPOSITORIES.includes(repository)) {
    return `"${ref}" is an image the service makes for its runs (${repository}:*), which no job may run: name an image from a registry, or use "command"`;
  }
  if (/^sha256:/i.test(ref) || /^[0-9a-f]{64}$/i.test(ref)) {
    return `"${ref}" is an image id, which names an image on one engine only: name the image by its registry reference (repository:tag or repository@digest)`;
  }
  return undefined;
}

/**
 * Whether the operator's list of local images (TDS_LOCAL_IMAGES, with the service's base image)
 * lets a run use `ref` from the engine as it is, without pulling it. An entry is a reference
 * (`debian:bookworm-slim`, `repo@sha256:…`), a repository (any of its tags), or a prefix ending in
 * `*` (`tds-test-*`). The service's own images are never allowed, whatever the list says.
 */
export function isLocalImageAllowed(ref: string, allowed: readonly string[]): boolean {
  if (forbiddenImageProblem(ref) !== undefined) return false;
  const repository = imageRepository(ref);
  const suffix = suffixOf(ref);
  return allowed.some((entry) => {
    if (entry.endsWith('*')) return ref.startsWith(entry.slice(0, -1));
    const entryRepository = imageRepository(entry);
    if (entryRepository !== repository) return false;
    const named = entry.split('@')[0]!;
    const hasSuffix = entry.includes('@') || named.indexOf(':', named.lastIndexOf('/') + 1) >= 0;
    return !hasSuffix || suffixOf(entry) === suffix;
  });
}

/**
 * Why `ref` may not be a job's image, or undefined when it may: the reference's form (what the
 * request schema's pattern checks) and forbiddenImageProblem. For an image known only when a run
 * is queued (a fan-out item's `{{item.image}}`), where no schema has looked at it.
 */
export function imageReferenceProblem(ref: string): string | undefined {
  if (!IMAGE_REFERENCE.test(ref)) {
    return `${JSON.stringify(ref)} is not an image reference: lower-case letters, digits and . _ / : - (up to 255), optionally @sha256:<64 hex digits>, such as debian:bookworm-slim`;
  }
  return forbiddenImageProblem(ref);
}
