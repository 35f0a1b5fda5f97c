import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StartupError } from '../startup-error.js';
import { KEY_BYTES, parseSecretsKey } from './secret-box.js';

/** The file the embedded defaults keep the secrets key in, beside the data it protects. */
export function keyFilePath(dataDir: string): string {
  return path.join(dataDir, 'secrets.key');
}

/**
 * The secrets key of the zero-config default (TDS_SECRETS_KEY unset, the embedded database): made
 * once, 32 random bytes as base64, readable by the service's user alone (mode 0600), and read
 * again at every start. Written whole to a file of its own, then linked to its name (which fails
 * when the name is taken), so two processes starting on one data folder at once end up with the
 * same key, and neither ever reads a half-written one.
 */
export async function loadOrCreateKeyFile(dataDir: string): Promise<Buffer> {
  const file = keyFilePath(dataDir);
  await mkdir(dataDir, { recursive: true });
  const draft = `${file}.${process.pid}.${randomBytes(6).toString('hex')}`;
  try {
    await writeFile(draft, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
    await link(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(draft, { force: true });
  }
  const key = parseSecretsKey(await readFile(file, 'utf8'));
  if (typeof key === 'string') {
    throw new StartupError(
      `the secrets key file ${file} is damaged: it ${key}. Restore it from a backup (secrets sealed with the lost key cannot be read again), or set TDS_SECRETS_KEY`,
    );
  }
  return key;
}
