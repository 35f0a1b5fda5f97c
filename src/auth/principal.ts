import { ForbiddenError, ValidationError } from '../errors.js';

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

/**
 * Whose things a listing across users covers: a user key must name itself; an operator (and local
 * development) names any user, or no one for every user (undefined).
 */
export function listingScope(principal: Principal, userId: string | undefined): string | undefined {
  if (principal.kind === 'user' && userId === undefined) {
    throw new ValidationError(
      `userId is required with a user's API key: send userId=${principal.userId} (only an operator lists every user's)`,
    );
  }
  if (userId !== undefined) requireSameUser(principal, userId);
  return userId;
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
