import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogFormat } from './config.js';

/**
 * The service's log on its standard output: one JSON object a line for a collector, or a line a
 * person reads (time, level, message, then the fields) when `format` says so, or, with `auto`,
 * when the output is a terminal.
 */
export function createLogger(
  level: string,
  format: LogFormat,
  base: Record<string, unknown>,
  output: NodeJS.WriteStream = process.stdout,
): Logger {
  const readable = format === 'pretty' || (format === 'auto' && output.isTTY === true);
  // pino's own destination for the process's output (asynchronous, the fastest); any other as given.
  if (!readable) return output === process.stdout ? pino({ level, base }) : pino({ level, base }, output);
  return pino(
    { level, base },
    pretty({
      destination: output,
      colorize: output.isTTY === true,
      // Written as it is logged, so a line never comes after the banner it preceded.
      sync: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,service',
      singleLine: true,
    }),
  );
}
