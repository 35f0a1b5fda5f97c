import type { Readable } from 'node:stream';

export interface StoredObject {
  key: string;
  size: number;
}

/** What lies under a prefix: no bucket at all, nothing, or at least one object. */
export type PrefixContents = 'no-bucket' | 'empty' | 'objects';

/**
 * Whether a store's refusal says the object (or its bucket) is not there, as opposed to a store
 * that could not answer (a timeout, a reset connection, a 5xx): only the first means "absent".
 */
export function isMissingObject(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata
    ?.httpStatusCode;
  const name = (error as { name?: unknown } | undefined)?.name;
  return status === 404 || name === 'NoSuchKey' || name === 'NoSuchBucket' || name === 'NotFound';
}

/** The narrow object-store interface the application uses; implemented over S3. */
export interface ObjectStore {
  /** Whether the bucket exists and has an object under `prefix`, in one request. */
  probePrefix(bucket: string, prefix: string): Promise<PrefixContents>;
  /** Every object under `prefix`, page by page, never the whole listing in memory. */
  listObjects(bucket: string, prefix: string): AsyncIterable<StoredObject>;
  getObjectStream(bucket: string, key: string): Promise<Readable>;
  /** The object's text, or only its last `tailBytes` bytes; undefined when absent. */
  getObjectText(bucket: string, key: string, tailBytes?: number): Promise<string | undefined>;
  /** Streams `body` to the object (multipart for large bodies); memory use stays bounded. */
  putObject(
    bucket: string,
    key: string,
    body: Readable | Buffer | string,
    contentType?: string,
  ): Promise<void>;
  /**
   * Uploads the file at `file` on this host (multipart for large files, from buffers kept for the
   * upload); the file must not change while it is uploaded.
   */
  putFile(bucket: string, key: string, file: string, contentType?: string): Promise<void>;
  createBucket(bucket: string): Promise<void>;
  /**
   * Deletes every object under `prefix` (listed, then deleted up to 1,000 keys a request) except
   * those under one of the `keep` prefixes; returns how many went. A bucket that does not exist has
   * nothing to delete: 0. An empty prefix is refused: it would be the whole bucket.
   */
  deletePrefix(bucket: string, prefix: string, keep?: readonly string[]): Promise<number>;
}
