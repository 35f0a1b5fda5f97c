import type { SqlExecutor } from '../../services/db/database.js';

/** The statements of webhook endpoints and their deliveries (the sender's are in delivery-queue.ts). */

export interface WebhookEndpoint {
  id: string;
  userId: string;
  url: string;
  events: string[];
  /** Set for a job's notify_url: only that job's runs are sent. */
  jobId: string | null;
  /** Set for a workflow's notify_url: only that workflow's workflow runs are sent. */
  workflowId: string | null;
  description: string | null;
  secretGeneration: number;
  /** The previous secret still signs until then (a rotation's overlap). */
  previousValidUntil: Date | null;
  disabledAt: Date | null;
  disabledReason: string | null;
  createdAt: Date;
}

type Row = Record<string, unknown>;

const ENDPOINT_COLUMNS = `id, user_id, url, event_types, job_id, workflow_id, description, secret_generation,
  previous_valid_until, disabled_at, disabled_reason, created_at`;

function toEndpoint(row: Row): WebhookEndpoint {
  return {
    id: row.id as string,
    userId: row.user_id as string,
    url: row.url as string,
    events: row.event_types as string[],
    jobId: (row.job_id as string | null) ?? null,
    workflowId: (row.workflow_id as string | null) ?? null,
    description: (row.description as string | null) ?? null,
    secretGeneration: Number(row.secret_generation),
    previousValidUntil: (row.previous_valid_until as Date | null) ?? null,
    disabledAt: (row.disabled_at as Date | null) ?? null,
    disabledReason: (row.disabled_reason as string | null) ?? null,
    createdAt: row.created_at as Date,
  };
}

export async function insertEndpoint(
  db: SqlExecutor,
  endpoint: Pick<WebhookEndpoint, 'id' | 'userId' | 'url' | 'events' | 'description'> &
    Partial<Pick<WebhookEndpoint, 'jobId' | 'workflowId'>>,
): Promise<WebhookEndpoint> {
  const [row] = await db.query(
    `INSERT INTO webhook_endpoints (id, user_id, url, event_types, job_id, workflow_id, description)
     VALUES ($1::uuid, $2, $3, $4::text[], $5::uuid, $6::uuid, $7)
     RETURNING ${ENDPOINT_COLUMNS}`,
    [
      endpoint.id,
      endpoint.userId,
      endpoint.url,
      endpoint.events,
      endpoint.jobId ?? null,
      endpoint.workflowId ?? null,
      endpoint.description,
    ],
  );
  return toEndpoint(row!);
}

/**
 * Inserts an endpoint a user registered, unless that user already has `most` of them (a job's or
 * a workflow's own endpoints are not counted); undefined then. Checked in the inserting statement.
 */
export async function insertEndpointWithin(
  db: SqlExecutor,
  endpoint: Pick<WebhookEndpoint, 'id' | 'userId' | 'url' | 'events' | 'description'>,
  most: number,
): Promise<WebhookEndpoint | undefined> {
  const [row] = await db.query(
    `INSERT INTO webhook_endpoints (id, user_id, url, event_types, description)
     SELECT $1::uuid, $2, $3, $4::text[], $5
     WHERE (SELECT count(*) FROM webhook_endpoints
            WHERE user_id = $2 AND job_id IS NULL AND workflow_id IS NULL) < $6::int
     RETURNING ${ENDPOINT_COLUMNS}`,
    [endpoint.id, endpoint.userId, endpoint.url, endpoint.events, endpoint.description, most],
  );
  return row ? toEndpoint(row) : undefined;
}

