import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedS3 } from '../../services/embedded/embedded-s3.js';
import { freePort } from './free-port.js';

export interface OwnS3 {
  endpoint: string;
  /** Stops the server: requests to it are refused (ECONNREFUSED), as when S3 is down. */
  stop(): Promise<void>;
  /** Starts it again on the same port, over the same folder: what it held is there again. */
  restart(): Promise<void>;
  /** Stops it and removes its folder. */
  close(): Promise<void>;
}

/** An S3-compatible server of a test's own (the suite's is shared), to stop and start again. */
export async function startOwnS3(): Promise<OwnS3> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tds-s3-fault-'));
  const port = await freePort();
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  let server: Awaited<ReturnType<typeof startEmbeddedS3>> | undefined = await startEmbeddedS3(
    dir,
    port,
    credentials,
  );
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      await server?.stop();
      server = undefined;
    },
    async restart() {
      server = await startEmbeddedS3(dir, port, credentials);
    },
    async close() {
      await server?.stop().catch(() => undefined);
      server = undefined;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
