import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Sealing of secret values at rest: AES-256-GCM with a random 96-bit IV per value (GCM's own size:
 * a random IV of that length is safe for far more values than a user may keep), and the owner's
 * userId and the secret's name as associated data, so that a sealed value copied onto another
 * user's row, or another name, fails to open instead of handing over its value.
 */

export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The sealed form's version, so another cipher can come later beside this one. */
const FORMAT = 'v1';

/** The key as a fact, or why the text given will not do (the text itself is never repeated). */
export function parseSecretsKey(raw: string): Buffer | string {
  const text = raw.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const key = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === KEY_BYTES) return key;
  }
  return `must be ${KEY_BYTES} bytes as 64 hex digits or 44 characters of base64 (make one with \`openssl rand -base64 32\`); the value given is ${text.length} characters long`;
}

/** A short fingerprint of the key: which key sealed a value, without saying anything of the key. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('tds-secrets-key-id\0').update(key).digest('hex').slice(0, 16);
}

function associatedData(userId: string, name: string): Buffer {
  // Neither a userId nor a secret name can hold a NUL: the pair reads one way only.
  return Buffer.from(`${userId}\0${name}`, 'utf8');
}

/** `v1.<iv>.<ciphertext>.<tag>`, each part base64. */
export function seal(key: Buffer, userId: string, name: string, value: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(userId, name));
  const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [FORMAT, iv.toString('base64'), ciphertext.toString('base64'), tag.toString('base64')].join('.');
}

/** The value, or undefined when the sealed text does not open with this key for this user and name. */
export function open(key: Buffer, userId: string, name: string, sealed: string): string | undefined {
  const [format, iv, ciphertext, tag, ...rest] = sealed.split('.');
  if (format !== FORMAT || iv === undefined || ciphertext === undefined || tag === undefined || rest.length)
    return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(associatedData(userId, name));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    return undefined;
  }
}
