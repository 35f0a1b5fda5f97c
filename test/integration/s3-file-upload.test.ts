import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PART_BYTES, uploadFile } from '../../services/aws/s3-file-upload.js';
import { createS3ObjectStore } from '../../services/aws/s3-object-store.js';
import { createBucket, newS3Client, s3Client } from '../support/harness.js';

/**
 * A file on this host uploaded through the object store to the suite's S3 server: in one request
 * up to a part's size, in parts past it, every byte as it is on disk; a failed part aborts the
 * upload and nothing is left at the key.
 */
let dir: string;
let bucket: string;

/** `size` random bytes: a part sent twice, or out of place, shows. */
const content = (size: number) => randomBytes(size);

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tds-upload-'));
  bucket = await createBucket();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.concurrent('a file uploaded to S3', () => {
  it.each([0, 1, PART_BYTES, PART_BYTES + 1, 2 * PART_BYTES + 7])(
    'of %i bytes arrives whole, with its content type',
    async (size) => {
      const s3 = s3Client();
      const store = createS3ObjectStore(s3);
      const file = path.join(dir, `file-${size}`);
      const bytes = content(size);
      await writeFile(file, bytes);
      await store.putFile(bucket, `up/${size}.bin`, file, 'application/octet-stream');
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `up/${size}.bin` }));
      const body = Buffer.from(await got.Body!.transformToByteArray());
      expect(body.length).toBe(size);
      expect(sha256(body)).toBe(sha256(bytes));
      expect(got.ContentType).toBe('application/octet-stream');
    },
  );

  it('aborts the upload when a part fails, and says why', async () => {
    // A client of its own: the failing part is its middleware's.
    const s3 = newS3Client();
    const sent: string[] = [];
    s3.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { PartNumber?: number; UploadId?: string };
        sent.push(`${context.commandName}${input.PartNumber ? ` ${input.PartNumber}` : ''}`);
        if (context.commandName === 'UploadPartCommand' && input.PartNumber === 2) {
          throw new Error('the network went away');
        }
        return next(args);
      },
      { step: 'initialize', name: 'failSecondPart' },
    );
    const file = path.join(dir, 'failing');
    await writeFile(file, content(3 * PART_BYTES));
    await expect(uploadFile(s3, { bucket, key: 'up/failing.bin' }, file)).rejects.toThrow(
      'the network went away',
    );
    expect(sent[0]).toBe('CreateMultipartUploadCommand');
    expect(sent).toContain('UploadPartCommand 2');
    expect(sent.at(-1)).toBe('AbortMultipartUploadCommand');
    expect(sent).not.toContain('CompleteMultipartUploadCommand');
    await expect(
      s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'up/failing.bin' })),
    ).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  });
});
