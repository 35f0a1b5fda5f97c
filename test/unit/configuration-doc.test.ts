import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { SETTINGS } from '../../src/config.js';
import { withSettingsTables } from '../../scripts/configuration-doc.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

async function sourceFiles(folder: string): Promise<string[]> {
  const entries = await readdir(path.join(root, folder), { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)));
}

/** `env.NAME`, `env['NAME']`, `process.env.NAME` and the like: each variable a source reads by name. */
const NAMED_READ = /\benv(?:\.([A-Z][A-Z0-9_]*)\b|\[\s*['"`]([A-Z][A-Z0-9_]*)['"`]\s*\])/g;

const namesRead = (text: string) => [...text.matchAll(NAMED_READ)].map((match) => (match[1] ?? match[2])!);

describe('docs/configuration.md', () => {
  it('holds the settings tables as npm run docs:config writes them from src/config.ts', async () => {
    const page = path.join(root, 'docs', 'configuration.md');
    const committed = await readFile(page, 'utf8');
    const written = await withSettingsTables(committed, page);
    expect(committed, 'docs/configuration.md is out of date: run npm run docs:config').toBe(written);
    for (const name of Object.keys(SETTINGS)) expect(committed).toContain(`| \`${name}\``);
  });

  it('lists every environment variable read under src/ and services/', async () => {
    expect(namesRead('process.env.TDS_A; env[\'TDS_B\']; env["C"]; config.env.x; spec.env[name]')).toEqual([
      'TDS_A',
      'TDS_B',
      'C',
    ]);
    const files = [...(await sourceFiles('src')), ...(await sourceFiles('services'))];
    const unlisted: string[] = [];
    const processEnvOutsideConfig: string[] = [];
    for (const file of files) {
      const text = await readFile(path.join(root, file), 'utf8');
      if (file !== path.join('src', 'config.ts') && text.includes('process.env')) {
        processEnvOutsideConfig.push(file);
      }
      for (const name of namesRead(text)) {
        if (!(name in SETTINGS)) unlisted.push(`${file}: ${name}`);
      }
    }
    expect(unlisted, 'variables read but missing from SETTINGS in src/config.ts').toEqual([]);
    expect(
      processEnvOutsideConfig,
      'only src/config.ts reads the environment: add a setting there and pass it in',
    ).toEqual([]);
  });
});
