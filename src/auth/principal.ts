import { ForbiddenError } from '../errors.js';

/** Who is making a request. */
export type Principal =
  | { kind: 'user'; userId: string; keyId: string }
  | { kind: 'operator'; keyId: string }
  /** Authentication is off (loopback-only local development): acts as an operator. */
  | { kind: 'local' };

export function actsForAnyUser(principal: Principal): boolean {
  return principal.kind !== 'user';
}

/** A user may only name themselves; operators (and local development) may name anyone. */
export function requireSameUser(principal: Principal, userId: string): void {
  if (principal.kind === 'user' && principal.userId !== userId) {
    throw new ForbiddenError(
      `this API key belongs to user "${principal.userId}" and cannot act for user "${userId}"; send "userId": "${principal.userId}"`,
    );
  }
}

/** Whether the principal may see a job or run of `ownerId` (someone else's reads as not found). */
export function canSee(principal: Principal, ownerId: string): boolean {
  return principal.kind !== 'user' || principal.userId === ownerId;
}

export function describePrincipal(principal: Principal): Record<string, string> {
  if (principal.kind === 'user') return { userId: principal.userId, keyId: principal.keyId };
  if (principal.kind === 'operator') return { operatorKeyId: principal.keyId };
  return { auth: 'off' };
}
