/**
 * Runs every benchmark and records its figures in bench/RESULTS.md with the machine and date.
 * Each benchmark also runs on its own: `npx tsx bench/<name>.ts`.
 */
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine } from './support.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const benchmarks = [{ name: 'cron-lateness', title: 'Cron lateness (fire time → queued run)' }];

const scratch = path.join(os.tmpdir(), `tds-bench-${process.pid}.md`);
await writeFile(scratch, '');
const sections: string[] = [];
for (const { name, title } of benchmarks) {
  console.log(`\n=== ${title}`);
  await writeFile(scratch, '');
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, `${name}.ts`)], {
    stdio: 'inherit',
    env: { ...process.env, TDS_BENCH_REPORT: scratch },
  });
  const figures = await readFile(scratch, 'utf8');
  sections.push(`### ${title}\n\n${result.status === 0 ? figures : `failed (exit ${result.status})\n`}`);
}

const results = path.join(here, 'RESULTS.md');
const header =
  '# Benchmark results\n\nNewest first. Each run records the machine, the date and every figure as measured.\n';
let previous = '';
try {
  previous = (await readFile(results, 'utf8')).replace(header, '');
} catch {
  // first run
}
const entry = `\n## ${new Date().toISOString().slice(0, 10)} — ${machine()}\n\n${sections.join('\n')}`;
await writeFile(results, `${header}${entry}${previous}`);
console.log(`\nrecorded in ${path.relative(process.cwd(), results)}`);
