import type { Logger } from 'pino';
import type { SqlExecutor } from '../../services/db/database.js';
import type { Signal } from '../signals.js';
import { startStop, type StartStop } from '../start-stop.js';
import { createWakeableSleep, type WakeableSleep } from '../wakeable-sleep.js';
import { guardedLookup } from './address-guard.js';
import {
  RETRY_DELAYS_SECONDS,
  claimDeliveries,
  recordAttempt,
  type AttemptOutcome,
  type ClaimedDelivery,
} from './delivery-queue.js';
import { postWebhook, type WebhookAnswer } from './post-webhook.js';
import { secretsInForce, signDelivery, type SigningKey } from './secrets.js';

export type DeliveryResult = 'delivered' | 'retrying' | 'failed' | 'endpoint_gone';

export interface WebhookSenderDeps {
  db: SqlExecutor;
  logger: Logger;
  signingKey: SigningKey;
  allowPrivate: boolean;
  /** Sends under way at once, across all endpoints. */
  concurrency: number;
  /** Of those, at most this many to one user's endpoints (and one at a time to each endpoint). */
  sendsPerUser: number;
  pollIntervalMs: number;
  /** Heard when a run ended here: its deliveries are looked for at once. */
  wakeOn?: Signal[];
  /** Told of every attempt's result (for the metrics). */
  onAttempt?: (result: DeliveryResult, seconds: number) => void;
}

export type WebhookSender = StartStop;

/** What the sender's parts share: its collaborators and what it has under way. */
interface SenderState {
  deps: WebhookSenderDeps;
  sleep: WakeableSleep;
  lookup: ReturnType<typeof guardedLookup>;
  inFlight: Set<Promise<void>>;
  /** The sends under way, cut short when the sender stops. */
  aborts: Set<AbortController>;
  running: boolean;
  /** What this sender has under way, for the claim's fair turns (delivery-queue.ts). */
  busyEndpoints: Set<string>;
  underWay: Map<string, number>;
}

/**
 * The loop that sends webhook deliveries, apart from the runs: it claims due deliveries from the
 * database in fair turns (at most `concurrency` under way, at most `sendsPerUser` of them to one
 * user's endpoints, one at a time to each endpoint: delivery-queue.ts), each signed and sent with a
 * 15 s timeout, redirects never followed. An endpoint that fails is paused, longer each time. 2xx is delivered; 410 disables the endpoint; anything else (or no answer) is
 * retried with backoff, or after the receiver's Retry-After, for up to a day. A slow or dead
 * receiver holds one of these sends, never a run.
 */
export function createWebhookSender(deps: WebhookSenderDeps): WebhookSender {
  const s: SenderState = {
    deps,
    sleep: createWakeableSleep(),
    lookup: guardedLookup(deps.allowPrivate),
    inFlight: new Set(),
    aborts: new Set(),
    running: false,
    busyEndpoints: new Set(),
    underWay: new Map(),
  };
  let loop: Promise<void> | undefined;
  let unsubscribe: (() => void)[] = [];
  return startStop({
    start() {
      s.running = true;
      unsubscribe = (deps.wakeOn ?? []).map((signal) => signal.subscribe(() => s.sleep.wake()));
      loop = sendLoop(s);
    },
    async stop() {
      s.running = false;
      for (const off of unsubscribe) off();
      s.sleep.wake();
      await loop;
      // Sends under way are cut short: their deliveries are claimed again once their hold lapses.
      for (const abort of s.aborts) abort.abort();
      await Promise.allSettled([...s.inFlight]);
    },
  });
}

/** Claims and sends until the sender stops, a pass every poll interval or when woken. */
async function sendLoop(s: SenderState): Promise<void> {
  while (s.running) {
    try {
      await claimAndSend(s);
    } catch (error) {
      s.deps.logger.warn({ err: error }, 'could not claim webhook deliveries; trying again');
    }
    if (!s.running) break;
    await s.sleep.sleep(s.deps.pollIntervalMs);
  }
}

/** Claims as many due deliveries as there are free sends, in fair turns, and starts sending each. */
async function claimAndSend(s: SenderState): Promise<void> {
  const free = s.deps.concurrency - s.inFlight.size;
  if (free <= 0) return;
  const claimed = await claimDeliveries(s.deps.db, {
    limit: free,
    perUser: s.deps.sendsPerUser,
    underWay: s.underWay,
    busyEndpoints: s.busyEndpoints,
  });
  for (const delivery of claimed) startSend(s, delivery);
}

