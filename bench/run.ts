/**
 * Runs the benchmarks and prints their figures. With no names, runs every one and writes the
 * figures to bench/RESULTS.md with the machine and the date, replacing the run recorded there; with
 * names, runs those and records nothing, unless `--record` is given: then each one's section in
 * bench/RESULTS.md is replaced by its new figures, marked with their own date and machine. Other
 * arguments after the names go to each benchmark (e.g. `--mib 64` for streaming).
 *
 *   npm run bench                                  every benchmark, recorded
 *   npm run bench -- dispatch                      one benchmark
 *   npm run bench -- noisy-neighbour --record      one benchmark, its section recorded
 *   npm run bench -- streaming --mib 64            one benchmark, sized down
 */
import { spawnSync } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine } from './support.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const benchmarks = [
  { name: 'dispatch', title: '1. Dispatch overhead (submit → running, submit → results in S3)' },
  { name: 'throughput', title: '2. Throughput (trivial jobs submitted at once)' },
  { name: 'claim-rate', title: '3. Queue claim rate' },
  { name: 'api-load', title: '4. API under load' },
  { name: 'cron-lateness', title: '5. Cron lateness (fire time → queued run)' },
  { name: 'streaming', title: '6. Streaming memory' },
  { name: 'metrics-cost', title: '7. Metrics sampler cost' },
  { name: 'workflows', title: '8. Workflows (step hop, fan-out and reduce, validation)' },
  { name: 'fleet-scale', title: '9. Fleet scale (the same jobs with 1, 2 and 4 workers)' },
  { name: 'fan-out-scale', title: '10. Fan-out scale (an item end at 10,000 items against 100)' },
  { name: 'noisy-neighbour', title: "11. Noisy neighbour (one tenant's attacks against another's latency)" },
  { name: 'tds-startup', title: '12. tds start-up (tds --help)' },
  { name: 'history-scale', title: '13. History scale (1,000,000 runs against 1,000)' },
  { name: 'claim-wake', title: '14. Claim wake (queued → claimed, LISTEN/NOTIFY against polling)' },
];

const args = process.argv.slice(2);
const firstOption = args.findIndex((a) => a.startsWith('-'));
const names = firstOption < 0 ? args : args.slice(0, firstOption);
const options = firstOption < 0 ? [] : args.slice(firstOption);
const recordNamed = options.includes('--record');
const passOn = options.filter((option) => option !== '--record');
const unknown = names.filter((n) => !benchmarks.some((b) => b.name === n));
if (unknown.length > 0) {
  console.error(
    `unknown benchmark ${unknown.join(', ')}; one of: ${benchmarks.map((b) => b.name).join(', ')}`,
  );
  process.exit(2);
}
const chosen = names.length > 0 ? benchmarks.filter((b) => names.includes(b.name)) : benchmarks;
const recording = names.length === 0;
if (recordNamed && (recording || passOn.length > 0)) {
  console.error('--record records named benchmarks at their recorded size: name them, with no other options');
  process.exit(2);
}

const scratch = path.join(os.tmpdir(), `tds-bench-${process.pid}.md`);
const sections: { title: string; text: string }[] = [];
let failed = 0;
const started = Date.now();
for (const { name, title } of chosen) {
  console.log(`\n=== ${title}`);
  await writeFile(scratch, '');
  const result = spawnSync(
    process.execPath,
    ['--no-warnings', '--import', 'tsx', path.join(here, `${name}.ts`), ...passOn],
    { stdio: 'inherit', env: { ...process.env, TDS_BENCH_REPORT: scratch } },
  );
  if (result.status !== 0) failed += 1;
  const figures = await readFile(scratch, 'utf8');
  sections.push({
    title,
    text: `### ${title}\n\n${result.status === 0 ? figures : `failed (exit ${result.status})\n${figures}`}`,
  });
}
await rm(scratch, { force: true });
const minutes = ((Date.now() - started) / 60_000).toFixed(1);
console.log(`\n${chosen.length} benchmark(s) in ${minutes} min${failed ? `, ${failed} failed` : ''}`);

if (recording) {
  // The page holds the newest full run only; git keeps the earlier ones.
  const results = path.join(here, 'RESULTS.md');
  const header =
    '# Benchmark results\n\nThe newest full run of `npm run bench` (see docs/benchmarks.md): the machine, the date and ' +
    'every figure as measured. Earlier runs are in git (`git log -p bench/RESULTS.md`).\n';
  const entry = `\n## ${new Date().toISOString().slice(0, 10)} — ${machine()}\n\nAll ${chosen.length} benchmarks in ${minutes} min.\n\n${sections.map((section) => section.text).join('\n')}`;
  await writeFile(results, `${header}${entry}`);
  console.log(`recorded in ${path.relative(process.cwd(), results)}`);
} else if (recordNamed && failed === 0) {
  const results = path.join(here, 'RESULTS.md');
  let page = await readFile(results, 'utf8');
  for (const { title, text } of sections) {
    const dated = text.replace(
      /^(### .*\n\n)/,
      `$1Measured on its own on ${new Date().toISOString().slice(0, 10)} (${machine()}), after the run above.\n\n`,
    );
    page = replaceSection(page, title, dated);
  }
  await writeFile(results, page);
  console.log(`recorded ${sections.length} section(s) in ${path.relative(process.cwd(), results)}`);
}

/** The page with the section titled `title` (up to the next `###` or `##`) replaced, or added. */
function replaceSection(page: string, title: string, section: string): string {
  const start = page.indexOf(`### ${title}\n`);
  if (start < 0) {
    // A new section goes after the numbered ones, before the notes on the run's missed figures.
    const notes = page.indexOf('### What limits');
    if (notes < 0) return `${page.trimEnd()}\n\n${section.trimEnd()}\n`;
    return `${page.slice(0, notes)}${section.trimEnd()}\n\n${page.slice(notes)}`;
  }
  const rest = page.slice(start + 4);
  const next = rest.search(/^##/m);
  const end = next < 0 ? page.length : start + 4 + next;
  return `${page.slice(0, start)}${section.trimEnd()}\n\n${page.slice(end)}`;
}
process.exit(failed > 0 ? 1 : 0);
