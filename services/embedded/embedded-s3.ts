import { mkdir } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import S3rver from 's3rver';

export interface EmbeddedS3Handle {
  endpoint: string;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);

/**
 * Starts an S3-compatible server (s3rver) on loopback over `dir`. It accepts the documented
 * S3RVER/S3RVER key pair, and also `credentials` when they differ.
 */
export async function startEmbeddedS3(
  dir: string,
  port: number,
  credentials: { accessKeyId: string; secretAccessKey: string },
): Promise<EmbeddedS3Handle> {
  await mkdir(dir, { recursive: true });
  if (credentials.accessKeyId !== 'S3RVER') {
    const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account') as {
      DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void };
    };
    DUMMY_ACCOUNT.createKeyPair(credentials.accessKeyId, credentials.secretAccessKey);
  }
  await checkPortFree(port);
  const server = new S3rver({ address: '127.0.0.1', port, directory: dir, silent: true });
  const address = (await server.run()) as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: () => server.close(),
  };
}

/**
 * Rejects with the system's error (EADDRINUSE when taken) if `port` cannot be listened on at
 * 127.0.0.1. s3rver hands such an error to an 'error' event nobody listens to, which would end the
 * process instead of failing the start.
 */
async function checkPortFree(port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}
