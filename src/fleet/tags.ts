/**
 * Tags: what a worker offers (TDS_WORKER_TAGS, and its engine's platform such as `linux/arm64`)
 * and what a job `requires`. A run is claimed only by a worker holding every tag it requires.
 */

/** A tag: letters, digits and `.`, `_`, `-`, `/`, `:`, `=`; up to 64 characters (`gpu`, `zone-a`, `linux/arm64`). */
export const TAG_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._/:=-]{0,63}$';
const TAG = new RegExp(TAG_PATTERN);

/** The most tags a job may require, or a worker advertise. */
export const MAX_TAGS = 32;

/**
 * The tag of a worker whose engine can give containers GPUs: it holds it when its engine has the
 * NVIDIA runtime, or when its operator lists it in TDS_WORKER_TAGS. A job with `gpus` requires it.
 */
export const GPU_TAG = 'gpu';

/** The runtime the NVIDIA Container Toolkit registers with the engine (`docker info` Runtimes). */
export const GPU_RUNTIME = 'nvidia';

export function isTag(text: string): boolean {
  return TAG.test(text);
}

/** Tags without repeats, in one order, so that equal sets are stored and compared as equal. */
export function tagSet(tags: Iterable<string>): string[] {
  return [...new Set(tags)].sort();
}

/** The tags in `required` that `offered` lacks. */
export function missingTags(required: readonly string[], offered: readonly string[]): string[] {
  const have = new Set(offered);
  return required.filter((tag) => !have.has(tag));
}

/** Docker's architecture names (`uname -m`) as platforms name them (`x86_64` → `amd64`). */
const ARCHITECTURES: Record<string, string> = {
  x86_64: 'amd64',
  amd64: 'amd64',
  aarch64: 'arm64',
  arm64: 'arm64',
  armv7l: 'arm',
  i386: '386',
  i686: '386',
  ppc64le: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
};

/** The engine's platform as `os/architecture` (`linux/amd64`), the form image platforms take. */
export function platformOf(osType: string, architecture: string): string {
  const os = osType.toLowerCase() || 'unknown';
  return `${os}/${ARCHITECTURES[architecture] ?? (architecture.toLowerCase() || 'unknown')}`;
}
