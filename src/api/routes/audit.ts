import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { SqlExecutor } from '../../../services/db/database.js';
import { AUDIT_PAGE_SIZE, readAuditPage } from '../../audit/audit-listing.js';
import type { AuditRow } from '../../audit/audit-repository.js';
import { AUDIT_ACTIONS } from '../../audit/audit-trail.js';
import { ErrorSchema } from '../schemas.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema };

const EntrySchema = Type.Object({
  id: Type.String({ description: 'the row, in the order actions were recorded' }),
  at: Type.String({ format: 'date-time', description: "when, by the database's clock" }),
  actor: Type.Object({
    kind: Type.String({ description: 'operator, user, local (authentication off), cli (npm run keys)' }),
    keyId: Type.Union([Type.String(), Type.Null()], { description: "the API key's id, never the key" }),
    userId: Type.Union([Type.String(), Type.Null()], {
      description: "a user key's user; the machine's account for the keys CLI",
    }),
    address: Type.Union([Type.String(), Type.Null()], {
      description: 'the client address as the API sees it (TDS_TRUST_PROXY); the host for the keys CLI',
    }),
  }),
  action: Type.String({ description: AUDIT_ACTIONS.join(', ') }),
  target: Type.Object({ kind: Type.String(), id: Type.String() }),
  ownerId: Type.Union([Type.String(), Type.Null()], { description: 'the user whose thing was acted on' }),
  summary: Type.Record(Type.String(), Type.Unknown(), {
    description: 'what changed, bounded to 2 KB; never a key or a secret value',
  }),
});

function entryView(row: AuditRow) {
  return { ...row, at: row.at.toISOString() };
}

/** GET /audit: who did what, when and from where; an operator reads all, a user's key its own things'. */
export const auditRoutes: FastifyPluginAsyncTypebox<{ db: SqlExecutor; pageMax: number }> = async (
  app,
  { db, pageMax },
) => {
  app.get(
    '/audit',
    {
      config: { access: 'user' },
      schema: {
        summary: 'The audit log, newest first, a page at a time',
        description:
          "Every operator and owner action: API keys, users' settings, workers' drains, definitions, runs cancelled or retried, webhook endpoints, secrets (names only). An operator key reads every row; a user key the rows about its user's own things.",
        tags: ['admin'],
        querystring: Type.Object(
          {
            from: Type.Optional(
              Type.String({ maxLength: 40, description: 'recorded at or after (ISO 8601)' }),
            ),
            to: Type.Optional(Type.String({ maxLength: 40, description: 'recorded before (ISO 8601)' })),
            actor: Type.Optional(
              Type.String({ minLength: 1, maxLength: 200, description: 'a key id, or a user (their keys)' }),
            ),
            action: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 100,
                description: 'an action (job.paused), or every action on a kind (job.*)',
              }),
            ),
            target: Type.Optional(
              Type.String({ minLength: 1, maxLength: 300, description: 'the id of the thing acted on' }),
            ),
            cursor: Type.Optional(
              Type.String({ maxLength: 200, description: 'nextCursor of the previous page' }),
            ),
            limit: Type.Optional(
              Type.Integer({
                minimum: 1,
                description: `rows in the page (default ${AUDIT_PAGE_SIZE}, at most TDS_AUDIT_PAGE_MAX: ${pageMax})`,
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            entries: Type.Array(EntrySchema),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const page = await readAuditPage(db, request.principal, request.query, pageMax);
      return { entries: page.entries.map(entryView), nextCursor: page.nextCursor };
    },
  );
};
