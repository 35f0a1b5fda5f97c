import { v7 as uuidv7 } from 'uuid';
import type { Database, SqlExecutor } from '../../services/db/database.js';
import type { AuditAction, AuditEntry, AuditTrail } from '../audit/audit-trail.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { EVENT_TYPES, RUN_EVENT_TYPES, WORKFLOW_RUN_EVENT_TYPES } from '../events/outbox.js';
import { checkWebhookUrl } from './address-guard.js';
import { endpointSecret, type SigningKey } from './secrets.js';
import {
  deleteEndpoint,
  disableEndpoint,
  enableEndpoint,
  getEndpoint,
  insertEndpoint,
  insertEndpointWithin,
  listDeliveries,
  listEndpoints,
  moveEndpoint,
  ownEndpoint,
  redeliver,
  rotateSecret,
  turnOffEndpoint,
  type Delivery,
  type EndpointOwner,
  type WebhookEndpoint,
} from './webhook-repository.js';

export type { EndpointOwner };

/** Why a job's or workflow's own endpoint is disabled when an update removes its notify_url. */
export const NOTIFY_URL_REMOVED = 'notify_url removed by an update';

/** Why an endpoint is disabled when its owner turned it off (POST /webhooks/:id/disable). */
export const DISABLED_BY_OWNER = 'disabled by its owner';

/** How long a rotated-out secret keeps signing deliveries, beside the new one. */
export const ROTATION_OVERLAP_SECONDS = 24 * 3600;

export interface NewEndpoint {
  userId: string;
  url: string;
  events: string[];
  description?: string;
}

export interface WebhookService {
  /** Registers an endpoint; its secret is returned here and never again. */
  register(request: NewEndpoint): Promise<{ endpoint: WebhookEndpoint; secret: string }>;
  /** An endpoint for a job's notify_url, receiving that job's run events; with its secret. */
  registerForJob(
    userId: string,
    jobId: string,
    url: string,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }>;
  /** A workflow's own endpoint (its notify_url), told when each of its workflow runs ends. */
  registerForWorkflow(
    userId: string,
    workflowId: string,
    url: string,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }>;
  /**
   * A job's or workflow's own endpoint follows its notify_url as an update changed it, in the
   * update's transaction: a new URL moves the endpoint (same id, same secret; a disabled one is
   * turned back on), a URL where there was no endpoint makes one (answered with its secret, the
   * only time it is shown), and a removed URL disables it (its deliveries kept). Nothing when the
   * URL is the same.
   */
  followNotifyUrl(
    tx: SqlExecutor,
    owner: EndpointOwner & { userId: string },
    before: string | undefined,
    after: string | undefined,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string } | undefined>;
  /** Checks a notify_url as an endpoint's URL is checked (throws ValidationError). */
  checkUrl(url: string, field: string): Promise<void>;
  list(userId: string): Promise<WebhookEndpoint[]>;
  get(id: string): Promise<WebhookEndpoint>;
  remove(id: string): Promise<void>;
  rotate(id: string): Promise<{ endpoint: WebhookEndpoint; secret: string }>;
  enable(id: string): Promise<WebhookEndpoint>;
  /** Turns an endpoint off: nothing is queued for it, its pending deliveries fail; history kept. */
  disable(id: string): Promise<WebhookEndpoint>;
  deliveries(id: string, limit: number): Promise<Delivery[]>;
  redeliver(deliveryId: string): Promise<void>;
}

/** The audit record of a change to an endpoint: never its secret. */
function endpointEntry(
  action: AuditAction,
  endpoint: WebhookEndpoint,
  summary: Record<string, unknown> = {},
): AuditEntry {
  return { action, target: { kind: 'webhook', id: endpoint.id }, ownerId: endpoint.userId, summary };
}

export interface WebhookServiceDeps {
  db: Database;
  /** Endpoints made, changed and deleted are recorded in their transaction. */
  audit: Pick<AuditTrail, 'write'>;
  signingKey: SigningKey;
  allowPrivate: boolean;
  /** Endpoints a user may register (not counting jobs' and workflows' own). */
  endpointsPerUser: number;
}

export function createWebhookService(deps: WebhookServiceDeps): WebhookService {
  const { db } = deps;
  return {
    async checkUrl(url, field) {
      await checkWebhookUrl(url, field, deps.allowPrivate);
    },
    register: (request) => registerEndpoint(deps, request),
    registerForJob: (userId, jobId, url) => registerOwn(deps, db, { kind: 'job', id: jobId, userId }, url),
    registerForWorkflow: (userId, workflowId, url) =>
      registerOwn(deps, db, { kind: 'workflow', id: workflowId, userId }, url),
    followNotifyUrl: (tx, owner, before, after) => followNotifyUrl(deps, tx, owner, before, after),
    list: (userId) => listEndpoints(db, userId),
    get: (id) => foundEndpoint(db, id),

    async remove(id) {
      const endpoint = await foundEndpoint(db, id);
      const deleted = await deps.audit.write(
        db,
        (tx) => deleteEndpoint(tx, id),
        (gone) => (gone ? endpointEntry('webhook.deleted', endpoint, { url: endpoint.url }) : undefined),
      );
      if (!deleted) throw new NotFoundError('webhook', id);
    },

    async rotate(id) {
      const endpoint = await deps.audit.write(
        db,
        (tx) => rotateSecret(tx, id, ROTATION_OVERLAP_SECONDS),
        (rotated) =>
          rotated &&
          endpointEntry('webhook.secret_rotated', rotated, { generation: rotated.secretGeneration }),
      );
      if (!endpoint) throw new NotFoundError('webhook', id);
      return { endpoint, secret: await secretOf(deps, endpoint) };
    },

    async enable(id) {
      const endpoint = await deps.audit.write(
        db,
        (tx) => enableEndpoint(tx, id),
        (enabled) => enabled && endpointEntry('webhook.enabled', enabled),
      );
      if (!endpoint) throw new NotFoundError('webhook', id);
      return endpoint;
    },

    async disable(id) {
      const endpoint = await deps.audit.write(
        db,
        (tx) => turnOffEndpoint(tx, id, DISABLED_BY_OWNER),
        (disabled) => disabled && endpointEntry('webhook.disabled', disabled),
      );
      if (!endpoint) throw new NotFoundError('webhook', id);
      return endpoint;
    },

    async deliveries(id, limit) {
      await foundEndpoint(db, id);
      return listDeliveries(db, id, limit);
    },

    redeliver: (deliveryId) => redeliverOne(deps, deliveryId),
  };
}

