/**
 * Metrics sampler cost: CPU the sampler (src/runner/template/metrics.sh) uses per container at a
 * 1 s interval, from the container's own cgroup CPU counter, against the same container running
 * only `sleep` (no sampler), both side by side over the same period.
 *
 *   npx node --import tsx bench/metrics-cost.ts [--seconds 60] [--interval 1]
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';
import { TEMPLATE_DIR } from '../src/runner/image-builder.js';
import { BASE_IMAGE } from './stack.js';
import { machine, note, record, verdict } from './support.js';

const run = promisify(execFile);
const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '60' }, interval: { type: 'string', default: '1' } },
});
const seconds = Number(values.seconds);
const interval = values.interval!;

/** Reads the container's CPU counter in ns (cgroup v1 cpuacct, or v2 cpu.stat), at start and end. */
const cpuNs = `if [ -r /sys/fs/cgroup/cpuacct/cpuacct.usage ]; then cat /sys/fs/cgroup/cpuacct/cpuacct.usage; \
else echo $(( $(sed -n 's/^usage_usec //p' /sys/fs/cgroup/cpu.stat) * 1000 )); fi`;

async function measure(withSampler: boolean): Promise<number> {
  const script = [
    `a=$(${cpuNs}); t0=$(cut -d' ' -f1 /proc/uptime)`,
    withSampler ? `sh /metrics.sh /tmp/metrics.csv ${interval} & s=$!` : ':',
    `sleep ${seconds}`,
    withSampler ? 'kill $s; wait $s' : ':',
    `b=$(${cpuNs}); t1=$(cut -d' ' -f1 /proc/uptime)`,
    'echo "$a $b $t0 $t1"',
  ].join('; ');
  const { stdout } = await run('docker', [
    'run',
    '--rm',
    '-v',
    `${path.join(TEMPLATE_DIR, 'metrics.sh')}:/metrics.sh:ro`,
    BASE_IMAGE,
    'sh',
    '-c',
    script,
  ]);
  const [a, b, t0, t1] = stdout.trim().split(' ').map(Number);
  return (b! - a!) / 1e9 / (t1! - t0!);
}

console.log(`metrics sampler cost — ${machine()}`);
console.log(`two containers for ${seconds} s, one sampling every ${interval} s...`);
const [withSampler, without] = await Promise.all([measure(true), measure(false)]);
const cost = (withSampler - without) * 100;
await record(
  `sampler at a ${interval} s interval: ${cost.toFixed(3)}% of one core ` +
    `(container with it ${(withSampler * 100).toFixed(3)}%, same container without it ${(without * 100).toFixed(3)}%) ` +
    `(target < 1%: ${verdict(cost < 1)})`,
);
await note(
  `Each container reads its cgroup's CPU counter, sleeps ${seconds} s (one of them with metrics.sh sampling to a ` +
    'file in the background, as a job container does) and reads it again; the cost is the difference ' +
    'between the two, over elapsed time, in percent of one core.',
);
