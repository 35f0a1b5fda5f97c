import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * The dashboard's size budget: all its JavaScript and CSS, gzipped, must stay under BUDGET_KB
 * (stated in docs/dashboard.md). Run after `vite build`; fails the build when over.
 */
const BUDGET_KB = 90;
const dir = path.join(import.meta.dirname, '..', 'dashboard', 'dist', 'assets');
let total = 0;
for (const name of await readdir(dir)) {
  if (!/\.(?:js|css)$/.test(name)) continue;
  total += gzipSync(await readFile(path.join(dir, name)), { level: 9 }).length;
}
const kb = total / 1024;
if (kb > BUDGET_KB) {
  console.error(`dashboard: ${kb.toFixed(1)} KB of JS and CSS gzipped, over its budget of ${BUDGET_KB} KB`);
  process.exit(1);
}
console.log(`dashboard: ${kb.toFixed(1)} KB of JS and CSS gzipped (budget ${BUDGET_KB} KB)`);
