/** Rewrites the settings tables of docs/configuration.md from src/config.ts (`npm run docs:config`). */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withSettingsTables } from './configuration-doc.js';

const page = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'configuration.md');
const before = await readFile(page, 'utf8');
const after = await withSettingsTables(before, page);
if (after === before) {
  console.log(`${path.relative(process.cwd(), page)} is up to date`);
} else {
  await writeFile(page, after);
  console.log(`wrote ${path.relative(process.cwd(), page)}`);
}
