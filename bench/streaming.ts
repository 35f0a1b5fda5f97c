/**
 * Streaming: a job with a 1 GiB input in S3 whose command writes a 1 GiB output passes through
 * the service, whose peak memory (VmHWM of its process) is read when the run has ended.
 *
 *   npx node --import tsx bench/streaming.ts [--mib 1024]
 */
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { startServiceProcess, startStack } from './stack.js';
import { machine, note, record, verdict } from './support.js';
import { submit, waitForRun } from './trivial-job.js';

const { values } = parseArgs({ options: { mib: { type: 'string', default: '1024' } } });
const mib = Number(values.mib);
const bytes = mib * 1024 * 1024;

/** `size` bytes of a repeating pattern, made as they are read. */
function generated(size: number): Readable {
  const chunk = Buffer.alloc(1024 * 1024, 'tds-bench ');
  let left = size;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= piece.length;
      this.push(piece);
    },
  });
}

async function peakMiB(pid: number): Promise<{ peak: number; now: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string) =>
    Number(/(?<!\d)(\d+) kB/.exec(status.split('\n').find((l) => l.startsWith(name))!)![1]);
  return { peak: kib('VmHWM:') / 1024, now: kib('VmRSS:') / 1024 };
}

console.log(`streaming — ${machine()}`);
const stack = await startStack();
const service = await startServiceProcess(stack);
try {
  await stack.createBucket('tds-bench');
  console.log(`putting a ${mib} MiB input in S3...`);
  await new Upload({
    client: stack.s3,
    params: { Bucket: 'tds-bench', Key: 'big/input.bin', Body: generated(bytes) },
    partSize: 16 * 1024 * 1024,
  }).done();
  const idle = await peakMiB(service.pid);
  console.log(`service idle: ${idle.now.toFixed(0)} MiB resident; running the job...`);
  const started = Date.now();
  const runId = await submit(service.apiUrl, {
    userId: 'bench',
    uniqueId: `streaming-${Date.now()}`,
    s3_bucket: 'tds-bench',
    source_s3_prefix: 'big/',
    destination_s3_prefix: 'out/',
    command: `wc -c < input/input.bin && head -c ${bytes} /dev/zero > output/output.bin`,
    linux_dependencies: [],
  });
  const run = await waitForRun(service.apiUrl, runId, 500);
  const seconds = (Date.now() - started) / 1000;
  const memory = await peakMiB(service.pid);
  if (run.state !== 'succeeded') throw new Error(`the streaming run ended ${run.state}`);
  const { prefix } = await runResults(runId);
  const head = await stack.s3.send(
    new HeadObjectCommand({ Bucket: 'tds-bench', Key: `${prefix}output/output.bin` }),
  );
  if (head.ContentLength !== bytes)
    throw new Error(`the output in S3 has ${head.ContentLength} bytes, not ${bytes}`);
  await record(
    `${mib} MiB input and ${mib} MiB output through one run in ${seconds.toFixed(0)} s: service peak memory ` +
      `${memory.peak.toFixed(0)} MiB (VmHWM; ${idle.now.toFixed(0)} MiB resident when idle) ` +
      `(target < 150 MiB: ${verdict(memory.peak < 150)})`,
  );
  await note(
    'The service runs as `npm start` does, all roles, in its own process; the input is put in the ' +
      "benchmark's S3 server beforehand; the command reads the input and writes the output under " +
      "/job/output; the output's size in S3 is checked. Peak memory is the process's high-water mark " +
      'of resident memory over its whole life, start-up included.',
  );
} finally {
  await service.stop();
  await stack.close();
}

async function runResults(runId: string): Promise<{ prefix: string }> {
  const response = await fetch(`${service.apiUrl}/runs/${runId}`);
  const body = (await response.json()) as { results: { prefix: string } };
  return body.results;
}
