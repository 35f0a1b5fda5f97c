import { once } from 'node:events';
import { Writable } from 'node:stream';
import { describeBytes } from '../sizes.js';

export interface LogReport {
  /** What the command wrote to the stream. */
  bytes: number;
  /** Whether only the first TDS_MAX_LOG_BYTES of it were kept. */
  truncated: boolean;
}

/**
 * A sink passing the first `maxBytes` written to it on to `target`, counting and dropping the
 * rest. When it dropped anything, it ends `target` with a line saying so. Ending it ends `target`.
 */
export function cappedLog(
  target: Writable,
  name: string,
  maxBytes: number,
): { sink: Writable; report: LogReport } {
  const report: LogReport = { bytes: 0, truncated: false };
  let lastByte: number | undefined;
  const pass = async (chunk: Buffer) => {
    if (chunk.length > 0) lastByte = chunk[chunk.length - 1];
    if (!target.write(chunk)) await once(target, 'drain');
  };
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const room = Math.max(0, maxBytes - report.bytes);
      report.bytes += chunk.length;
      if (room === 0) return done();
      pass(chunk.length > room ? chunk.subarray(0, room) : chunk).then(() => done(), done);
    },
    final(done) {
      report.truncated = report.bytes > maxBytes;
      const marker = report.truncated
        ? `${lastByte === 0x0a ? '' : '\n'}[task-deploy-service] ${name} truncated: the command wrote ${describeBytes(report.bytes)}; only the first ${describeBytes(maxBytes)} are kept (TDS_MAX_LOG_BYTES)\n`
        : '';
      target.end(marker, () => done());
    },
  });
  target.on('error', (error) => sink.destroy(error));
  return { sink, report };
}
