import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a download link lets its holder read: one object, until `expiresAt` (epoch seconds). */
export interface LinkTarget {
  bucket: string;
  key: string;
  expiresAt: number;
}

export type DownloadLinks = ReturnType<typeof createDownloadLinks>;

const encode = (buffer: Buffer) => buffer.toString('base64url');

/**
 * Short-lived links to a run's result files, served by the API itself (`GET /files?token=`) and
 * streamed from the store: the client needs no store credentials and need not reach the store,
 * which may sit behind the API on a private network. A token is the target and its expiry, signed
 * with HMAC-SHA256; nothing is stored. Without a configured secret each API process makes its
 * own, so a link works only on the process that made it: set one shared secret behind a balancer.
 * `acceptedSecrets` open links and never sign them: the overlap of a rotation (the new key accepted
 * everywhere before it signs, the old one accepted until the links it signed have expired).
 */
export function createDownloadLinks({
  secret,
  lifetimeSeconds,
  acceptedSecrets = [],
}: {
  secret?: string;
  lifetimeSeconds: number;
  acceptedSecrets?: readonly string[];
}) {
  const key = secret ? Buffer.from(secret) : randomBytes(32);
  const signWith = (signingKey: Buffer, payload: string) =>
    encode(createHmac('sha256', signingKey).update(payload).digest());
  const sign = (payload: string) => signWith(key, payload);
  const ring = [key, ...acceptedSecrets.map((accepted) => Buffer.from(accepted))];
  const signedByRing = (payload: string, signature: string) => {
    const given = Buffer.from(signature);
    // Every key is tried, whichever matches, so the time taken tells nothing of which key signed.
    let matched = false;
    for (const candidate of ring) {
      const expected = Buffer.from(signWith(candidate, payload));
      if (expected.length === given.length && timingSafeEqual(expected, given)) matched = true;
    }
    return matched;
  };

  return {
    lifetimeSeconds,

    /** A token for one object, valid for `lifetimeSeconds` from `now`. */
    token(bucket: string, objectKey: string, now = Date.now()): string {
      const target: LinkTarget = {
        bucket,
        key: objectKey,
        expiresAt: Math.floor(now / 1000) + lifetimeSeconds,
      };
      const payload = encode(Buffer.from(JSON.stringify([target.bucket, target.key, target.expiresAt])));
      return `${payload}.${sign(payload)}`;
    },

    /** The object a token names, or why it cannot be used. */
    verify(token: string, now = Date.now()): LinkTarget | 'invalid' | 'expired' {
      const [payload, signature, extra] = token.split('.');
      if (!payload || !signature || extra !== undefined) return 'invalid';
      if (!signedByRing(payload, signature)) return 'invalid';
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        return 'invalid';
      }
      if (!Array.isArray(parsed) || parsed.length !== 3) return 'invalid';
      const [bucket, objectKey, expiresAt] = parsed as unknown[];
      if (typeof bucket !== 'string' || typeof objectKey !== 'string' || typeof expiresAt !== 'number')
        return 'invalid';
      if (expiresAt * 1000 <= now) return 'expired';
      return { bucket, key: objectKey, expiresAt };
    },
  };
}
