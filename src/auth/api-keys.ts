import { createHash, randomBytes } from 'node:crypto';

/** Every key starts with this, so a leaked one is easy to recognise (and to scan for). */
export const KEY_PREFIX = 'tds_';
const KEY_PATTERN = /^tds_[A-Za-z0-9_-]{43}$/;

export interface NewApiKey {
  /** The key itself: shown once, when it is made, and never stored. */
  key: string;
  /** What is stored: a SHA-256 of the key (keys are 256 random bits, so no slow hash is needed). */
  hash: string;
  /** The first characters, to tell keys apart in listings. */
  hint: string;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function generateApiKey(): NewApiKey {
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashApiKey(key), hint: `${key.slice(0, KEY_PREFIX.length + 6)}…` };
}

export function looksLikeApiKey(value: string): boolean {
  return KEY_PATTERN.test(value);
}

/** The key in an `Authorization: Bearer <key>` header; undefined when there is no such header. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : '';
}
