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
  userId: string;
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

/** The longest an endpoint that keeps failing is left alone: its pause doubles up to this. */
export const MAX_ENDPOINT_PAUSE_SECONDS = 3600;

export interface ClaimTurns {
  /** Sends this sender may start now. */
  limit: number;
  /** Sends under way at once to one user's endpoints, at most. */
  perUser: number;
  /** Sends this sender has under way, by user (users with none may be left out). */
  underWay: Map<string, number>;
  /** Endpoints this sender is sending to now: one send at a time to each. */
  busyEndpoints: Iterable<string>;
}

/**
 * Takes up to `limit` due deliveries in fair turns (`FOR UPDATE SKIP LOCKED`: senders in several
 * processes never take the same one), counting the attempt and holding each for CLAIM_SECONDS.
 *
 * One delivery per endpoint (its oldest due), from endpoints not paused (failing, see
 * recordAttempt) and not already being sent to, each user's least recently served first, then
 * across users by when each was last served; no user gets more than `perUser` sends under way. So
 * a user whose endpoint has thousands due, or never answers, takes at most `perUser` sends, and
 * every other user's endpoints get theirs in the same claim.
 */
export async function claimDeliveries(db: SqlExecutor, turns: ClaimTurns): Promise<ClaimedDelivery[]> {
  const loads = [...turns.underWay].filter(([, n]) => n > 0);
  const rows = await db.query(
    `WITH load AS (
       SELECT user_id, n FROM unnest($3::text[], $4::int[]) AS l(user_id, n)),
     ready AS (
       SELECT w.id, w.last_turn_at,
         row_number() OVER (PARTITION BY w.user_id ORDER BY w.last_turn_at NULLS FIRST, w.id) AS turn,
         coalesce(l.n, 0) AS busy
       FROM webhook_endpoints w LEFT JOIN load l ON l.user_id = w.user_id
       WHERE (w.paused_until IS NULL OR w.paused_until <= now()) AND w.id <> ALL ($2::uuid[])
         AND EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.endpoint_id = w.id AND d.state = 'pending'
                     AND d.next_attempt_at <= now())),
     chosen AS (
       SELECT id FROM ready WHERE turn + busy <= $5::int
       ORDER BY turn, last_turn_at NULLS FIRST, id LIMIT $1::int),
     due AS (
       SELECT oldest.id, c.id AS endpoint_id FROM chosen c CROSS JOIN LATERAL (
         SELECT d.id FROM webhook_deliveries d
         WHERE d.endpoint_id = c.id AND d.state = 'pending' AND d.next_attempt_at <= now()
         ORDER BY d.next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED) oldest),
     turned AS (
       UPDATE webhook_endpoints SET last_turn_at = now()
       WHERE id IN (SELECT endpoint_id FROM due))
     UPDATE webhook_deliveries d
     SET attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => ${CLAIM_SECONDS})
     FROM due, webhook_endpoints w, events e
     WHERE d.id = due.id AND w.id = d.endpoint_id AND e.id = d.event_id
     RETURNING d.id, d.attempts, d.retry_until, w.id AS endpoint_id, w.user_id, w.url, w.secret_generation,
       coalesce(w.previous_valid_until > now(), false) AS previous_valid, w.disabled_at IS NOT NULL AS disabled,
       e.id::text AS event_id, e.type, e.at, e.data`,
    [
      turns.limit,
      [...turns.busyEndpoints],
      loads.map(([user]) => user),
      loads.map(([, n]) => n),
      turns.perUser,
    ],
    { prepared: true },
  );
  return rows.map((row) => ({
    id: row.id as string,
    attempt: Number(row.attempts),
    retryUntil: row.retry_until as Date,
    endpointId: row.endpoint_id as string,
    userId: row.user_id as string,
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
  /**
   * What the attempt says of the endpoint: `answered` (2xx) clears its failures; `failing` (no
   * answer, or anything but 2xx and 410) pauses it, 1 s after the first failure in a row, doubling.
   */
  endpoint?: 'answered' | 'failing';
  /** The receiver's Retry-After: a failing endpoint is paused at least that long. */
  endpointRetryAfterSeconds?: number;
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
       WHERE id = $9::uuid AND $8::text IS NOT NULL AND disabled_at IS NULL),
     health AS (
       UPDATE webhook_endpoints
       SET failures = CASE WHEN $10::text = 'answered' THEN 0 ELSE failures + 1 END,
         paused_until = CASE WHEN $10::text = 'answered' THEN NULL
           ELSE now() + make_interval(secs => greatest($11::float8,
             least(${MAX_ENDPOINT_PAUSE_SECONDS}, power(2, least(failures, 30))))) END
       WHERE id = $9::uuid AND $10::text IS NOT NULL AND $8::text IS NULL)
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
      outcome.endpoint ?? null,
      outcome.endpointRetryAfterSeconds ?? 0,
    ],
  );
}