export async function getEndpoint(db: SqlExecutor, id: string): Promise<WebhookEndpoint | undefined> {
  const [row] = await db.query(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1::uuid`, [id]);
  return row ? toEndpoint(row) : undefined;
}

export async function listEndpoints(db: SqlExecutor, userId: string): Promise<WebhookEndpoint[]> {
  const rows = await db.query(
    `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE user_id = $1 ORDER BY created_at, id`,
    [userId],
  );
  return rows.map(toEndpoint);
}

/** Whose own endpoint (notify_url) it is: a job's or a workflow's. */
export type EndpointOwner = { kind: 'job' | 'workflow'; id: string };

/** A job's or a workflow's own endpoint (its notify_url), if it has one, disabled or not. */
export async function ownEndpoint(
  db: SqlExecutor,
  owner: EndpointOwner,
): Promise<WebhookEndpoint | undefined> {
  const column = owner.kind === 'job' ? 'job_id' : 'workflow_id';
  const [row] = await db.query(
    `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE ${column} = $1::uuid ORDER BY created_at, id LIMIT 1`,
    [owner.id],
  );
  return row ? toEndpoint(row) : undefined;
}

/** Points an endpoint at a new URL, turned on: same id, same secret, its deliveries kept. */
export async function moveEndpoint(db: SqlExecutor, id: string, url: string): Promise<void> {
  await db.query(
    `UPDATE webhook_endpoints SET url = $2, disabled_at = NULL, disabled_reason = NULL, failures = 0,
       paused_until = NULL WHERE id = $1::uuid`,
    [id, url],
  );
}

/** Turns an endpoint off: no delivery is queued for it any more, pending ones fail; history kept. */
export async function disableEndpoint(db: SqlExecutor, id: string, reason: string): Promise<void> {
  await db.query(
    `UPDATE webhook_endpoints SET disabled_at = now(), disabled_reason = $2
     WHERE id = $1::uuid AND disabled_at IS NULL`,
    [id, reason],
  );
}

/**
 * Turns an endpoint off at its owner's request, as disableEndpoint does; one already off keeps its
 * time and reason. The endpoint as it is now; undefined when there is none.
 */
export async function turnOffEndpoint(
  db: SqlExecutor,
  id: string,
  reason: string,
): Promise<WebhookEndpoint | undefined> {
  const [row] = await db.query(
    `UPDATE webhook_endpoints SET disabled_at = coalesce(disabled_at, now()),
       disabled_reason = CASE WHEN disabled_at IS NULL THEN $2 ELSE disabled_reason END
     WHERE id = $1::uuid RETURNING ${ENDPOINT_COLUMNS}`,
    [id, reason],
  );
  return row ? toEndpoint(row) : undefined;
}

/** Deletes an endpoint, with its deliveries and their attempts. */
export async function deleteEndpoint(db: SqlExecutor, id: string): Promise<boolean> {
  const rows = await db.query('DELETE FROM webhook_endpoints WHERE id = $1::uuid RETURNING id', [id]);
  return rows.length > 0;
}

/** A new secret: the generation moves on, and the previous one keeps signing for `overlapSeconds`. */
export async function rotateSecret(
  db: SqlExecutor,
  id: string,
  overlapSeconds: number,
): Promise<WebhookEndpoint | undefined> {
  const [row] = await db.query(
    `UPDATE webhook_endpoints SET secret_generation = secret_generation + 1,
       previous_valid_until = now() + make_interval(secs => $2::int)
     WHERE id = $1::uuid RETURNING ${ENDPOINT_COLUMNS}`,
    [id, overlapSeconds],
  );
  return row ? toEndpoint(row) : undefined;
}

/** Turns a disabled endpoint back on (its pending deliveries are sent again). */
export async function enableEndpoint(db: SqlExecutor, id: string): Promise<WebhookEndpoint | undefined> {
  const [row] = await db.query(
    `UPDATE webhook_endpoints SET disabled_at = NULL, disabled_reason = NULL, failures = 0, paused_until = NULL
     WHERE id = $1::uuid RETURNING ${ENDPOINT_COLUMNS}`,
    [id],
  );
  return row ? toEndpoint(row) : undefined;
}

export interface DeliveryAttempt {
  attempt: number;
  /** ISO 8601. */
  at: string;
  status: number | null;
  error: string | null;
  durationMs: number;
}

export interface Delivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: Date | null;
  createdAt: Date;
  endedAt: Date | null;
  lastError: string | null;
  history: DeliveryAttempt[];
}

/** An endpoint's deliveries, newest first, each with every attempt made. */
export async function listDeliveries(
  db: SqlExecutor,
  endpointId: string,
  limit: number,
): Promise<Delivery[]> {
  const rows = await db.query(
    `SELECT d.id, d.endpoint_id, d.event_id::text AS event_id, e.type, d.state, d.attempts,
            d.next_attempt_at, d.created_at, d.ended_at, d.last_error,
            coalesce((SELECT jsonb_agg(jsonb_build_object('attempt', a.attempt, 'at', a.at, 'status', a.status,
                        'error', a.error, 'durationMs', a.duration_ms) ORDER BY a.attempt)
                      FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]'::jsonb) AS history
     FROM webhook_deliveries d JOIN events e ON e.id = d.event_id
     WHERE d.endpoint_id = $1::uuid
     ORDER BY d.created_at DESC, d.id DESC LIMIT $2`,
    [endpointId, limit],
  );
  return rows.map((row) => ({
    id: row.id as string,
    endpointId: row.endpoint_id as string,
    eventId: row.event_id as string,
    eventType: row.type as string,
    state: row.state as Delivery['state'],
    attempts: Number(row.attempts),
    nextAttemptAt: row.state === 'pending' ? (row.next_attempt_at as Date) : null,
    createdAt: row.created_at as Date,
    endedAt: (row.ended_at as Date | null) ?? null,
    lastError: (row.last_error as string | null) ?? null,
    history: (typeof row.history === 'string' ? JSON.parse(row.history) : row.history) as DeliveryAttempt[],
  }));
}

/** Sends a delivery again, now, with the same webhook-id; false when the endpoint has no such delivery. */
export async function redeliver(db: SqlExecutor, endpointId: string, deliveryId: string): Promise<boolean> {
  const rows = await db.query(
    `UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = now(), ended_at = NULL,
       retry_until = now() + interval '1 day'
     WHERE id = $1::uuid AND endpoint_id = $2::uuid RETURNING id`,
    [deliveryId, endpointId],
  );
  return rows.length > 0;
}
