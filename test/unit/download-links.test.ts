import { describe, expect, it } from 'vitest';
import { createDownloadLinks } from '../../src/runs/download-links.js';

describe('download links', () => {
  const links = createDownloadLinks({ secret: 'x'.repeat(32), lifetimeSeconds: 60 });
  const now = Date.UTC(2026, 0, 1);

  it('names the object it was made for until it expires', () => {
    const token = links.token('bucket', 'out/job/run/output/a b.txt', now);
    expect(links.verify(token, now + 59_000)).toEqual({
      bucket: 'bucket',
      key: 'out/job/run/output/a b.txt',
      expiresAt: now / 1000 + 60,
    });
    expect(links.verify(token, now + 60_000)).toBe('expired');
  });

  it('refuses a token changed in any way, or signed with another secret', () => {
    const token = links.token('bucket', 'key', now);
    const [payload, signature] = token.split('.');
    const other = Buffer.from(JSON.stringify(['bucket', 'other-key', now / 1000 + 60])).toString('base64url');
    expect(links.verify(`${other}.${signature}`, now)).toBe('invalid');
    expect(links.verify(`${payload}.${signature}x`, now)).toBe('invalid');
    expect(links.verify(payload!, now)).toBe('invalid');
    const elsewhere = createDownloadLinks({ secret: 'y'.repeat(32), lifetimeSeconds: 60 });
    expect(elsewhere.verify(token, now)).toBe('invalid');
  });

  it('opens links signed with an accepted key across a rotation, and refuses a key in neither setting', () => {
    const oldKey = 'o'.repeat(32);
    const newKey = 'n'.repeat(32);
    const before = createDownloadLinks({ secret: oldKey, lifetimeSeconds: 60 });
    const oldLink = before.token('bucket', 'key', now);
    // Step 1: the new key accepted beside the old one, which still signs.
    const accepting = createDownloadLinks({ secret: oldKey, acceptedSecrets: [newKey], lifetimeSeconds: 60 });
    // Step 2: the new key signs, the old one is accepted until its links have expired.
    const rotated = createDownloadLinks({ secret: newKey, acceptedSecrets: [oldKey], lifetimeSeconds: 60 });
    const newLink = rotated.token('bucket', 'key', now);
    expect(rotated.verify(oldLink, now)).toMatchObject({ bucket: 'bucket', key: 'key' });
    expect(accepting.verify(newLink, now)).toMatchObject({ bucket: 'bucket', key: 'key' });
    expect(rotated.token('bucket', 'key', now)).not.toBe(oldLink);
    // Step 3: the old key dropped; and a key in neither setting never opens a link.
    const after = createDownloadLinks({ secret: newKey, lifetimeSeconds: 60 });
    expect(after.verify(oldLink, now)).toBe('invalid');
    expect(after.verify(newLink, now)).toMatchObject({ key: 'key' });
    const unknown = createDownloadLinks({ secret: 'u'.repeat(32), lifetimeSeconds: 60 }).token(
      'bucket',
      'key',
      now,
    );
    expect(rotated.verify(unknown, now)).toBe('invalid');
    expect(accepting.verify(unknown, now)).toBe('invalid');
  });
});
