/**
 * The trivial job of the dispatch and throughput benchmarks, set up the same way for the service
 * and for the hand-run baseline: one small input in S3, a command that prints a line and writes
 * one output file, and a package list whose image is built once, before anything is timed.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Database } from '../services/db/database.js';
import { DEFAULT_JOB_USER } from '../src/config.js';
import { packageImageTag } from '../src/runner/image-builder.js';
import {
  TERMINAL_STATES,
  UNFINISHED_STATES,
  isTerminal,
  sqlState,
  sqlStates,
  type RunState,
} from '../src/runs/run-states.js';
import { handRun, type HandRunJob } from './hand-run.js';
import { api, BASE_IMAGE, type BenchStack } from './stack.js';
import { execFileSync } from 'node:child_process';

export const BUCKET = 'tds-bench';
export const COMMAND = 'mkdir -p output && echo hello && echo 42 > output/result.txt';

export interface TrivialJob {
  /** The body to POST for the service, with a fresh uniqueId each time. */
  body(uniqueId: string): Record<string, unknown>;
  /** The same job for the hand-run baseline. */
  hand: HandRunJob;
}

export interface RunTimings {
  state: string;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** Polls GET /runs/:id until the run has ended. */
export async function waitForRun(apiUrl: string, runId: string, pollMs = 20): Promise<RunTimings> {
  for (;;) {
    const { body } = await api<{ state: RunState; timings: RunTimings }>(apiUrl, 'GET', `/runs/${runId}`);
    if (isTerminal(body.state)) return { ...body.timings, state: body.state };
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

export async function submit(apiUrl: string, body: Record<string, unknown>): Promise<string> {
  const response = await api<{ run: { id: string } }>(apiUrl, 'POST', '/jobs', body);
  if (response.status !== 202) throw new Error(`POST /jobs answered ${response.status}`);
  return response.body.run.id;
}

/** Puts the input in place and warms the package image through the service (not timed). */
export async function prepareTrivialJob(
  stack: BenchStack,
  apiUrl: string,
  packages: string[],
): Promise<TrivialJob> {
  await stack.createBucket(BUCKET).catch(() => undefined);
  await stack.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'in/data.txt', Body: 'a,b\n1,2\n3,4\n' }));
  const body = (uniqueId: string) => ({
    userId: 'bench',
    uniqueId,
    s3_bucket: BUCKET,
    source_s3_prefix: 'in/',
    destination_s3_prefix: 'out/',
    command: COMMAND,
    linux_dependencies: packages,
  });
  console.log(`warming the package image (${packages.join(' ') || 'no packages'})...`);
  const warm = await waitForRun(apiUrl, await submit(apiUrl, body(`warm-${Date.now()}`)), 200);
  if (warm.state !== 'succeeded') throw new Error(`the warm-up job ended ${warm.state}`);
  const baseId = execFileSync('docker', ['image', 'inspect', '--format', '{{.Id}}', BASE_IMAGE], {
    encoding: 'utf8',
  }).trim();
  // The service's cached package image (the base image with the packages and its runtime files).
  const fromImage = await packageImageTag(baseId, packages, DEFAULT_JOB_USER);
  const hand: HandRunJob = {
    bucket: BUCKET,
    sourcePrefix: 'in/',
    destinationPrefix: 'hand/',
    command: COMMAND,
    fromImage,
  };
  await handRun(stack.s3, hand, `warm-${Date.now()}`);
  return { body, hand };
}

/** Ended runs of the bench's jobs with the given uniqueId prefix, and when the last one finished. */
export async function endedRuns(db: Database, prefix: string): Promise<{ ended: number; lastMs: number }> {
  const [row] = await db.query<{ ended: number; last: Date | null }>(
    `SELECT count(*)::int AS ended, max(r.finished_at) AS last FROM runs r JOIN jobs j ON j.id = r.job_id
     WHERE j.unique_id LIKE $1 AND r.state IN ${sqlStates(TERMINAL_STATES)}`,
    [`${prefix}%`],
  );
  return { ended: row!.ended, lastMs: row!.last?.getTime() ?? NaN };
}

/** Median time runs spent in each state (from their recorded history), as "staging 12 ms, ...". */
export async function phaseBreakdown(db: Database, prefix: string): Promise<string> {
  const rows = await db.query<{ state: string; ms: number }>(
    `WITH events AS (
       SELECT e.state, e.at, lead(e.at) OVER (PARTITION BY e.run_id ORDER BY e.id) AS next_at
       FROM run_events e JOIN runs r ON r.id = e.run_id JOIN jobs j ON j.id = r.job_id
       WHERE j.unique_id LIKE $1)
     SELECT state, (percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM next_at - at)) * 1000)::float8 AS ms
     FROM events WHERE next_at IS NOT NULL GROUP BY state
     ORDER BY array_position(ARRAY[${UNFINISHED_STATES.map(sqlState).join(', ')}], state)`,
    [`${prefix}%`],
  );
  return rows.map((r) => `${r.state} ${r.ms.toFixed(0)} ms`).join(', ');
}
