import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Database } from '../../../services/db/database.js';
import { apiKeyEntry, userSettingsEntry } from '../../audit/audit-entries.js';
import type { AuditTrail } from '../../audit/audit-trail.js';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyRecord } from '../../auth/key-repository.js';
import { formatBucketGrant, parseBucketGrant, type Ceilings } from '../../auth/policy.js';
import {
  effectiveCeilings,
  getUserSettings,
  listUserSettings,
  putUserSettings,
  type UserSettings,
} from '../../auth/user-repository.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { isUuid } from '../../ids.js';
import { NAME_PATTERN } from '../../jobs/job-spec.js';
import { ErrorSchema, IdParams } from '../schemas.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema };

const KeySchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  userId: Type.Union([Type.String(), Type.Null()]),
  operator: Type.Boolean(),
  name: Type.String(),
  hint: Type.String({ description: 'the first characters of the key' }),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const CeilingsSchema = Type.Object({
  maxCpus: Type.Number(),
  maxMemoryMb: Type.Integer(),
  maxTimeoutSeconds: Type.Integer(),
  maxConcurrentRuns: Type.Integer(),
});

const UserSchema = Type.Object({
  userId: Type.String(),
  allowedBuckets: Type.Array(Type.String()),
  ceilings: Type.Object({
    maxCpus: Type.Union([Type.Number(), Type.Null()]),
    maxMemoryMb: Type.Union([Type.Integer(), Type.Null()]),
    maxTimeoutSeconds: Type.Union([Type.Integer(), Type.Null()]),
    maxConcurrentRuns: Type.Union([Type.Integer(), Type.Null()]),
  }),
  effectiveCeilings: CeilingsSchema,
});

const UserChangeSchema = Type.Object(
  {
    allowedBuckets: Type.Optional(
      Type.Array(Type.String({ minLength: 3, maxLength: 1024 }), {
        maxItems: 1000,
        description: 'the whole list: entries "bucket" or "bucket/prefix/"',
      }),
    ),
    maxCpus: Type.Optional(Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: 256 }), Type.Null()])),
    maxMemoryMb: Type.Optional(Type.Union([Type.Integer({ minimum: 16, maximum: 1_048_576 }), Type.Null()])),
    maxTimeoutSeconds: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1, maximum: 7 * 86400 }), Type.Null()]),
    ),
    maxConcurrentRuns: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0, maximum: 10_000 }), Type.Null()]),
    ),
  },
  { additionalProperties: false },
);

const UserParams = Type.Object({ userId: Type.String({ pattern: NAME_PATTERN }) });

export function keyView(record: ApiKeyRecord) {
  return {
    ...record,
    createdAt: record.createdAt.toISOString(),
    lastUsedAt: record.lastUsedAt?.toISOString() ?? null,
    revokedAt: record.revokedAt?.toISOString() ?? null,
  };
}

function userView(settings: UserSettings, defaults: Ceilings) {
  return {
    userId: settings.userId,
    allowedBuckets: settings.allowedBuckets.map(formatBucketGrant),
    ceilings: {
      maxCpus: settings.maxCpus,
      maxMemoryMb: settings.maxMemoryMb,
      maxTimeoutSeconds: settings.maxTimeoutSeconds,
      maxConcurrentRuns: settings.maxConcurrentRuns,
    },
    effectiveCeilings: effectiveCeilings(defaults, settings),
  };
}

function unconfigured(userId: string): UserSettings {
  return {
    userId,
    allowedBuckets: [],
    maxCpus: null,
    maxMemoryMb: null,
    maxTimeoutSeconds: null,
    maxConcurrentRuns: null,
  };
}

/** The Fastify instance a route plugin is given, with TypeBox types. */
type TypedApp = Parameters<FastifyPluginAsyncTypebox>[0];

/** Operator routes: API keys, and each user's bucket allow-list and ceilings. */
export const adminRoutes: FastifyPluginAsyncTypebox<{
  db: Database;
  defaultCeilings: Ceilings;
  audit: AuditTrail;
}> = async (app, { db, defaultCeilings, audit }) => {
  keyRoutes(app, db, audit);
  userRoutes(app, db, defaultCeilings, audit);
};

