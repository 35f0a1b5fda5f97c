import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import type { SqlExecutor } from '../../services/db/database.js';
import { errorMessage } from '../errors.js';
import type { Signal } from '../signals.js';
import { startStop, type StartStop } from '../start-stop.js';
import { createWakeableSleep } from '../wakeable-sleep.js';
import { guardedLookup, isPrivateAddress } from './address-guard.js';
import {
  RETRY_DELAYS_SECONDS,
  claimDeliveries,
  recordAttempt,
  type AttemptOutcome,
  type ClaimedDelivery,
} from './delivery-queue.js';
import { secretsInForce, signDelivery, type SigningKey } from './secrets.js';

/** A send gives up after this long: the receiver is slow or gone, and the delivery is retried. */
export const SEND_TIMEOUT_MS = 15_000;
/** At most this much of a receiver's answer is read (and its first line recorded). */
const MAX_ANSWER_BYTES = 4096;

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

/**
 * The loop that sends webhook deliveries, apart from the runs: it claims due deliveries from the
 * database in fair turns (at most `concurrency` under way, at most `sendsPerUser` of them to one
 * user's endpoints, one at a time to each endpoint: delivery-queue.ts), each signed and sent with a
 * 15 s timeout, redirects never followed. An endpoint that fails is paused, longer each time. 2xx is delivered; 410 disables the endpoint; anything else (or no answer) is
 * retried with backoff, or after the receiver's Retry-After, for up to a day. A slow or dead
 * receiver holds one of these sends, never a run.
 */
export function createWebhookSender(deps: WebhookSenderDeps): WebhookSender {
  const { db, logger } = deps;
  const sleep = createWakeableSleep();
  const lookup = guardedLookup(deps.allowPrivate);
  const inFlight = new Set<Promise<void>>();
  const aborts = new Set<AbortController>();
  let running = false;
  let loop: Promise<void> | undefined;
  let unsubscribe: (() => void)[] = [];

  // What this sender has under way, for the claim's fair turns (delivery-queue.ts).
  const busyEndpoints = new Set<string>();
  const underWay = new Map<string, number>();

  async function pass(): Promise<void> {
    const free = deps.concurrency - inFlight.size;
    if (free <= 0) return;
    const claimed = await claimDeliveries(db, {
      limit: free,
      perUser: deps.sendsPerUser,
      underWay,
      busyEndpoints,
    });
    for (const delivery of claimed) {
      busyEndpoints.add(delivery.endpointId);
      underWay.set(delivery.userId, (underWay.get(delivery.userId) ?? 0) + 1);
      const sending = send(delivery).catch((error: unknown) =>
        logger.error({ err: error, deliveryId: delivery.id }, 'could not record a webhook attempt'),
      );
      inFlight.add(sending);
      void sending.finally(() => {
        inFlight.delete(sending);
        busyEndpoints.delete(delivery.endpointId);
        const left = (underWay.get(delivery.userId) ?? 1) - 1;
        if (left > 0) underWay.set(delivery.userId, left);
        else underWay.delete(delivery.userId);
        sleep.wake();
      });
    }
  }

  async function send(delivery: ClaimedDelivery): Promise<void> {
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
    const { key, accepted } = await deps.signingKey.get();
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
    const started = performance.now();
    const answer = await post(delivery.url, headers, body);
    const durationMs = performance.now() - started;
    const outcome = decide(delivery, answer, durationMs);
    await recordAttempt(db, delivery, outcome);
    const result: DeliveryResult = outcome.disableEndpoint
      ? 'endpoint_gone'
      : outcome.next.state === 'pending'
        ? 'retrying'
        : outcome.next.state;
    deps.onAttempt?.(result, durationMs / 1000);
    if (result !== 'delivered') {
      log.info(
        { status: answer.status, error: answer.error, attempt: delivery.attempt, result },
        'webhook not delivered',
      );
    }
  }

  interface Answer {
    status: number | null;
    error: string | null;
    retryAfterSeconds: number | null;
  }

  function post(raw: string, headers: Record<string, string>, body: string): Promise<Answer> {
    return new Promise((resolve) => {
      const url = new URL(raw);
      const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
      // An address written in the URL is never looked up: it is checked here instead.
      if (isIP(host) && !deps.allowPrivate && isPrivateAddress(host)) {
        resolve({
          status: null,
          error: `${host} is not a public address (TDS_WEBHOOK_ALLOW_PRIVATE is not set)`,
          retryAfterSeconds: null,
        });
        return;
      }
      const abort = new AbortController();
      aborts.add(abort);
      const timer = setTimeout(() => abort.abort(), SEND_TIMEOUT_MS);
      const done = (answer: Answer) => {
        clearTimeout(timer);
        aborts.delete(abort);
        resolve(answer);
      };
      const request = (url.protocol === 'https:' ? https : http).request(
        url,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          lookup,
          signal: abort.signal,
          agent: false,
        },
        (response) => {
          let read = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            if (read.length < MAX_ANSWER_BYTES) read += chunk;
          });
          response.on('error', () => undefined);
          response.on('end', () => {
            const status = response.statusCode ?? null;
            const ok = status !== null && status >= 200 && status < 300;
            done({
              status,
              error: ok
                ? null
                : status !== null && status >= 300 && status < 400
                  ? `answered ${status} (redirects are not followed)`
                  : `answered ${status}${read ? `: ${read.split('\n')[0]!.slice(0, 200)}` : ''}`,
              retryAfterSeconds: retryAfter(response.headers['retry-after']),
            });
          });
        },
      );
      request.on('error', (error) => {
        done({
          status: null,
          error: abort.signal.aborted ? `no answer within ${SEND_TIMEOUT_MS / 1000} s` : errorMessage(error),
          retryAfterSeconds: null,
        });
      });
      request.end(body);
    });
  }

  function decide(delivery: ClaimedDelivery, answer: Answer, durationMs: number): AttemptOutcome {
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

  async function run(): Promise<void> {
    while (running) {
      try {
        await pass();
      } catch (error) {
        logger.warn({ err: error }, 'could not claim webhook deliveries; trying again');
      }
      if (!running) break;
      await sleep.sleep(deps.pollIntervalMs);
    }
  }

  return startStop({
    start() {
      running = true;
      unsubscribe = (deps.wakeOn ?? []).map((signal) => signal.subscribe(() => sleep.wake()));
      loop = run();
    },
    async stop() {
      running = false;
      for (const off of unsubscribe) off();
      sleep.wake();
      await loop;
      // Sends under way are cut short: their deliveries are claimed again once their hold lapses.
      for (const abort of aborts) abort.abort();
      await Promise.allSettled([...inFlight]);
    },
  });
}

/** Retry-After in seconds (a number of seconds, or an HTTP date), at most a day; null when absent or unreadable. */
export function retryAfter(value: string | undefined): number | null {
  if (value === undefined || value.trim() === '') return null;
  const seconds = /^\d+$/.test(value.trim()) ? Number(value.trim()) : (Date.parse(value) - Date.now()) / 1000;
  if (!Number.isFinite(seconds)) return null;
  return Math.min(Math.max(seconds, 0), 86_400);
}
