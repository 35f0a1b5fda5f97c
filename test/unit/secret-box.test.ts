import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyIdOf, open, parseSecretsKey, seal } from '../../src/secrets/secret-box.js';

describe('sealing secret values', () => {
  const key = randomBytes(32);

  it('opens what it sealed, with a fresh IV each time', () => {
    const a = seal(key, 'alice', 'API_TOKEN', 'tok-123 é');
    const b = seal(key, 'alice', 'API_TOKEN', 'tok-123 é');
    expect(a).not.toBe(b);
    expect(a).not.toContain('tok-123');
    expect(open(key, 'alice', 'API_TOKEN', a)).toBe('tok-123 é');
  });

  it('does not open with another key, for another user or name, or altered', () => {
    const sealed = seal(key, 'alice', 'API_TOKEN', 'tok-123');
    expect(open(randomBytes(32), 'alice', 'API_TOKEN', sealed)).toBeUndefined();
    expect(open(key, 'bob', 'API_TOKEN', sealed)).toBeUndefined();
    expect(open(key, 'alice', 'OTHER', sealed)).toBeUndefined();
    const [format, iv, ciphertext, tag] = sealed.split('.');
    const flipped = Buffer.from(ciphertext!, 'base64');
    flipped[0] = flipped[0]! ^ 1;
    expect(
      open(key, 'alice', 'API_TOKEN', [format, iv, flipped.toString('base64'), tag].join('.')),
    ).toBeUndefined();
    expect(open(key, 'alice', 'API_TOKEN', 'garbage')).toBeUndefined();
  });

  it('takes a key as 64 hex digits or base64 of 32 bytes, and says what is wrong otherwise', () => {
    expect(parseSecretsKey(key.toString('hex'))).toEqual(key);
    expect(parseSecretsKey(key.toString('base64'))).toEqual(key);
    expect(parseSecretsKey(key.toString('base64url'))).toEqual(key);
    for (const bad of [
      'short',
      randomBytes(16).toString('base64'),
      'z'.repeat(64),
      randomBytes(33).toString('hex'),
    ]) {
      const problem = parseSecretsKey(bad);
      expect(typeof problem).toBe('string');
      // The message never repeats the text given.
      expect(problem as string).not.toContain(bad);
      expect(problem as string).toContain('32 bytes');
    }
  });

  it('names a key by a fingerprint that tells keys apart', () => {
    expect(keyIdOf(key)).toMatch(/^[0-9a-f]{16}$/);
    expect(keyIdOf(key)).toBe(keyIdOf(Buffer.from(key)));
    expect(keyIdOf(randomBytes(32))).not.toBe(keyIdOf(key));
  });
});
