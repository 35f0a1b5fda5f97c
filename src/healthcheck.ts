import { loadConfig } from './config.js';
import { livenessMaxAgeMs, livenessProblem } from './worker/liveness.js';

/**
 * The image's HEALTHCHECK. A process serving the API is healthy while its `/healthz` answers 200
 * (liveness: the process and its event loop answer). A worker is healthy while its claim loop
 * passes: its liveness mark in the data folder is fresh (src/worker/liveness.ts). Whether the
 * database and the Docker engine answer is readiness (`/readyz`, a worker's heartbeat in
 * `GET /admin/workers`), not liveness: an engine restarting the container would not bring the
 * database back. A scheduler alone has nothing more to ask: it is healthy while it runs.
 */
const config = loadConfig();
const problems: string[] = [];
if (config.roles.includes('api')) {
  const host = ['0.0.0.0', '::', ''].includes(config.host) ? '127.0.0.1' : config.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${config.port}/healthz`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(4000) });
    if (!response.ok) problems.push(`${url} answered ${response.status}: ${await response.text()}`);
  } catch (error) {
    problems.push(`${url} did not answer: ${String(error)}`);
  }
}
if (config.roles.includes('worker')) {
  const problem = await livenessProblem(config.dataDir, livenessMaxAgeMs(config.pollIntervalMs));
  if (problem) problems.push(problem);
}
if (problems.length > 0) {
  process.stderr.write(`${problems.join('\n')}\n`);
  process.exit(1);
}
