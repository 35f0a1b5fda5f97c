import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { endpointSecret, secretsInForce, signDelivery } from '../../src/webhooks/secrets.js';

/** A receiver as the Standard Webhooks libraries are: one secret, verifying the headers it is sent. */
function receives(
  secret: string,
  keys: string[],
  endpoint = { endpointId: 'e1', secretGeneration: 1, previousSecretValid: false },
) {
  const body = '{"type":"run.succeeded"}';
  const at = new Date();
  const headers = {
    'webhook-id': 'msg_1',
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signDelivery(secretsInForce(keys, endpoint), 'msg_1', at, body),
  };
  try {
    new Webhook(secret).verify(body, headers);
    return true;
  } catch {
    return false;
  }
}

describe('rotating the webhook signing key', () => {
  const oldKey = 'o'.repeat(32);
  const newKey = 'n'.repeat(32);
  const heldSecret = endpointSecret(oldKey, 'e1', 1);

  it('keeps a receiver holding a secret derived from the old key verifying through the overlap', () => {
    expect(receives(heldSecret, [oldKey])).toBe(true);
    // Step 1: the new key accepted; step 2: the new key signs, the old one accepted.
    expect(receives(heldSecret, [oldKey, newKey])).toBe(true);
    expect(receives(heldSecret, [newKey, oldKey])).toBe(true);
    // The endpoint's secret rotated after step 2 comes from the new key, and verifies once the old key is dropped.
    const rotated = { endpointId: 'e1', secretGeneration: 2, previousSecretValid: true };
    expect(receives(endpointSecret(newKey, 'e1', 2), [newKey], rotated)).toBe(true);
  });

  it('refuses a secret derived from a key in neither setting, and the old one once it is dropped', () => {
    expect(receives(heldSecret, [newKey])).toBe(false);
    expect(receives(endpointSecret('u'.repeat(32), 'e1', 1), [newKey, oldKey])).toBe(false);
  });

  it('signs with each generation in force from each key, once each', () => {
    const endpoint = { endpointId: 'e1', secretGeneration: 2, previousSecretValid: true };
    expect(secretsInForce([oldKey], endpoint)).toEqual([
      endpointSecret(oldKey, 'e1', 2),
      endpointSecret(oldKey, 'e1', 1),
    ]);
    expect(secretsInForce([newKey, oldKey, newKey], endpoint)).toHaveLength(4);
  });
});
