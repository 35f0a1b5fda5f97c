import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AuditActor } from '../audit/audit-repository.js';
import type { AuditTrail } from '../audit/audit-trail.js';

/** Who a request acts as in the audit log: its key's id and user, and its client address. */
export function requestActor(request: FastifyRequest): AuditActor | undefined {
  const principal = request.principal as FastifyRequest['principal'] | null;
  // request.ip follows TDS_TRUST_PROXY: X-Forwarded-For names the client only behind trusted proxies.
  const address = request.ip;
  if (!principal) return undefined;
  if (principal.kind === 'user')
    return { kind: 'user', keyId: principal.keyId, userId: principal.userId, address };
  if (principal.kind === 'operator')
    return { kind: 'operator', keyId: principal.keyId, userId: null, address };
  return { kind: 'local', keyId: null, userId: null, address };
}

/**
 * Names the one acting for every audit record a request's handler makes (see audit-trail.ts):
 * after authentication, so the key is known. A callback hook: the handler runs within `as`.
 */
export const auditActorPlugin = fp<{ audit: Pick<AuditTrail, 'as'> }>(
  async (app: FastifyInstance, { audit }) => {
    app.addHook('preHandler', (request, _reply, done) => {
      const actor = requestActor(request);
      if (actor) audit.as(actor, done);
      else done();
    });
  },
  { name: 'audit-actor', dependencies: ['auth'] },
);
