import type { ObjectStore, PrefixContents } from '../../services/aws/object-store.js';
import { UnprocessableError, errorMessage } from '../errors.js';

/**
 * How long a prefix found to hold objects is taken to still hold them, so that a frontend posting
 * definition after definition over the same inputs costs one request to the store every few
 * seconds, not one per post. Inputs removed meanwhile fail the run when it stages them
 * (`input_error`), as they would if removed after the check. An empty prefix or a missing bucket is
 * never remembered: the inputs may be on their way, and the next post must see them.
 */
const PREFIX_MEMORY_MS = 5_000;
const PREFIX_MEMORY_SIZE = 1_000;

export type BucketCheck = ReturnType<typeof createBucketCheck>;

/** Whether a definition's bucket (and, for one that runs now, its inputs) can serve it. */
export function createBucketCheck(store: Pick<ObjectStore, 'probePrefix'>) {
  /** When each bucket and prefix was last found to hold objects. */
  const prefixesWithObjects = new Map<string, number>();

  async function probePrefix(bucket: string, prefix: string): Promise<PrefixContents> {
    const key = `${bucket}/${prefix}`;
    const seen = prefixesWithObjects.get(key);
    if (seen !== undefined && performance.now() - seen < PREFIX_MEMORY_MS) return 'objects';
    const contents = await store.probePrefix(bucket, prefix);
    if (contents === 'objects') {
      if (prefixesWithObjects.size >= PREFIX_MEMORY_SIZE) prefixesWithObjects.clear();
      prefixesWithObjects.set(key, performance.now());
    } else {
      prefixesWithObjects.delete(key);
    }
    return contents;
  }

  return {
    /**
     * Why a definition's bucket cannot serve it, or undefined when it can: the bucket must exist,
     * and one that runs now (`needsInputs`) must find its inputs. At most one request to the store.
     */
    async problem(bucket: string, prefix: string, needsInputs: boolean): Promise<Error | undefined> {
      let contents: PrefixContents;
      try {
        contents = await probePrefix(bucket, prefix);
      } catch (error) {
        return new UnprocessableError(`the service cannot access bucket "${bucket}": ${errorMessage(error)}`);
      }
      if (contents === 'no-bucket') {
        return new UnprocessableError(`bucket "${bucket}" does not exist; create it or name another`);
      }
      if (needsInputs && prefix !== '' && contents === 'empty') {
        return new UnprocessableError(
          `no objects under s3://${bucket}/${prefix}; upload the inputs first, or send "source_s3_prefix": "" for a job without inputs`,
        );
      }
      return undefined;
    },
  };
}
