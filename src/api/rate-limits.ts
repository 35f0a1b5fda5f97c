import { setTimeout as sleep } from 'node:timers/promises';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bearerToken, hashApiKey } from '../auth/api-keys.js';
import { RateLimitedError } from '../errors.js';

export interface RateLimitSettings {
  /** Requests per minute per API key (per address for requests without one); 0: no limit. */
  perKeyPerMinute: number;
  /** Requests per second per API key (per address without one), so a minute is not one burst; 0: no limit. */
  perKeyPerSecond: number;
  /** Requests per minute per client address, counted before the key is looked up; 0: no limit. */
  perAddressPerMinute: number;
  /** Requests refused as unauthenticated per minute per client address; 0: no limit. */
  authFailuresPerMinute: number;
  /**
   * How long a refusal is held before it is answered (never past its Retry-After), so that a
   * client that goes on sending past its limit is answered once per connection in that time.
   */
  refusalDelayMs: number;
}

/** The limits of one API, each checked where the request lifecycle allows it. */
export interface RateLimits {
  /** An onRequest hook, added before authentication: every request of an address counts. */
  byAddress(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /**
   * Before a key is looked up: refuses an address that sent too many requests refused as
   * unauthenticated this minute, so a stream of bad keys costs no database query past the limit.
   */
  checkAuthFailures(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** After a request was refused as unauthenticated. */
  noteAuthFailure(request: FastifyRequest): Promise<void>;
  /**
   * An onRequest hook, added before authentication: every request presenting a key counts against
   * that key's second and minute (one without a key against its address's), so a request past its
   * key's limits costs no key lookup. Only the key's holder can spend its budget: a key not issued
   * is refused by the limit on unauthenticated requests.
   */
  byKey(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

const MINUTE_MS = 60_000;
const SECOND_MS = 1000;

/** The liveness check is never limited: probes call it often and it reads nothing. */
const UNLIMITED_URLS = new Set(['/healthz']);

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

/**
 * Registers @fastify/rate-limit for its counters only (kept per process, 5,000 keys per limit, the
 * least recently used dropped first, so a flood of addresses cannot grow them) and builds the limits.
 */
export async function createRateLimits(
  app: FastifyInstance,
  settings: RateLimitSettings,
): Promise<RateLimits> {
  await app.register(rateLimit, { global: false });
  const limiter = (
    max: number,
    keyGenerator?: (request: FastifyRequest) => string,
    timeWindow = MINUTE_MS,
  ): Limiter | undefined =>
    max > 0
      ? app.createRateLimit({
          max,
          timeWindow,
          allowList: (request) => UNLIMITED_URLS.has(request.routeOptions.url ?? ''),
          ...(keyGenerator ? { keyGenerator } : {}),
        })
      : undefined;
  // Without a keyGenerator the address is the key (an IPv6 address by its /64 network).
  const address = limiter(settings.perAddressPerMinute);
  const failures = limiter(settings.authFailuresPerMinute);
  const presentedKey = (request: FastifyRequest) => {
    const token = bearerToken(request.headers.authorization);
    return token ? `key:${hashApiKey(token)}` : `ip:${request.ip}`;
  };
  const key = limiter(settings.perKeyPerMinute, presentedKey);
  const keyBurst = limiter(settings.perKeyPerSecond, presentedKey, SECOND_MS);

  async function apply(
    limit: Limiter | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
    what: string,
    increment = true,
  ): Promise<void> {
    if (!limit) return;
    const state = await limit(request, { increment });
    if (state.isAllowed) return;
    // Counting, a request past the limit is over it; reading, the limit reached is enough.
    const over = increment ? state.isExceeded : state.remaining === 0;
    if (!over) return;
    // Held, not worked on (a timer per refused request, while the client's connection waits), at
    // most until the window ends; Retry-After then counts from the answer.
    const held = Math.min(settings.refusalDelayMs, state.ttl);
    if (held > 0) await sleep(held);
    const seconds = Math.max(1, Math.ceil((state.ttl - held) / 1000));
    void reply.header('retry-after', seconds);
    throw new RateLimitedError(`more than ${state.max} ${what}; retry in ${seconds} s`);
  }

  return {
    byAddress: (request, reply) => apply(address, request, reply, 'requests in a minute from this address'),
    checkAuthFailures: (request, reply) =>
      apply(
        failures,
        request,
        reply,
        'requests without a valid API key in a minute from this address',
        false,
      ),
    noteAuthFailure: async (request) => {
      if (failures) await failures(request);
    },
    byKey: async (request, reply) => {
      await apply(keyBurst, request, reply, 'requests in a second from this key or address');
      await apply(key, request, reply, 'requests in a minute from this key or address');
    },
  };
}
