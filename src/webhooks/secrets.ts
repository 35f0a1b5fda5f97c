import { createHmac, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { SqlExecutor } from '../../services/db/database.js';

/**
 * Endpoint secrets are never stored. Each is derived from the service's signing key, the
 * endpoint's id and its secret's generation: `whsec_` + base64(HMAC-SHA256(key, "<id>:<generation>")).
 * A copy of the database alone (a dump, a backup, a read replica) then yields no secret, as long
 * as the signing key is kept elsewhere (TDS_WEBHOOK_SIGNING_KEY, from a secrets manager). Without
 * that setting the key is made once and kept in the database (table webhook_signing_key), which
 * is as safe as the database: fine on one machine, not for production (the service warns).
 */

export interface SigningKey {
  /**
   * The key new secrets are derived from, whether it lives in the database (TDS_WEBHOOK_SIGNING_KEY
   * unset), and the accepted keys of a rotation (TDS_WEBHOOK_SIGNING_KEYS_ACCEPTED): secrets derived
   * from them sign deliveries too, and are never shown.
   */
  get(): Promise<{ key: string; inDatabase: boolean; accepted: readonly string[] }>;
}

export function createSigningKey(
  db: SqlExecutor,
  configured: string | undefined,
  accepted: readonly string[] = [],
): SigningKey {
  let cached: Promise<{ key: string; inDatabase: boolean; accepted: readonly string[] }> | undefined;
  return {
    get() {
      if (configured) return Promise.resolve({ key: configured, inDatabase: false, accepted });
      cached ??= (async () => {
        await db.query(
          'INSERT INTO webhook_signing_key (key) VALUES ($1) ON CONFLICT (only_row) DO NOTHING',
          [randomBytes(32).toString('base64')],
        );
        const [row] = await db.query<{ key: string }>('SELECT key FROM webhook_signing_key');
        return { key: row!.key, inDatabase: true, accepted };
      })().catch((error: unknown) => {
        cached = undefined;
        throw error;
      });
      return cached;
    },
  };
}

/** The `whsec_` secret of an endpoint's generation of secret. */
export function endpointSecret(key: string, endpointId: string, generation: number): string {
  const digest = createHmac('sha256', key).update(`${endpointId}:${generation}`).digest('base64');
  return `whsec_${digest}`;
}

/**
 * The secrets that sign a delivery to an endpoint: its generation's, and the previous generation's
 * during a secret's rotation, each derived from every key of the ring (the signing key first, then
 * the accepted keys of a signing key's rotation), without repeats.
 */
export function secretsInForce(
  keys: readonly string[],
  endpoint: { endpointId: string; secretGeneration: number; previousSecretValid: boolean },
): string[] {
  const generations = [endpoint.secretGeneration];
  if (endpoint.previousSecretValid && endpoint.secretGeneration > 1)
    generations.push(endpoint.secretGeneration - 1);
  const secrets = generations.flatMap((generation) =>
    keys.map((key) => endpointSecret(key, endpoint.endpointId, generation)),
  );
  return [...new Set(secrets)];
}

/**
 * The `webhook-signature` header value: `v1,<signature>` with each secret in force, separated by
 * spaces (during a rotation both the new and the previous secret sign, as the specification allows).
 */
export function signDelivery(secrets: string[], messageId: string, timestamp: Date, body: string): string {
  return secrets.map((secret) => new Webhook(secret).sign(messageId, timestamp, body)).join(' ');
}
