import { BUCKET_PATTERN, type Gpus, type JobSpec } from '../jobs/job-spec.js';
import { ForbiddenError, ValidationError } from '../errors.js';
import { withoutTrailing } from '../text/without-trailing.js';

/** An allow-list entry: a whole bucket, or the keys under one prefix of it. */
export interface BucketGrant {
  bucket: string;
  /** '' for the whole bucket, else a folder prefix ending in '/'. */
  prefix: string;
}

/** Per-user ceilings; null means the operator's default applies. */
export interface Ceilings {
  maxCpus: number;
  maxMemoryMb: number;
  /** Not kept per user: TDS_USER_MAX_DISK_MB for everyone. */
  maxDiskMb: number;
  /** Not kept per user: TDS_USER_MAX_GPUS for everyone; `all` lets a run take every GPU of a worker. */
  maxGpus: Gpus;
  maxTimeoutSeconds: number;
  maxConcurrentRuns: number;
}

/**
 * Reads an allow-list entry: "bucket" or "bucket/prefix" (the prefix taken as a folder).
 * Throws a ValidationError naming what is wrong.
 */
export function parseBucketGrant(entry: string): BucketGrant {
  const slash = entry.indexOf('/');
  const bucket = slash === -1 ? entry : entry.slice(0, slash);
  const rest = slash === -1 ? '' : withoutTrailing(entry.slice(slash + 1), '/');
  if (!new RegExp(BUCKET_PATTERN).test(bucket)) {
    throw new ValidationError(
      `allow-list entry "${entry}" must start with a bucket name (${BUCKET_PATTERN})`,
    );
  }
  const segments = rest === '' ? [] : rest.split('/');
  // eslint-disable-next-line no-control-regex
  if (segments.some((s) => s === '' || s === '.' || s === '..') || /[\u0000-\u001f\u007f\\]/.test(rest)) {
    throw new ValidationError(
      `allow-list entry "${entry}" has an empty, "." or ".." segment or a control character in its prefix`,
    );
  }
  return { bucket, prefix: rest === '' ? '' : `${rest}/` };
}

export function formatBucketGrant(grant: BucketGrant): string {
  return grant.prefix === '' ? grant.bucket : `${grant.bucket}/${grant.prefix}`;
}

function covered(grants: readonly BucketGrant[], bucket: string, prefix: string): boolean {
  return grants.some((g) => g.bucket === bucket && prefix.startsWith(g.prefix));
}

/**
 * Refuses a job that would read or write outside the user's allow-list: its inputs
 * (bucket + source prefix) and its results (bucket + destination prefix + uniqueId) must both lie
 * under an entry.
 */
export function checkBuckets(userId: string, grants: readonly BucketGrant[], spec: JobSpec): void {
  const allowed = grants.map(formatBucketGrant);
  const listed = allowed.length === 0 ? 'none' : allowed.join(', ');
  const source = spec.source_s3_prefix;
  const results = `${spec.destination_s3_prefix}${spec.uniqueId}/`;
  for (const [what, prefix] of [
    ['inputs', source],
    ['results', results],
  ] as const) {
    if (!covered(grants, spec.s3_bucket, prefix)) {
      throw new ForbiddenError(
        `user "${userId}" may not use s3://${spec.s3_bucket}/${prefix} for its ${what}; ` +
          `allowed: ${listed}. An operator can extend the allow-list (PUT /admin/users/${userId}).`,
      );
    }
  }
}

/** Refuses a job that asks for more CPU, memory, disk or time than the user's ceilings. */
export function checkCeilings(userId: string, ceilings: Ceilings, spec: JobSpec): void {
  const over: string[] = [];
  if (spec.cpus > ceilings.maxCpus) over.push(`cpus ${spec.cpus} (ceiling ${ceilings.maxCpus})`);
  if (spec.memory_mb > ceilings.maxMemoryMb)
    over.push(`memory_mb ${spec.memory_mb} (ceiling ${ceilings.maxMemoryMb})`);
  if (spec.disk_mb > ceilings.maxDiskMb) over.push(`disk_mb ${spec.disk_mb} (ceiling ${ceilings.maxDiskMb})`);
  if (gpusOver(spec.gpus, ceilings.maxGpus)) over.push(`gpus ${spec.gpus} (ceiling ${ceilings.maxGpus})`);
  if (spec.timeout_seconds > ceilings.maxTimeoutSeconds)
    over.push(`timeout_seconds ${spec.timeout_seconds} (ceiling ${ceilings.maxTimeoutSeconds})`);
  if (over.length > 0) {
    throw new ForbiddenError(
      `the job asks for more than user "${userId}" may use: ${over.join(', ')}; ask for less, or ask an operator to raise the ceiling`,
    );
  }
}

/** Whether `gpus` asks for more than `ceiling`: `all` is within only a ceiling of `all`. */
function gpusOver(gpus: Gpus | undefined, ceiling: Gpus): boolean {
  if (gpus === undefined || ceiling === 'all') return false;
  return gpus === 'all' || gpus > ceiling;
}

/** Whether `host` only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(?:\.\d{1,3}){3}$/.test(bare);
}
