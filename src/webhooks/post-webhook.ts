import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { errorMessage } from '../errors.js';
import type { LookupFunction } from 'node:net';
import { isPrivateAddress } from './address-guard.js';

/** A send gives up after this long: the receiver is slow or gone, and the delivery is retried. */
export const SEND_TIMEOUT_MS = 15_000;
/** At most this much of a receiver's answer is read (and its first line recorded). */
const MAX_ANSWER_BYTES = 4096;

/** What a receiver answered: its status, or why there was none, and when it asks to be tried again. */
export interface WebhookAnswer {
  status: number | null;
  error: string | null;
  retryAfterSeconds: number | null;
}

export interface PostOptions {
  /** Private addresses may be posted to (TDS_WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  /** Resolves host names, refusing private addresses unless allowed. */
  lookup: LookupFunction;
  /** The post's abort is held here while it is under way, so that a stopping sender can cut it short. */
  aborts: Set<AbortController>;
}

/**
 * POSTs a delivery's body to its URL: redirects not followed, at most `SEND_TIMEOUT_MS`, at most
 * `MAX_ANSWER_BYTES` of the answer read. Never rejects: a failure is an answer without a status.
 */
export function postWebhook(
  raw: string,
  headers: Record<string, string>,
  body: string,
  options: PostOptions,
): Promise<WebhookAnswer> {
  return new Promise((resolve) => {
    const url = new URL(raw);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    // An address written in the URL is never looked up: it is checked here instead.
    if (isIP(host) && !options.allowPrivate && isPrivateAddress(host)) {
      resolve({
        status: null,
        error: `${host} is not a public address (TDS_WEBHOOK_ALLOW_PRIVATE is not set)`,
        retryAfterSeconds: null,
      });
      return;
    }
    const abort = new AbortController();
    options.aborts.add(abort);
    const timer = setTimeout(() => abort.abort(), SEND_TIMEOUT_MS);
    const done = (answer: WebhookAnswer) => {
      clearTimeout(timer);
      options.aborts.delete(abort);
      resolve(answer);
    };
    const request = (url.protocol === 'https:' ? https : http).request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: options.lookup,
        signal: abort.signal,
        agent: false,
      },
      (response) => readAnswer(response, done),
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

/** Reads the start of an answer, and tells what it was once it has ended. */
function readAnswer(response: http.IncomingMessage, done: (answer: WebhookAnswer) => void): void {
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
}

/** Retry-After in seconds (a number of seconds, or an HTTP date), at most a day; null when absent or unreadable. */
export function retryAfter(value: string | undefined): number | null {
  if (value === undefined || value.trim() === '') return null;
  const seconds = /^\d+$/.test(value.trim()) ? Number(value.trim()) : (Date.parse(value) - Date.now()) / 1000;
  if (!Number.isFinite(seconds)) return null;
  return Math.min(Math.max(seconds, 0), 86_400);
}
