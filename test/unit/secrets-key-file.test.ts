import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { keyFilePath, loadOrCreateKeyFile } from '../../src/secrets/key-file.js';
import { StartupError } from '../../src/startup-error.js';

describe('the secrets key of the embedded defaults', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is made once, readable by its owner only, and read again at every start', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tds-key-'));
    const data = path.join(dir, 'data');
    const first = await loadOrCreateKeyFile(data);
    expect(first.length).toBe(32);
    expect((await stat(keyFilePath(data))).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateKeyFile(data)).toEqual(first);
    // Two starts at once on one data folder end up with one key.
    const [a, b] = await Promise.all([
      loadOrCreateKeyFile(path.join(dir, 'other')),
      loadOrCreateKeyFile(path.join(dir, 'other')),
    ]);
    expect(a).toEqual(b);
  });

  it('stops the start with what to do when the file is damaged', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tds-key-'));
    await writeFile(keyFilePath(dir), 'not a key\n', { mode: 0o600 });
    const error = await loadOrCreateKeyFile(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as Error).message).toContain('TDS_SECRETS_KEY');
    expect((error as Error).message).not.toContain('not a key');
  });
});
