import { loadConfig } from './config.js';

/**
 * The image's HEALTHCHECK: a process serving the API is healthy while its `/healthz` answers 200
 * (liveness: the process and its event loop answer). Whether the database and the Docker engine
 * answer is readiness (`/readyz`), for a load balancer to route by: an engine restarting the
 * container would not bring the database back. A process without the API has nothing to ask; its
 * health is its heartbeat, which `GET /admin/workers` shows, so it is healthy while it runs.
 */
const config = loadConfig();
if (config.roles.includes('api')) {
  const host = ['0.0.0.0', '::', ''].includes(config.host) ? '127.0.0.1' : config.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${config.port}/healthz`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(4000) });
    if (!response.ok) {
      process.stderr.write(`${url} answered ${response.status}: ${await response.text()}\n`);
      process.exit(1);
    }
  } catch (error) {
    process.stderr.write(`${url} did not answer: ${String(error)}\n`);
    process.exit(1);
  }
}
