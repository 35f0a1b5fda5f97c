import type { FastifyBaseLogger } from 'fastify';
import Type, { type TSchema } from 'typebox';
import type { FollowChange } from '../versions/new-version.js';
import type { EndpointOwner, WebhookService } from '../webhooks/webhook-service.js';
import { notifySchema } from './schemas.js';
import { notifyView } from './views.js';

/** What PUT /jobs/:id and PUT /workflows/:id have in common: how they answer, and their notify_url. */

type Kind = EndpointOwner['kind'];
type Made = Awaited<ReturnType<WebhookService['followNotifyUrl']>>;

/** The answer to an update: `{ [kind]: item, changed, version, notify? }`. */
export function updateAnswerSchema<K extends Kind, S extends TSchema>(kind: K, item: S) {
  return Type.Object({
    [kind]: item,
    changed: Type.Boolean(),
    version: Type.Integer(),
    notify: notifySchema(`when notify_url was added and the ${kind} had no endpoint for it`),
  } as { [P in K]: S } & {
    changed: ReturnType<typeof Type.Boolean>;
    version: ReturnType<typeof Type.Integer>;
    notify: ReturnType<typeof notifySchema>;
  });
}

/**
 * The job's (workflow's) own endpoint follows its notify_url, in the transaction that stores the
 * update: `urlOf` reads the notify_url of a definition, `userOf` whose it is.
 */
export function followingNotifyUrl<D>(
  webhooks: Pick<WebhookService, 'followNotifyUrl'>,
  owner: EndpointOwner,
  urlOf: (definition: D) => string | undefined,
  userOf: (definition: D) => string,
): FollowChange<D, Made> {
  return (tx, before, after) =>
    webhooks.followNotifyUrl(tx, { ...owner, userId: userOf(after) }, urlOf(before), urlOf(after));
}

/** Logs an update and answers it; `notify` only when an endpoint was made for an added notify_url. */
export function updateAnswer<K extends Kind, V>(
  log: FastifyBaseLogger,
  kind: K,
  stored: { id: string; version: number },
  view: V,
  changed: boolean,
  followed: Made,
) {
  log.info(
    { [`${kind}Id`]: stored.id, changed, version: stored.version },
    changed ? `${kind} updated` : `${kind} unchanged`,
  );
  return {
    ...({ [kind]: view } as { [P in K]: V }),
    changed,
    version: stored.version,
    ...notifyView(followed),
  };
}
