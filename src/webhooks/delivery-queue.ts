import type { SqlExecutor } from '../../services/db/database.js';

/** The sender's statements: claiming due deliveries and recording each attempt's outcome. */

/**
 * Seconds to wait after the nth failed attempt (n = 1, 2, …): the first retries within seconds,
 * then growing, about 23.6 hours in all; after the last, or once the delivery's day is over, it
 * has failed.
 */
export const RETRY_DELAYS_SECONDS = [1, 4, 15, 60, 300, 1800, 3600, 7200, 14400, 28800, 28800];

/**
 * How long a claimed delivery is left to its sender before another may take it: more than the
 * 15 s a send may last, so a sender that dies mid-send delays the retry by no more than this.
 */
export const CLAIM_SECONDS = 20;

export interface ClaimedDelivery {
  id: string;
  attempt: number;
  retryUntil: Date;
  endpointId: string;
  url: string;
  secretGeneration: number;
  /** The previous secret still signs (a rotation's overlap). */
  previousSecretValid: boolean;
  endpointDisabled: boolean;
  eventId: string;
  eventType: string;
  eventAt: Date;
  data: Record<string, unknown>;
}

/**
 * Takes up to `limit` due deliveries (`FOR UPDATE SKIP LOCKED`: senders in several processes never
 * take the same one), counting the attempt and holding each for CLAIM_SECONDS.
 */
export async function claimDeliveries(db: SqlExecutor, limit: number): Promise<ClaimedDelivery[]> {
  const rows = await db.query(
    `WITH due AS (
       SELECT id FROM webhook_deliveries
       WHERE state = 'pending' AND next_attempt_at <= now()
       ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
     UPDATE webhook_deliveries d
     SET attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => ${CLAIM_SECONDS})
     FROM due, webhook_endpoints w, events e
     WHERE d.id = due.id AND w.id = d.endpoint_id AND e.id = d.event_id
     RETURNING d.id, d.attempts, d.retry_until, w.id AS endpoint_id, w.url, w.secret_generation,
       coalesce(w.previous_valid_until > now(), false) AS previous_valid, w.disabled_at IS NOT NULL AS disabled,
       e.id::text AS event_id, e.type, e.at, e.data`,
    [limit],
    { prepared: true },
  );
  return rows.map((row) => ({
    id: row.id as string,
    attempt: Number(row.attempts),
    retryUntil: row.retry_until as Date,
    endpointId: row.endpoint_id as string,
    url: row.url as string,
    secretGeneration: Number(row.secret_generation),
    previousSecretValid: Boolean(row.previous_valid),
    endpointDisabled: Boolean(row.disabled),
    eventId: row.event_id as string,
    eventType: row.type as string,
    eventAt: row.at as Date,
    data: (typeof row.data === 'string' ? JSON.parse(row.data) : row.data) as Record<string, unknown>,
  }));
}

export interface AttemptOutcome {
  status: number | null;
  error: string | null;
  durationMs: number;
  /** delivered; retry after `retryInSeconds`; or failed for good. */
  next: { state: 'delivered' } | { state: 'failed' } | { state: 'pending'; retryInSeconds: number };
  /** The receiver answered 410 Gone: its endpoint is disabled. */
  disableEndpoint?: string;
}

/**
 * Records an attempt and what follows from it, in one statement; nothing when the delivery was
 * claimed again meanwhile (its attempt count moved on).
 */
export async function recordAttempt(
  db: SqlExecutor,
  delivery: Pick<ClaimedDelivery, 'id' | 'attempt' | 'endpointId'>,
  outcome: AttemptOutcome,
): Promise<void> {
  const { next } = outcome;
  await db.query(
    `WITH attempt AS (
       INSERT INTO webhook_attempts (delivery_id, attempt, status, error, duration_ms)
       VALUES ($1::uuid, $2::int, $3::int, $4::text, $5::int)
       ON CONFLICT DO NOTHING),
     disabled AS (
       UPDATE webhook_endpoints SET disabled_at = now(), disabled_reason = $8::text
       WHERE id = $9::uuid AND $8::text IS NOT NULL AND disabled_at IS NULL)
     UPDATE webhook_deliveries SET state = $6::text, last_error = $4::text,
       next_attempt_at = CASE WHEN $6::text = 'pending' THEN now() + make_interval(secs => $7::float8)
                              ELSE next_attempt_at END,
       ended_at = CASE WHEN $6::text = 'pending' THEN NULL ELSE now() END
     WHERE id = $1::uuid AND attempts = $2::int`,
    [
      delivery.id,
      delivery.attempt,
      outcome.status,
      outcome.error,
      Math.round(outcome.durationMs),
      next.state,
      next.state === 'pending' ? next.retryInSeconds : 0,
      outcome.disableEndpoint ?? null,
      delivery.endpointId,
    ],
  );
}
