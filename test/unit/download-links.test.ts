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
});
