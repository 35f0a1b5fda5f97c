import { execFileSync } from 'node:child_process';
import { appendFile, chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import type { Database } from '../services/db/database.js';
import { migrate } from '../services/db/migrate.js';
import { createPgDatabase } from '../services/db/pg-database.js';
import { startEmbeddedPostgres } from '../services/embedded/embedded-postgres.js';
import { freePort } from '../test/support/free-port.js';

export interface BenchDatabase {
  db: Database;
  url: string;
  logger: Logger;
  close(): Promise<void>;
}

/** A fresh, migrated embedded Postgres for one benchmark, with `settings` (`name=value`). */
export async function benchDatabase(settings: string[] = []): Promise<BenchDatabase> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tds-bench-'));
  await chmod(dir, 0o755);
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
  const postgres = await startEmbeddedPostgres(
    path.join(dir, 'postgres'),
    await freePort(),
    logger,
    settings,
  );
  const db = createPgDatabase(postgres.url, logger, { poolSize: 20 });
  await migrate(db);
  return {
    db,
    url: postgres.url,
    logger,
    async close() {
      await db.close();
      await postgres.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarise(values: number[]): Summary {
  return {
    n: values.length,
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    max: Math.max(...values),
  };
}

export const ms = (value: number) => `${value.toFixed(1)} ms`;

function dockerVersion(): string {
  try {
    return execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    return 'unknown';
  }
}

/** Cores, memory, kernel, Node and Docker versions of this machine. */
export function machine(): string {
  return (
    `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
    `Linux ${os.release()}, Node ${process.version}, Docker ${dockerVersion()}`
  );
}

/** `measured / baseline`, as printed: "1.07×". */
export const ratio = (measured: number, baseline: number) => `${(measured / baseline).toFixed(2)}×`;

export const verdict = (met: boolean) => (met ? 'met' : 'MISSED');

/**
 * Prints figures and, when run from bench/run.ts, hands them over for bench/RESULTS.md.
 * Each line is one figure as measured.
 */
export async function record(...lines: string[]): Promise<void> {
  for (const line of lines) console.log(line);
  if (process.env.TDS_BENCH_REPORT) {
    await appendFile(process.env.TDS_BENCH_REPORT, lines.map((line) => `- ${line}\n`).join(''));
  }
}

/** Notes (what a baseline does, what limits a figure) recorded under a benchmark's figures. */
export async function note(text: string): Promise<void> {
  console.log(text);
  if (process.env.TDS_BENCH_REPORT) await appendFile(process.env.TDS_BENCH_REPORT, `\n${text}\n`);
}