async function secretOf(deps: WebhookServiceDeps, endpoint: WebhookEndpoint): Promise<string> {
  const { key } = await deps.signingKey.get();
  return endpointSecret(key, endpoint.id, endpoint.secretGeneration);
}

async function foundEndpoint(db: SqlExecutor, id: string): Promise<WebhookEndpoint> {
  const endpoint = await getEndpoint(db, id);
  if (!endpoint) throw new NotFoundError('webhook', id);
  return endpoint;
}

/**
 * A user's endpoint: its event types known, its URL allowed, within the number a user may
 * register (409 past it).
 */
async function registerEndpoint(
  deps: WebhookServiceDeps,
  { userId, url, events, description }: NewEndpoint,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const unknown = events.filter((e) => !(EVENT_TYPES as readonly string[]).includes(e));
  if (unknown.length > 0) {
    throw new ValidationError(
      `events: unknown event type ${unknown.map((e) => `"${e}"`).join(', ')}; the types are ${EVENT_TYPES.join(', ')}`,
    );
  }
  await checkWebhookUrl(url, 'url', deps.allowPrivate);
  const endpoint = await deps.audit.write(
    deps.db,
    (tx) =>
      insertEndpointWithin(
        tx,
        { id: uuidv7(), userId, url, events: [...new Set(events)], description: description ?? null },
        deps.endpointsPerUser,
      ),
    (made) => made && endpointEntry('webhook.created', made, { url: made.url, events: made.events }),
  );
  if (!endpoint) {
    throw new ConflictError(
      `user "${userId}" already has ${deps.endpointsPerUser} webhook endpoints, the most allowed (TDS_WEBHOOK_ENDPOINTS_PER_USER); delete one (DELETE /webhooks/:id) or add these event types to an existing one`,
    );
  }
  return { endpoint, secret: await secretOf(deps, endpoint) };
}

/**
 * A job's own endpoint receives the run events of that job's runs; a workflow's, the ends of its
 * workflow runs (not their start, nor their steps' runs).
 */
async function registerOwn(
  deps: WebhookServiceDeps,
  executor: SqlExecutor,
  owner: EndpointOwner & { userId: string },
  url: string,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const endpoint = await insertEndpoint(executor, {
    id: uuidv7(),
    userId: owner.userId,
    url,
    ...(owner.kind === 'job'
      ? { events: [...RUN_EVENT_TYPES], jobId: owner.id, description: 'the notify_url of a job' }
      : {
          events: WORKFLOW_RUN_EVENT_TYPES.filter((type) => type !== 'workflow_run.started'),
          workflowId: owner.id,
          description: 'the notify_url of a workflow',
        }),
  });
  return { endpoint, secret: await secretOf(deps, endpoint) };
}

/** A job's or workflow's own endpoint follows its notify_url: made, moved, or disabled when removed. */
async function followNotifyUrl(
  deps: WebhookServiceDeps,
  tx: SqlExecutor,
  owner: EndpointOwner & { userId: string },
  before: string | undefined,
  after: string | undefined,
): Promise<{ endpoint: WebhookEndpoint; secret: string } | undefined> {
  if (before === after) return undefined;
  const own = await ownEndpoint(tx, owner);
  if (after === undefined) {
    if (own) await disableEndpoint(tx, own.id, NOTIFY_URL_REMOVED);
    return undefined;
  }
  if (!own) return registerOwn(deps, tx, owner, after);
  await moveEndpoint(tx, own.id, after);
  return undefined;
}

/** A delivery sent again, recorded against its endpoint. */
async function redeliverOne({ db, audit }: WebhookServiceDeps, deliveryId: string): Promise<void> {
  const [row] = await db.query<{ endpoint_id: string }>(
    'SELECT endpoint_id FROM webhook_deliveries WHERE id = $1::uuid',
    [deliveryId],
  );
  const endpoint = row && (await getEndpoint(db, row.endpoint_id));
  const queued =
    endpoint &&
    (await audit.write(
      db,
      (tx) => redeliver(tx, endpoint.id, deliveryId),
      (again) => (again ? endpointEntry('webhook.redelivered', endpoint, { deliveryId }) : undefined),
    ));
  if (!queued) throw new NotFoundError('webhook delivery', deliveryId);
}
