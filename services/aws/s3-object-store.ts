import type { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ObjectStore, StoredObject } from './object-store.js';
import { uploadFile } from './s3-file-upload.js';

/** The most keys one DeleteObjects request may name (S3's own limit). */
export const DELETE_BATCH = 1000;

export interface S3ObjectStoreOptions {
  endpoint?: string;
  region?: string;
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

export function createS3Client(options: S3ObjectStoreOptions): S3Client {
  const config: S3ClientConfig = {
    region: options.region ?? 'us-east-1',
    forcePathStyle: options.forcePathStyle ?? false,
  };
  if (options.endpoint) config.endpoint = options.endpoint;
  if (options.credentials) config.credentials = options.credentials;
  return new S3Client(config);
}

export function createS3ObjectStore(client: S3Client): ObjectStore {
  /**
   * Pages with ListObjects (v1) and Marker = the last key seen: every S3-compatible store serves
   * it, including s3rver, whose v2 continuation tokens need a cipher Node no longer ships.
   */
  async function* listObjects(bucket: string, prefix: string): AsyncIterable<StoredObject> {
    let marker: string | undefined;
    while (true) {
      const page = await client.send(
        new ListObjectsCommand({ Bucket: bucket, Prefix: prefix, Marker: marker }),
      );
      const items = page.Contents ?? [];
      for (const item of items) {
        if (item.Key !== undefined) yield { key: item.Key, size: item.Size ?? 0 };
      }
      const last = items.at(-1)?.Key;
      if (!page.IsTruncated || last === undefined) return;
      marker = last;
    }
  }

  return {
    async probePrefix(bucket, prefix) {
      try {
        const page = await client.send(
          new ListObjectsCommand({ Bucket: bucket, Prefix: prefix, MaxKeys: 1 }),
        );
        return (page.Contents?.length ?? 0) > 0 ? 'objects' : 'empty';
      } catch (error) {
        if (statusOf(error) === 404) return 'no-bucket';
        throw error;
      }
    },
    listObjects,
    async getObjectStream(bucket, key) {
      const result = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return result.Body as Readable;
    },
    async getObjectText(bucket, key, tailBytes) {
      try {
        let range: string | undefined;
        if (tailBytes !== undefined) {
          const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
          const size = head.ContentLength ?? 0;
          if (size === 0) return '';
          if (size > tailBytes) range = `bytes=${size - tailBytes}-${size - 1}`;
        }
        const result = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range }));
        return (await result.Body?.transformToString('utf8')) ?? '';
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    async putObject(bucket, key, body, contentType) {
      const upload = new Upload({
        client,
        params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType },
        queueSize: 2,
        partSize: 5 * 1024 * 1024,
        leavePartsOnError: false,
      });
      await upload.done();
    },
    async putFile(bucket, key, file, contentType) {
      await uploadFile(client, { bucket, key, contentType }, file);
    },
    async createBucket(bucket) {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    },
    async deletePrefix(bucket, prefix, keep = []) {
      if (prefix === '') throw new Error('refusing to delete under an empty prefix: it is the whole bucket');
      let deleted = 0;
      let keys: string[] = [];
      const flush = async () => {
        if (keys.length === 0) return;
        const result = await client.send(
          new DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
          }),
        );
        const failed = result.Errors ?? [];
        if (failed.length > 0) {
          const first = failed[0]!;
          throw new Error(
            `could not delete ${failed.length} of ${keys.length} objects under s3://${bucket}/${prefix}: ${first.Key ?? ''} ${first.Code ?? ''} ${first.Message ?? ''}`.trim(),
          );
        }
        deleted += keys.length;
        keys = [];
      };
      try {
        // Every key is checked against the prefix again: only what lies under it is ever named.
        for await (const object of listObjects(bucket, prefix)) {
          if (!object.key.startsWith(prefix) || keep.some((k) => object.key.startsWith(k))) continue;
          keys.push(object.key);
          if (keys.length === DELETE_BATCH) await flush();
        }
        await flush();
      } catch (error) {
        // Listing answers 404 only for a bucket that is not there: nothing of it is left to delete.
        if (statusOf(error) === 404) return deleted;
        throw error;
      }
      return deleted;
    },
  };
}
