import { RateLimitedError } from '../errors.js';
import type { Principal } from '../auth/principal.js';

/**
 * The open streams of one API process (GET /events and the log streams), held to a number per
 * user and a number in all: each costs a socket, a queue and a share of the event reader, and a
 * client could otherwise open them until the process runs out.
 */

/** What a refused stream's Retry-After says: streams end when their clients go, so soon. */
export const STREAM_RETRY_AFTER_SECONDS = 10;

export interface StreamSlots {
  /** A place for a stream of `owner` (a user, or an operator's key); the function gives it back. Throws RateLimitedError (429) when none is left. */
  take(owner: string): () => void;
  readonly open: number;
}

export function createStreamSlots(limits: { perUser: number; perProcess: number }): StreamSlots {
  const byOwner = new Map<string, number>();
  let open = 0;
  return {
    take(owner) {
      const mine = byOwner.get(owner) ?? 0;
      if (mine >= limits.perUser) {
        throw new RateLimitedError(
          `${owner} already has ${mine} streams open, the most allowed (TDS_STREAMS_PER_USER); close one, or retry in ${STREAM_RETRY_AFTER_SECONDS} s`,
          STREAM_RETRY_AFTER_SECONDS,
        );
      }
      if (open >= limits.perProcess) {
        throw new RateLimitedError(
          `this server has ${open} streams open, the most it serves (TDS_STREAMS_PER_PROCESS); retry in ${STREAM_RETRY_AFTER_SECONDS} s`,
          STREAM_RETRY_AFTER_SECONDS,
        );
      }
      byOwner.set(owner, mine + 1);
      open += 1;
      let given = false;
      return () => {
        if (given) return;
        given = true;
        open -= 1;
        const left = (byOwner.get(owner) ?? 1) - 1;
        if (left > 0) byOwner.set(owner, left);
        else byOwner.delete(owner);
      };
    },
    get open() {
      return open;
    },
  };
}

/**
 * Whose streams a stream counts among: the user of a user's key; for an operator, the user whose
 * events it follows when it names one, the operator's key otherwise.
 */
export function streamOwner(principal: Principal, userId?: string): string {
  if (principal.kind === 'user') return `user "${principal.userId}"`;
  if (userId !== undefined) return `user "${userId}"`;
  return principal.kind === 'operator' ? `operator key ${principal.keyId}` : 'the local operator';
}
