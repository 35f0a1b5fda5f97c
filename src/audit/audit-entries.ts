import type { ApiKeyRecord } from '../auth/key-repository.js';
import { formatBucketGrant } from '../auth/policy.js';
import type { UserSettings } from '../auth/user-repository.js';
import type { AuditEntry } from './audit-trail.js';

/** Audit records written by more than one writer (the admin routes and the keys CLI), in one place. */

/** The audit record of a key made or revoked: its id, whose it is, its name; never the key. */
export function apiKeyEntry(action: 'api_key.created' | 'api_key.revoked', record: ApiKeyRecord): AuditEntry {
  return {
    action,
    target: { kind: 'api_key', id: record.id },
    ownerId: record.userId,
    summary: { operator: record.operator, forUser: record.userId, name: record.name },
  };
}

/** The audit record of a user's settings changed: the ceilings and allow-list before and after. */
export function userSettingsEntry(before: UserSettings | undefined, after: UserSettings): AuditEntry {
  const shown = (settings: UserSettings) => ({
    allowedBuckets: settings.allowedBuckets.map(formatBucketGrant),
    maxCpus: settings.maxCpus,
    maxMemoryMb: settings.maxMemoryMb,
    maxTimeoutSeconds: settings.maxTimeoutSeconds,
    maxConcurrentRuns: settings.maxConcurrentRuns,
  });
  return {
    action: 'user.settings_changed',
    target: { kind: 'user', id: after.userId },
    ownerId: after.userId,
    summary: { before: before ? shown(before) : null, after: shown(after) },
  };
}
