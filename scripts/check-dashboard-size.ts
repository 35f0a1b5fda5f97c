import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * The dashboard's size budget (stated in docs/dashboard.md), gzipped: what every page loads (the
 * files index.html names) must stay under FIRST_LOAD_KB, and each file loaded only when needed
 * (the graph layout's worker, a page such as the definition editor) under ON_DEMAND_KB. Run after
 * `vite build`; fails the build when over.
 */
const FIRST_LOAD_KB = 80;
const ON_DEMAND_KB = 40;
const dist = path.join(import.meta.dirname, '..', 'dashboard', 'dist');
const dir = path.join(dist, 'assets');
const index = await readFile(path.join(dist, 'index.html'), 'utf8');
const firstLoad = new Set([...index.matchAll(/\/assets\/([^"'\s>]+)/g)].map((match) => match[1]));
let first = 0;
const problems: string[] = [];
const onDemand: string[] = [];
for (const name of (await readdir(dir)).sort()) {
  if (!/\.(?:js|css)$/.test(name)) continue;
  const kb = gzipSync(await readFile(path.join(dir, name)), { level: 9 }).length / 1024;
  if (firstLoad.has(name)) {
    first += kb;
    continue;
  }
  onDemand.push(`${name} ${kb.toFixed(1)} KB`);
  if (kb > ON_DEMAND_KB)
    problems.push(
      `${name}, loaded when needed, is ${kb.toFixed(1)} KB, over its budget of ${ON_DEMAND_KB} KB`,
    );
}
if (first > FIRST_LOAD_KB)
  problems.push(`what every page loads is ${first.toFixed(1)} KB, over its budget of ${FIRST_LOAD_KB} KB`);
if (problems.length > 0) {
  for (const problem of problems) console.error(`dashboard: ${problem} (JS and CSS, gzipped)`);
  process.exit(1);
}
console.log(
  `dashboard: ${first.toFixed(1)} KB loaded by every page (budget ${FIRST_LOAD_KB} KB); when needed: ${onDemand.join(', ')} (budget ${ON_DEMAND_KB} KB each); JS and CSS gzipped`,
);
