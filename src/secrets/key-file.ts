import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
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
 * again at every start. Made with `wx`, so two processes starting on one data folder at once end
 * up with the same key: the second finds the first's file.
 */
export async function loadOrCreateKeyFile(dataDir: string): Promise<Buffer> {
  const file = keyFilePath(dataDir);
  await mkdir(dataDir, { recursive: true });
  try {
    await writeFile(file, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = parseSecretsKey(await readFile(file, 'utf8'));
  if (typeof key === 'string') {
    throw new StartupError(
      `the secrets key file ${file} is damaged: it ${key}. Restore it from a backup (secrets sealed with the lost key cannot be read again), or set TDS_SECRETS_KEY`,
    );
  }
  return key;
}
