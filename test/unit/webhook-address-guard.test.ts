import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, isPrivateAddress } from '../../src/webhooks/address-guard.js';
import { retryAfter } from '../../src/webhooks/post-webhook.js';

describe('addresses webhooks may not reach without the operator’s leave', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd00:ec2::254',
    'fc00::1',
    '::ffff:127.0.0.1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::10.0.0.1',
  ])('refuses %s', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    'allows %s',
    (address) => {
      expect(isPrivateAddress(address)).toBe(false);
    },
  );

  it('refuses URLs that are not http(s), hold credentials, or name a private address', async () => {
    await expect(checkWebhookUrl('ftp://example.com/x', 'url', false)).rejects.toThrow(/http or https/);
    await expect(checkWebhookUrl('not a url', 'url', false)).rejects.toThrow(/absolute/);
    await expect(checkWebhookUrl('https://user:pw@example.com/x', 'url', false)).rejects.toThrow(
      /user name or password/,
    );
    await expect(checkWebhookUrl('http://[::1]:8080/x', 'url', false)).rejects.toThrow(
      /TDS_WEBHOOK_ALLOW_PRIVATE/,
    );
    await expect(checkWebhookUrl('http://127.0.0.1/x', 'url', true)).resolves.toBeInstanceOf(URL);
  });
});

describe('Retry-After', () => {
  it('takes seconds or an HTTP date, at most a day, and ignores what it cannot read', () => {
    expect(retryAfter('120')).toBe(120);
    expect(retryAfter(undefined)).toBeNull();
    expect(retryAfter('soon')).toBeNull();
    expect(retryAfter('9999999')).toBe(86_400);
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    expect(retryAfter(inAMinute)).toBeGreaterThan(55);
    expect(retryAfter(inAMinute)).toBeLessThanOrEqual(60);
    expect(retryAfter(new Date(Date.now() - 60_000).toUTCString())).toBe(0);
  });
});
