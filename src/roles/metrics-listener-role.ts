import http from 'node:http';
import { startStop, type StartStop } from '../start-stop.js';
import { portTaken } from '../startup-error.js';
import type { SharedParts } from './shared-parts.js';

export interface MetricsListener extends StartStop {
  /** Where /metrics is served, once started. */
  readonly url: string | undefined;
}

/**
 * Prometheus metrics on a listener of their own (TDS_METRICS_PORT, on HOST): GET /metrics with no
 * key, for a scraper inside the network; nothing else is served there.
 */
export function createMetricsListenerRole(
  { config, logger, metrics }: SharedParts,
  port: number,
): MetricsListener {
  let server: http.Server | undefined;
  let url: string | undefined;
  const lifecycle = startStop({
    async start() {
      const created = http.createServer((request, response) => {
        if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== '/metrics') {
          response.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics is served here\n');
          return;
        }
        metrics.registry.metrics().then(
          (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
          (error: unknown) => {
            logger.warn({ err: error }, 'could not gather the metrics');
            response
              .writeHead(503, { 'content-type': 'text/plain' })
              .end('the metrics could not be gathered\n');
          },
        );
      });
      await new Promise<void>((resolve, reject) => {
        created.once('error', reject);
        created.listen(port, config.host, () => resolve());
      }).catch((error: unknown) => {
        throw portTaken(error, 'The metrics listener', `${config.host}:${port}`, 'TDS_METRICS_PORT');
      });
      const address = created.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      server = created;
      url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${bound}/metrics`;
    },
    async stop() {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server?.closeAllConnections();
      server = undefined;
      url = undefined;
    },
  });
  return {
    ...lifecycle,
    get url() {
      return url;
    },
  };
}
