import type { Logger } from 'pino';
import type { ObjectStore } from '../../services/aws/object-store.js';
import type { Database } from '../../services/db/database.js';
import type { ContainerEngine } from '../../services/docker/container-engine.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { Config } from '../config.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import type { SecretService } from '../secrets/secret-service.js';
import type { Signals } from '../signals.js';
import type { Tracing } from '../../services/telemetry/tracing.js';

/** What every role of a process is built from: made once by the composition root (service.ts). */
export interface SharedParts {
  config: Config;
  /** This installation's identity (src/fleet/installation.ts). */
  installationId: string;
  logger: Logger;
  db: Database;
  store: ObjectStore;
  engine: ContainerEngine;
  signals: Signals;
  metrics: ServiceMetrics;
  /** OpenTelemetry traces of runs' stages and API requests (off unless configured). */
  tracing: Tracing;
  /** Users' secrets: opened for a run's container, and for masking its logs. */
  secrets: SecretService;
  /** The audit log of operator and owner actions, written in the transaction of each change. */
  audit: AuditTrail;
}