/** API keys created, listed (never the keys themselves) and revoked; each change audited. */
function keyRoutes(app: TypedApp, db: Database, audit: AuditTrail): void {
  app.post(
    '/admin/keys',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Create an API key for a user, or an operator key',
        description: 'The key is in this response only; the service keeps a hash of it.',
        tags: ['admin'],
        body: Type.Object(
          {
            userId: Type.Optional(Type.String({ pattern: NAME_PATTERN })),
            operator: Type.Optional(Type.Boolean()),
            name: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ key: Type.String(), apiKey: KeySchema }), ...errors },
      },
    },
    async (request, reply) => {
      const { userId, operator, name } = request.body;
      if ((userId === undefined) === (operator !== true)) {
        throw new ValidationError('send either "userId" (a user key) or "operator": true (an operator key)');
      }
      const { record, key } = await audit.write(
        db,
        (tx) => createApiKey(tx, userId === undefined ? { operator: true } : { userId }, name ?? ''),
        ({ record: made }) => apiKeyEntry('api_key.created', made),
      );
      request.log.info({ keyId: record.id, forUser: record.userId }, 'API key created');
      return reply.status(201).send({ key, apiKey: keyView(record) });
    },
  );

  app.get(
    '/admin/keys',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'List API keys (never the keys themselves)',
        tags: ['admin'],
        querystring: Type.Object(
          { userId: Type.Optional(Type.String({ pattern: NAME_PATTERN })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ keys: Type.Array(KeySchema) }), ...errors },
      },
    },
    async (request) => ({ keys: (await listApiKeys(db, request.query.userId)).map(keyView) }),
  );

  app.delete(
    '/admin/keys/:id',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Revoke an API key at once',
        tags: ['admin'],
        params: IdParams,
        response: { 200: KeySchema, ...errors },
      },
    },
    async (request) => {
      const { id } = request.params;
      const record = isUuid(id)
        ? await audit.write(
            db,
            (tx) => revokeApiKey(tx, id),
            (revoked) => revoked && apiKeyEntry('api_key.revoked', revoked),
          )
        : undefined;
      if (!record) throw new NotFoundError('API key', id);
      request.log.info({ keyId: id }, 'API key revoked');
      return keyView(record);
    },
  );
}

/** Each user's bucket allow-list and ceilings, read and set; each change audited. */
function userRoutes(app: TypedApp, db: Database, defaultCeilings: Ceilings, audit: AuditTrail): void {
  app.get(
    '/admin/users',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Users with settings: allow-lists and ceilings',
        tags: ['admin'],
        response: { 200: Type.Object({ users: Type.Array(UserSchema) }), ...errors },
      },
    },
    async () => ({ users: (await listUserSettings(db)).map((u) => userView(u, defaultCeilings)) }),
  );

  app.get(
    '/admin/users/:userId',
    {
      config: { access: 'operator' },
      schema: {
        summary: "A user's bucket allow-list and ceilings",
        tags: ['admin'],
        params: UserParams,
        response: { 200: UserSchema, ...errors },
      },
    },
    async (request) => {
      const { userId } = request.params;
      return userView((await getUserSettings(db, userId)) ?? unconfigured(userId), defaultCeilings);
    },
  );

  app.put(
    '/admin/users/:userId',
    {
      config: { access: 'operator' },
      schema: {
        summary: "Set a user's bucket allow-list and ceilings",
        description:
          'Fields left out keep their value; a ceiling set to null falls back to the operator default.',
        tags: ['admin'],
        params: UserParams,
        body: UserChangeSchema,
        response: { 200: UserSchema, ...errors },
      },
    },
    async (request) => {
      const { allowedBuckets, ...ceilings } = request.body;
      const { after: settings } = await audit.write(
        db,
        async (tx) => ({
          before: await getUserSettings(tx, request.params.userId),
          after: await putUserSettings(tx, request.params.userId, {
            ...ceilings,
            ...(allowedBuckets ? { allowedBuckets: allowedBuckets.map(parseBucketGrant) } : {}),
          }),
        }),
        ({ before, after }) => userSettingsEntry(before, after),
      );
      request.log.info({ forUser: settings.userId }, 'user settings changed');
      return userView(settings, defaultCeilings);
    },
  );
}
