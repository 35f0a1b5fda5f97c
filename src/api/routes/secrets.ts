import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { requireSameUser, type Principal } from '../../auth/principal.js';
import { ForbiddenError, ValidationError } from '../../errors.js';
import { NAME_PATTERN, SECRET_NAME_PATTERN } from '../../jobs/job-spec.js';
import type { SecretService } from '../../secrets/secret-service.js';
import { unowned } from '../route-access.js';
import { ErrorSchema } from '../schemas.js';

const errors = {
  400: ErrorSchema,
  401: ErrorSchema,
  403: ErrorSchema,
  404: ErrorSchema,
  503: ErrorSchema,
};

const NameParams = Type.Object({
  name: Type.String({
    pattern: SECRET_NAME_PATTERN,
    description:
      'the secret\'s name, which is also the environment variable it becomes: a letter or "_", then letters, digits or "_" (up to 128)',
  }),
});

const UserQuery = Type.Object(
  {
    userId: Type.Optional(
      Type.String({
        pattern: NAME_PATTERN,
        description:
          "whose secrets: a user's key may leave it out (its own) or name itself; an operator names the user",
      }),
    ),
  },
  { additionalProperties: false },
);

const SecretSchema = Type.Object({
  name: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time', description: 'when its value was last set' }),
});

/** Why a path parameter names nothing another user could reach: see route-access.ts. */
const OWN_SECRET = unowned(
  'user',
  "`:name` names a secret of the caller's own user (a user key reaches only its own; an operator key cannot set or delete any)",
);

/**
 * Whose secrets a request is about. A user key: its own (another userId is refused). An operator:
 * the user named, and only to list their names (`forWrite` refused): an operator never sets,
 * replaces or removes what a user's jobs are given. Without authentication (local development)
 * the request names the user.
 */
function ownerOf(principal: Principal, userId: string | undefined, forWrite: boolean): string {
  if (principal.kind === 'user') {
    requireSameUser(principal, userId ?? principal.userId);
    return principal.userId;
  }
  if (forWrite && principal.kind === 'operator') {
    throw new ForbiddenError(
      "an operator key may list the names of a user's secrets, never set or delete them: the user does so with their own key",
    );
  }
  if (userId === undefined) {
    throw ValidationError.at(
      '',
      principal.kind === 'operator'
        ? 'name the user whose secrets to list: ?userId=USER'
        : 'name the user whose secrets these are: ?userId=USER (authentication is off, so no key says who you are)',
    );
  }
  return userId;
}

const view = (secret: { name: string; createdAt: Date; updatedAt: Date }) => ({
  name: secret.name,
  createdAt: secret.createdAt.toISOString(),
  updatedAt: secret.updatedAt.toISOString(),
});

export const secretRoutes: FastifyPluginAsyncTypebox<{ secrets: SecretService }> = async (
  app,
  { secrets },
) => {
  app.put(
    '/secrets/:name',
    {
      config: { access: OWN_SECRET },
      schema: {
        summary: 'Set a secret (create it, or replace its value)',
        description:
          "The value is sealed (AES-256-GCM) before it is stored and is never shown again by any route: jobs name the secret in `secrets` and their containers get it as the environment variable of its name, masked (***) in their logs. A user's own key only (an operator key gets 403). 201 when created, 200 when replaced. Refused: more than TDS_SECRETS_MAX_PER_USER secrets (403), a value over TDS_SECRET_MAX_VALUE_BYTES (400); 503 when the service has no secrets key (TDS_SECRETS_KEY).",
        tags: ['secrets'],
        params: NameParams,
        querystring: UserQuery,
        body: Type.Object(
          { value: Type.String({ minLength: 1, description: 'the secret value (never shown again)' }) },
          { additionalProperties: false },
        ),
        response: {
          200: SecretSchema,
          201: SecretSchema,
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const userId = ownerOf(request.principal, request.query.userId, true);
      if (request.params.name.startsWith('TDS_')) {
        throw ValidationError.at(
          '',
          `secret names starting with TDS_ are reserved for the service: ${request.params.name}`,
        );
      }
      const stored = await secrets.put(userId, request.params.name, request.body.value);
      // The name only: a value is never logged.
      request.log.info({ secret: stored.name, created: stored.created }, 'secret set');
      return reply.status(stored.created ? 201 : 200).send(view(stored));
    },
  );

  app.get(
    '/secrets',
    {
      config: { access: 'user' },
      schema: {
        summary: "A user's secrets: names and dates, never values",
        description:
          "A user's key lists its own; an operator lists any user's with ?userId= (names only: no route shows a value to anyone).",
        tags: ['secrets'],
        querystring: UserQuery,
        response: {
          200: Type.Object({ userId: Type.String(), secrets: Type.Array(SecretSchema) }),
          ...errors,
        },
      },
    },
    async (request) => {
      const userId = ownerOf(request.principal, request.query.userId, false);
      const list = await secrets.list(userId);
      return { userId, secrets: list.map(view) };
    },
  );

  app.delete(
    '/secrets/:name',
    {
      config: { access: OWN_SECRET },
      schema: {
        summary: 'Delete a secret',
        description:
          "A user's own key only (an operator key gets 403). Jobs that name it are refused at their next run's start (input_error, naming it) until it is set again.",
        tags: ['secrets'],
        params: NameParams,
        querystring: UserQuery,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      const userId = ownerOf(request.principal, request.query.userId, true);
      await secrets.remove(userId, request.params.name);
      request.log.info({ secret: request.params.name }, 'secret deleted');
      return reply.status(204).send(null);
    },
  );
};
