import type { SqlExecutor } from '../../services/db/database.js';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../errors.js';
import type { JobSpec } from '../jobs/job-spec.js';
import { bearerToken, looksLikeApiKey } from './api-keys.js';
import { countUserKeys, principalForKey, touchApiKey } from './key-repository.js';
import { checkBuckets, checkCeilings, type Ceilings } from './policy.js';
import { OWNER_LOOKUPS, type OwnerLookup } from './owners.js';
import { canSee, requireSameUser, type Principal } from './principal.js';
import { effectiveCeilings, getUserSettings } from './user-repository.js';

export interface AccessControlDeps {
  db: SqlExecutor;
  /** Off only for loopback-only local development: requests without a key act as an operator. */
  authEnabled: boolean;
  /** Ceilings for users the operator has not given their own. */
  defaultCeilings: Ceilings;
  /** How to find the owner of each kind of thing routes name by id; OWNER_LOOKUPS unless given. */
  owners?: Record<string, OwnerLookup>;
  /** Refuses a job naming secrets its user does not have; no check when not given. */
  secrets?: { requireExisting(userId: string, names: readonly string[]): Promise<void> };
}

export type AccessControl = ReturnType<typeof createAccessControl>;

/** Who may do what: API keys, users' own jobs only, bucket allow-lists and ceilings. */
export function createAccessControl({
  db,
  authEnabled,
  defaultCeilings,
  owners = OWNER_LOOKUPS,
  secrets,
}: AccessControlDeps) {
  /** When this process last recorded each key's use: at most once a minute, off the request's path. */
  const touched = new Map<string, number>();
  function noteUse(keyId: string): void {
    const now = Date.now();
    if (now - (touched.get(keyId) ?? 0) < 60_000) return;
    touched.set(keyId, now);
    void touchApiKey(db, keyId).catch(() => undefined);
  }

  /** Refuses a job (or a workflow's step) naming secrets its user does not have (dry runs too). */
  async function checkSecrets(
    principal: Principal,
    spec: Pick<JobSpec, 'userId' | 'secrets'>,
  ): Promise<void> {
    requireSameUser(principal, spec.userId);
    await secrets?.requireExisting(spec.userId, spec.secrets ?? []);
  }

  return {
    authEnabled,

    /** The principal behind an `Authorization` header (or its absence). */
    async authenticate(authorization: string | undefined): Promise<Principal> {
      const token = bearerToken(authorization);
      if (token === undefined) {
        if (!authEnabled) return { kind: 'local' };
        throw new UnauthorizedError(
          'this service needs an API key: send "Authorization: Bearer <key>" (an operator creates keys with `npm run keys -- create --user <userId>`)',
        );
      }
      if (token === '' || !looksLikeApiKey(token)) {
        throw new UnauthorizedError(
          'the Authorization header must be "Bearer <key>" with a key this service issued (they start with "tds_")',
        );
      }
      const principal = await principalForKey(db, token);
      if (!principal) throw new UnauthorizedError('this API key is not known or has been revoked');
      if (principal.kind !== 'local') noteUse(principal.keyId);
      return principal;
    },

    requireOperator(principal: Principal): void {
      if (principal.kind === 'user') {
        throw new ForbiddenError('this needs an operator key; a user key cannot manage keys or users');
      }
    },

    /**
     * Refuses, before anything is read or stored, a job its caller may not submit: for another
     * user, asking for more than the user's ceilings, (with authentication on) using a bucket
     * or prefix outside the user's allow-list, or naming secrets the user does not have.
     */
    async checkSubmission(principal: Principal, spec: JobSpec): Promise<void> {
      requireSameUser(principal, spec.userId);
      const settings = await getUserSettings(db, spec.userId);
      checkCeilings(spec.userId, effectiveCeilings(defaultCeilings, settings), spec);
      if (authEnabled) checkBuckets(spec.userId, settings?.allowedBuckets ?? [], spec);
      // Only the job's own user's secrets: the names are looked up under spec.userId, checked above.
      await checkSecrets(principal, spec);
    },

    checkSecrets,
    /**
     * Refuses a run about to start that its user may no longer run: the rights a submission was
     * checked against, as they are now. A recurring job's fires, a trigger by hand and a retry all
     * come to a claimed run, so this one check, made as the worker takes the run, covers them
     * all. The rules: the user's ceilings (cpus, memory, time); with authentication on, their
     * bucket allow-list, and their keys: a user who was given keys and has had every one revoked
     * runs nothing more (a user never given a key, whose jobs an operator submits, is not refused
     * for that). Throws a ForbiddenError naming the rule.
     */
    async checkRunRights(spec: JobSpec): Promise<void> {
      const settings = await getUserSettings(db, spec.userId);
      checkCeilings(spec.userId, effectiveCeilings(defaultCeilings, settings), spec);
      if (!authEnabled) return;
      checkBuckets(spec.userId, settings?.allowedBuckets ?? [], spec);
      const keys = await countUserKeys(db, spec.userId);
      if (keys.issued > 0 && keys.active === 0) {
        throw new ForbiddenError(
          `every API key of user "${spec.userId}" has been revoked, so their runs no longer start; ` +
            'an operator can give them a new key (npm run keys -- create --user ...)',
        );
      }
    },

    /** Whether routes may name `kind` as what they serve: its owner can be looked up. */
    knowsOwnerOf(kind: string): boolean {
      return Object.hasOwn(owners, kind);
    },

    /**
     * Lets a user's key reach only its own things: another user's job or run (or any kind in the
     * owner registry) answers exactly as one that does not exist. Operators reach everything, and
     * the route itself answers for an unknown id.
     */
    async requireOwner(principal: Principal, kind: string, id: string): Promise<void> {
      if (principal.kind !== 'user') return;
      const lookup = owners[kind];
      if (!lookup) throw new Error(`no owner lookup for "${kind}"`);
      const owner = await lookup.ownerOf(db, id);
      if (owner === undefined || !canSee(principal, owner)) throw new NotFoundError(lookup.noun, id);
    },
  };
}
