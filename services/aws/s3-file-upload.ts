// A file on this host uploaded to S3 from buffers kept for the upload: nothing is allocated per chunk read.
import { open, type FileHandle } from 'node:fs/promises';
import {
  AbortMultipartUploadCommand,
  ChecksumAlgorithm,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';

/** S3's smallest part but the last: files up to it go in one PutObject. */
export const PART_BYTES = 5 * 1024 * 1024;
/** The most parts one upload may have (S3's own limit): larger files have larger parts. */
const MAX_PARTS = 10_000;
/** Parts in flight at once, each with a buffer of its own. */
const PARTS_AT_ONCE = 2;

export interface FileTarget {
  bucket: string;
  key: string;
  contentType?: string;
}

/** Reads `length` bytes at `position` into the start of `buffer`; a file shorter than that is an error. */
async function readPart(handle: FileHandle, buffer: Buffer, length: number, position: number): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) throw new Error(`the file ended ${length - done} bytes early while it was uploaded`);
    done += bytesRead;
  }
}

/**
 * Uploads the file at `file` to `target`: in one PutObject up to PART_BYTES, otherwise as a
 * multipart upload of PARTS_AT_ONCE parts at a time, each part read into one of the upload's own
 * buffers and sent from it (the file's size is read once, at the start: it must not change while
 * it is uploaded). The bytes streamed through the process then make no garbage for the collector,
 * which, left to Buffers read chunk by chunk, lets them pile up to tens of MiB before it frees
 * them. A failed multipart upload is aborted: no parts are left to be billed.
 */
export async function uploadFile(client: S3Client, target: FileTarget, file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const { bucket: Bucket, key: Key, contentType: ContentType } = target;
    if (size <= PART_BYTES) {
      const body = Buffer.allocUnsafe(size);
      await readPart(handle, body, size, 0);
      await client.send(new PutObjectCommand({ Bucket, Key, ContentType, Body: body }));
      return;
    }
    await uploadParts(client, target, handle, size);
  } finally {
    await handle.close();
  }
}

async function uploadParts(
  client: S3Client,
  target: FileTarget,
  handle: FileHandle,
  size: number,
): Promise<void> {
  const { bucket: Bucket, key: Key, contentType: ContentType } = target;
  // As the SDK's own Upload does: a checksum of each part when the client sends them by default.
  const checksum =
    (await client.config.requestChecksumCalculation()) === 'WHEN_SUPPORTED'
      ? ChecksumAlgorithm.CRC32
      : undefined;
  const { UploadId } = await client.send(
    new CreateMultipartUploadCommand({ Bucket, Key, ContentType, ChecksumAlgorithm: checksum }),
  );
  const partBytes = Math.max(PART_BYTES, Math.ceil(size / MAX_PARTS));
  const count = Math.ceil(size / partBytes);
  const parts: CompletedPart[] = [];
  let next = 0;
  let failed = false;
  const sender = async () => {
    const buffer = Buffer.allocUnsafeSlow(partBytes);
    while (next < count && !failed) {
      const index = next++;
      const length = Math.min(partBytes, size - index * partBytes);
      try {
        await readPart(handle, buffer, length, index * partBytes);
        const sent = await client.send(
          new UploadPartCommand({
            Bucket,
            Key,
            UploadId,
            PartNumber: index + 1,
            Body: buffer.subarray(0, length),
            ChecksumAlgorithm: checksum,
          }),
        );
        parts[index] = {
          PartNumber: index + 1,
          ETag: sent.ETag,
          ...(sent.ChecksumCRC32 ? { ChecksumCRC32: sent.ChecksumCRC32 } : {}),
        };
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  try {
    const senders = await Promise.allSettled(Array.from({ length: Math.min(PARTS_AT_ONCE, count) }, sender));
    const failure = senders.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) throw failure.reason;
    await client.send(
      new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }),
    );
  } catch (error) {
    await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })).catch(() => undefined);
    throw error;
  }
}
