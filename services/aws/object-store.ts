import type { Readable } from 'node:stream';

export interface StoredObject {
  key: string;
  size: number;
}

/** The narrow object-store interface the application uses; implemented over S3. */
export interface ObjectStore {
  bucketExists(bucket: string): Promise<boolean>;
  /** Every object under `prefix`, page by page, never the whole listing in memory. */
  listObjects(bucket: string, prefix: string): AsyncIterable<StoredObject>;
  /** True when at least one object exists under `prefix`. */
  hasObjects(bucket: string, prefix: string): Promise<boolean>;
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
  createBucket(bucket: string): Promise<void>;
}