/** Sends one delivery in the background, holding its endpoint and a place of its user's until it is done. */
function startSend(s: SenderState, delivery: ClaimedDelivery): void {
  s.busyEndpoints.add(delivery.endpointId);
  s.underWay.set(delivery.userId, (s.underWay.get(delivery.userId) ?? 0) + 1);
  const sending = send(s, delivery).catch((error: unknown) =>
    s.deps.logger.error({ err: error, deliveryId: delivery.id }, 'could not record a webhook attempt'),
  );
  s.inFlight.add(sending);
  void sending.finally(() => {
    s.inFlight.delete(sending);
    s.busyEndpoints.delete(delivery.endpointId);
    const left = (s.underWay.get(delivery.userId) ?? 1) - 1;
    if (left > 0) s.underWay.set(delivery.userId, left);
    else s.underWay.delete(delivery.userId);
    s.sleep.wake();
  });
}

/**
 * The body and headers of a delivery, as Standard Webhooks has them: signed with the endpoint's
 * secret, and with the previous one too while it is still valid.
 */
async function signedRequest(
  s: SenderState,
  delivery: ClaimedDelivery,
): Promise<{ headers: Record<string, string>; body: string }> {
  const { key, accepted } = await s.deps.signingKey.get();
  const secrets = secretsInForce([key, ...accepted], delivery);
  const body = JSON.stringify({
    type: delivery.eventType,
    timestamp: delivery.eventAt.toISOString(),
    data: delivery.data,
  });
  const messageId = `msg_${delivery.id.replace(/-/g, '')}`;
  const now = new Date();
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'task-deploy-service-webhooks',
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': signDelivery(secrets, messageId, now, body),
  };
  return { headers, body };
}

/** One attempt at a delivery: sent (unless its endpoint is disabled) and its outcome recorded. */
async function send(s: SenderState, delivery: ClaimedDelivery): Promise<void> {
  const { db, logger } = s.deps;
  const log = logger.child({ deliveryId: delivery.id, endpointId: delivery.endpointId });
  if (delivery.endpointDisabled) {
    await recordAttempt(db, delivery, {
      status: null,
      error: 'the endpoint is disabled',
      durationMs: 0,
      next: { state: 'failed' },
    });
    return;
  }
  const { headers, body } = await signedRequest(s, delivery);
  const started = performance.now();
  const answer = await postWebhook(delivery.url, headers, body, {
    allowPrivate: s.deps.allowPrivate,
    lookup: s.lookup,
    aborts: s.aborts,
  });
  const durationMs = performance.now() - started;
  const outcome = attemptOutcome(delivery, answer, durationMs);
  await recordAttempt(db, delivery, outcome);
  const result: DeliveryResult = outcome.disableEndpoint
    ? 'endpoint_gone'
    : outcome.next.state === 'pending'
      ? 'retrying'
      : outcome.next.state;
  s.deps.onAttempt?.(result, durationMs / 1000);
  if (result !== 'delivered') {
    log.info(
      { status: answer.status, error: answer.error, attempt: delivery.attempt, result },
      'webhook not delivered',
    );
  }
}

/**
 * What an answer comes to: 2xx delivered; 410 disables the endpoint; anything else pauses the
 * endpoint and is retried with backoff (or after the receiver's Retry-After) while the
 * delivery's retry period lasts, else fails.
 */
function attemptOutcome(
  delivery: ClaimedDelivery,
  answer: WebhookAnswer,
  durationMs: number,
): AttemptOutcome {
  if (answer.status !== null && answer.status >= 200 && answer.status < 300) {
    return {
      status: answer.status,
      error: null,
      durationMs,
      next: { state: 'delivered' },
      endpoint: 'answered',
    };
  }
  // Anything else but a 410 pauses the endpoint, whatever this delivery's own retry.
  const base = {
    status: answer.status,
    error: answer.error,
    durationMs,
    endpoint: 'failing' as const,
    ...(answer.retryAfterSeconds === null ? {} : { endpointRetryAfterSeconds: answer.retryAfterSeconds }),
  };
  if (answer.status === 410) {
    return {
      ...base,
      endpoint: undefined,
      next: { state: 'failed' },
      disableEndpoint: 'the receiver answered 410 Gone',
    };
  }
  const backoff = RETRY_DELAYS_SECONDS[delivery.attempt - 1];
  const wait = answer.retryAfterSeconds ?? backoff;
  const left = (delivery.retryUntil.getTime() - Date.now()) / 1000;
  if (backoff === undefined || wait === undefined || wait > left)
    return { ...base, next: { state: 'failed' } };
  return { ...base, next: { state: 'pending', retryInSeconds: wait } };
}
