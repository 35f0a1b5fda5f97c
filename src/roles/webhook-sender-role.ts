import { createWebhookSender, type WebhookSender } from '../webhooks/sender.js';
import type { SigningKey } from '../webhooks/secrets.js';
import type { SharedParts } from './shared-parts.js';

/**
 * The webhook sender, run in every worker process: a loop of its own beside the worker's, with its
 * own bounded number of sends, so a slow or dead receiver never holds a run. Senders in many
 * processes share the deliveries through the database.
 */
export function createWebhookSenderRole(
  { config, logger, db, signals, metrics }: SharedParts,
  signingKey: SigningKey,
): WebhookSender {
  return createWebhookSender({
    db,
    logger: logger.child({ part: 'webhooks' }),
    signingKey,
    allowPrivate: config.webhooks.allowPrivate,
    concurrency: config.webhooks.concurrency,
    sendsPerUser: config.webhooks.sendsPerUser,
    pollIntervalMs: config.webhooks.pollIntervalMs,
    wakeOn: [signals.runEnded, signals.runQueued],
    onAttempt: (result, seconds) => metrics.observeDelivery(result, seconds),
  });
}
