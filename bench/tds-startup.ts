/**
 * tds start-up: the wall time of `tds --help` (bin/tds.js on this Node.js, its TypeScript run by
 * type stripping, the compile cache warm), against the floor of the same Node.js starting and
 * exiting (`node -e 0`), run in turn so that both see the same machine; and the CPU time of each,
 * which the machine's load does not change. Goal: median wall < 150 ms.
 *
 *   npx node --import tsx bench/tds-startup.ts [--runs 30]
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { machine, ms, note, percentile, ratio, record, verdict } from './support.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '30' } } });
const runs = Number(values.runs);
const tds = path.resolve(import.meta.dirname, '..', 'bin', 'tds.js');

/** Wall milliseconds of one run of this Node.js with `args`; fails on a non-zero exit. */
function wall(args: string[]): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const took = performance.now() - started;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return took;
}

console.log(`tds start-up — ${machine()}`);
wall([tds, '--help']); // fills the compile cache, as any first run does
const help: number[] = [];
const floor: number[] = [];
const load = os.loadavg()[0]!;
for (let i = 0; i < runs; i += 1) {
  help.push(wall([tds, '--help']));
  floor.push(wall(['-e', '0']));
}
const [median, floorMedian] = [percentile(help, 50), percentile(floor, 50)];

/** Mean CPU milliseconds (user + system) of `args` run `runs` times, from bash's `times`: the load does not count. */
function cpu(args: string[]): number {
  const script = `for i in $(seq ${runs}); do "$@" >/dev/null 2>&1; done; times`;
  const out = spawnSync('bash', ['-c', script, 'bash', process.execPath, ...args], {
    encoding: 'utf8',
  }).stdout;
  // The second line of `times`: the children's user and system time, as "0m1.234s 0m0.567s".
  const seconds = [...(out.split('\n')[1] ?? '').matchAll(/\b(\d+)m(\d+\.\d+)s/g)].map(
    ([, m, s]) => Number(m) * 60 + Number(s),
  );
  return ((seconds[0]! + seconds[1]!) / runs) * 1000;
}
const [helpCpu, floorCpu] = [cpu([tds, '--help']), cpu(['-e', '0'])];
await record(
  `tds --help: median ${ms(median)} wall, min ${ms(Math.min(...help))}, max ${ms(Math.max(...help))}, ${runs} runs ` +
    `(goal < 150 ms: ${verdict(median < 150)})`,
  `node -e 0 (the floor): median ${ms(floorMedian)}; tds --help ${ratio(median, floorMedian)} of it`,
  `CPU (user + system) a run: tds --help ${ms(helpCpu)}, node -e 0 ${ms(floorCpu)} (mean of ${runs}; the load does not count)`,
  `load average when it started: ${load.toFixed(1)} on ${os.cpus().length} cores`,
);
await note(
  'Each run is a new process of the Node.js running the benchmark (`npm run bench`: the one package-lock.json pins), ' +
    'its output read and dropped. Wall time counts whatever else the machine runs: read it with the load average and ' +
    'against the floor beside it.',
);
