import { AsyncLocalStorage } from 'node:async_hooks';
import type { Database, SqlExecutor } from '../../services/db/database.js';
import { insertAuditRow, type AuditActor, type NewAuditRow } from './audit-repository.js';

/** Every action the audit log records, by name (docs/audit.md lists what each means). */
export const AUDIT_ACTIONS = [
  'api_key.created',
  'api_key.revoked',
  'user.settings_changed',
  'worker.drained',
  'worker.undrained',
  'worker.retired',
  'job.created',
  'job.updated',
  'job.schedule_changed',
  'job.paused',
  'job.resumed',
  'job.triggered',
  'job.backfilled',
  'job.deleted',
  'workflow.created',
  'workflow.updated',
  'workflow.schedule_changed',
  'workflow.paused',
  'workflow.resumed',
  'workflow.triggered',
  'workflow.backfilled',
  'workflow.deleted',
  'run.cancelled',
  'workflow_run.cancelled',
  'workflow_run.retried',
  'webhook.created',
  'webhook.secret_rotated',
  'webhook.enabled',
  'webhook.disabled',
  'webhook.deleted',
  'webhook.redelivered',
  'secret.set',
  'secret.deleted',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One change as the code that makes it describes it; who made it comes from the request. */
export interface AuditEntry {
  action: AuditAction;
  /** The thing acted on: `{ kind: 'job', id }`. */
  target: { kind: string; id: string };
  /** The user whose thing it is (their key reads the row); null: an operator's alone. */
  ownerId: string | null;
  /** A short description of the change: what moved, before and after. Never a secret. */
  summary?: Record<string, unknown>;
}

/** The most a summary takes, as JSON; a longer one keeps its field names only. */
export const SUMMARY_MAX_BYTES = 2048;
const TEXT_MAX_CHARS = 200;
/** Field names a summary may not carry: the values they name are secrets. */
const SECRET_FIELDS = new Set(['key', 'secret', 'value', 'token', 'password', 'sealed']);

/** A summary cut to its bound: long texts shortened, and past SUMMARY_MAX_BYTES its field names only. */
export function boundSummary(summary: Record<string, unknown>): Record<string, unknown> {
  const secret = Object.keys(summary).find((name) => SECRET_FIELDS.has(name.toLowerCase()));
  if (secret !== undefined) throw new TypeError(`an audit summary may not carry "${secret}"`);
  const short = Object.fromEntries(
    Object.entries(summary).map(([name, value]) => [
      name,
      typeof value === 'string' && value.length > TEXT_MAX_CHARS
        ? `${value.slice(0, TEXT_MAX_CHARS)}…`
        : value,
    ]),
  );
  const bytes = Buffer.byteLength(JSON.stringify(short));
  if (bytes <= SUMMARY_MAX_BYTES) return short;
  return { omitted: `a summary of ${bytes} bytes, over ${SUMMARY_MAX_BYTES}`, fields: Object.keys(summary) };
}

/** The actor of work done by the service itself, outside any request (none of the actions above today). */
const SERVICE: AuditActor = { kind: 'service', keyId: null, userId: null, address: null };

export type AuditTrail = ReturnType<typeof createAuditTrail>;

/**
 * Records operator and owner actions in the transaction of the change they describe. Who acts is
 * set once per request (`as`, by the API's hook once the key is known; by the keys CLI for its
 * command), so the code that makes a change says only what it changed: `audit.record(tx, {...})`
 * beside the write, `audit.write(db, write, entryOf)` for a change made in one statement, or
 * `audit.rowOf(entry)` for a statement that writes its audit row itself.
 */
export function createAuditTrail() {
  const current = new AsyncLocalStorage<AuditActor>();

  function rowOf(entry: AuditEntry): NewAuditRow {
    return {
      actor: current.getStore() ?? SERVICE,
      action: entry.action,
      target: entry.target,
      ownerId: entry.ownerId,
      summary: boundSummary(entry.summary ?? {}),
    };
  }

  async function record(tx: SqlExecutor, entry: AuditEntry): Promise<void> {
    await insertAuditRow(tx, rowOf(entry));
  }

  return {
    /** Runs `fn` with `actor` as the one acting, for every record made within it. */
    as<T>(actor: AuditActor, fn: () => T): T {
      return current.run(actor, fn);
    },

    /** Who acts now (the service itself outside a request). */
    actor(): AuditActor {
      return current.getStore() ?? SERVICE;
    },

    /** Records `entry` in `tx`, the transaction of the change it describes. */
    record,

    /**
     * The row `entry` makes, with who acts now: for a change that writes its own audit row in its
     * one statement (audit-repository.ts's auditRowCte).
     */
    rowOf,

    /**
     * Makes a change with `change` in a transaction and records what `entryOf` says of its result
     * there; nothing is recorded when `entryOf` answers undefined (nothing changed: unknown id).
     */
    async write<T>(
      db: Pick<Database, 'transaction'>,
      change: (tx: SqlExecutor) => Promise<T>,
      entryOf: (result: T) => AuditEntry | undefined,
    ): Promise<T> {
      return db.transaction(async (tx) => {
        const result = await change(tx);
        const entry = entryOf(result);
        if (entry) await record(tx, entry);
        return result;
      });
    },
  };
}
