import type { AuditEntry, AuditTrail } from '../audit/audit-trail.js';
import type { Database } from '../../services/db/database.js';
import {
  ForbiddenError,
  RequestError,
  RunFailure,
  SecretsNotConfiguredError,
  UnprocessableError,
  ValidationError,
} from '../errors.js';
import { describeBytes } from '../sizes.js';
import { keyIdOf, open, seal } from './secret-box.js';
import {
  deleteSecret,
  existingSecretNames,
  listSecrets,
  putSecret,
  sealedSecrets,
  type SecretRow,
} from './secret-repository.js';

export interface SecretServiceDeps {
  db: Database;
  /** The key values are sealed with; undefined when the service has none (secrets unavailable). */
  key: Buffer | undefined;
  /** The most secrets one user may keep (TDS_SECRETS_MAX_PER_USER). */
  maxPerUser: number;
  /** The largest value, in bytes of UTF-8 (TDS_SECRET_MAX_VALUE_BYTES). */
  maxValueBytes: number;
  /** Secrets set and deleted are recorded in their transaction, by name only. */
  audit: Pick<AuditTrail, 'write'>;
}

/** Whose secrets a run uses, and which. */
export interface RunSecrets {
  id: string;
  userId: string;
  names: readonly string[];
}

export type SecretService = ReturnType<typeof createSecretService>;

/** A name the user has no secret under (404, as an unknown id). */
export class SecretNotFoundError extends RequestError {
  readonly statusCode = 404;
  readonly code = 'not_found';
  constructor(userId: string, name: string) {
    super(`user "${userId}" has no secret named "${name}"; \`GET /secrets\` lists them`);
    this.name = 'SecretNotFoundError';
  }
}

/**
 * The most this process keeps of the values it gave runs (kept so that they are masked even once
 * deleted or replaced), in characters: the oldest runs' are forgotten first. Runs end and are forgotten
 * in the process that started them; this bounds what runs taken over elsewhere leave behind.
 */
const REMEMBERED_BYTES = 64 * 1024 * 1024;

/**
 * A user's secrets: set, listed (names and dates), deleted; checked when a job names them; opened
 * for a run when it starts, and for masking its logs. Values are sealed before they reach the
 * database and opened only here; nothing here logs or returns a value but `forRun` and `maskFor`.
 */
export function createSecretService(deps: SecretServiceDeps) {
  const { db, key, audit } = deps;
  const given = createGivenValues();
  return {
    /** Whether secrets can be set and used here. */
    get configured(): boolean {
      return key !== undefined;
    },

    put: (userId: string, name: string, value: string) => putValue(deps, userId, name, value),

    async list(userId: string): Promise<SecretRow[]> {
      return listSecrets(db, userId);
    },

    async remove(userId: string, name: string): Promise<void> {
      const deleted = await audit.write(
        db,
        (tx) => deleteSecret(tx, userId, name),
        (found) => (found ? secretEntry('secret.deleted', userId, name) : undefined),
      );
      if (!deleted) throw new SecretNotFoundError(userId, name);
    },

    /**
     * Refuses (422) a job naming secrets its user does not have, naming each, or (503) any secret
     * at all when the service has no key: checked at submit and dry run, before anything is stored.
     */
    requireExisting: (userId: string, names: readonly string[]) => requireExisting(deps, userId, names),

    /**
     * The environment a run's container gets from its secrets, opened now, at its start. A secret
     * deleted since the job was stored, or one that does not open, fails the run (`input_error`)
     * saying which and what to do.
     */
    forRun: (run: RunSecrets) => openForRun(deps, given, run),

    /**
     * The values to mask in a run's logs: those it was started with in this process, and the
     * current values of the secrets it names. Throws when a value it names cannot be opened here
     * and was not given by this process: its logs cannot be shown masked.
     */
    maskFor: (run: RunSecrets) => valuesToMask(deps, given, run),

    /** The run has ended here: its values are forgotten. */
    forget: (runId: string) => given.forget(runId),
  };
}

/**
 * The values each run started in this process was given, so they stay masked if deleted or
 * replaced; the oldest runs' are forgotten past `REMEMBERED_BYTES`.
 */
function createGivenValues() {
  const remembered = new Map<string, string[]>();
  let rememberedBytes = 0;
  const sizeOf = (values: string[]) => values.reduce((sum, value) => sum + value.length, 0);
  function forget(runId: string): void {
    const values = remembered.get(runId);
    if (!values) return;
    rememberedBytes -= sizeOf(values);
    remembered.delete(runId);
  }
  function remember(runId: string, values: string[]): void {
    forget(runId);
    remembered.set(runId, values);
    rememberedBytes += sizeOf(values);
    for (const oldest of remembered.keys()) {
      if (rememberedBytes <= REMEMBERED_BYTES || oldest === runId) break;
      forget(oldest);
    }
  }
  return { remember, forget, of: (runId: string) => remembered.get(runId) ?? [] };
}

type GivenValues = ReturnType<typeof createGivenValues>;

/** The audit entry of a secret set or deleted: its name, never its value. */
function secretEntry(
  action: 'secret.set' | 'secret.deleted',
  userId: string,
  name: string,
  created?: boolean,
): AuditEntry {
  return {
    action,
    target: { kind: 'secret', id: `${userId}/${name}` },
    ownerId: userId,
    summary: { name, ...(created === undefined ? {} : { created }) },
  };
}

function requireKey(key: Buffer | undefined): Buffer {
  if (!key) throw new SecretsNotConfiguredError();
  return key;
}

/** Sets a secret, sealed: refused past the value size or the number a user may keep. */
async function putValue(
  { db, key, maxPerUser, maxValueBytes, audit }: SecretServiceDeps,
  userId: string,
  name: string,
  value: string,
): Promise<SecretRow & { created: boolean }> {
  const sealingKey = requireKey(key);
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > maxValueBytes) {
    throw ValidationError.at(
      '/value',
      `the value is ${describeBytes(bytes)}; a secret's value may be at most ${describeBytes(maxValueBytes)} (TDS_SECRET_MAX_VALUE_BYTES): keep larger material in an input file`,
    );
  }
  const sealed = { name, sealed: seal(sealingKey, userId, name, value), keyId: keyIdOf(sealingKey) };
  const stored = await audit.write(
    db,
    (tx) => putSecret(tx, userId, sealed, maxPerUser),
    (put) => put && secretEntry('secret.set', userId, name, put.created),
  );
  if (!stored) {
    throw new ForbiddenError(
      `user "${userId}" already has ${maxPerUser} secrets, the most one user may keep (TDS_SECRETS_MAX_PER_USER): delete one with DELETE /secrets/NAME, or replace an existing name`,
    );
  }
  return { ...stored.row, created: stored.created };
}

async function requireExisting(
  { db, key }: SecretServiceDeps,
  userId: string,
  names: readonly string[],
): Promise<void> {
  if (names.length === 0) return;
  requireKey(key);
  const found = await existingSecretNames(db, userId, names);
  const missing = names.filter((name) => !found.has(name));
  if (missing.length === 0) return;
  throw new UnprocessableError(
    `user "${userId}" has no secret named ${missing.map((n) => `"${n}"`).join(', ')}: set ${missing.length === 1 ? 'it' : 'them'} first (PUT /secrets/NAME, or \`tds secrets set NAME\`), or drop ${missing.length === 1 ? 'it' : 'them'} from "secrets"`,
  );
}

/** The values of `names` that open with this service's key, and why each of the others does not. */
async function openAll({ db, key }: SecretServiceDeps, userId: string, names: readonly string[]) {
  const keyId = key ? keyIdOf(key) : undefined;
  const sealed = await sealedSecrets(db, userId, names);
  const values = new Map<string, string>();
  const problems: string[] = [];
  for (const secret of sealed) {
    const value = key ? open(key, userId, secret.name, secret.sealed) : undefined;
    if (value !== undefined) values.set(secret.name, value);
    else if (secret.keyId !== keyId)
      problems.push(
        `secret "${secret.name}" was sealed with another key (key id ${secret.keyId}; this service has ${keyId ?? 'none'}): start the service with the TDS_SECRETS_KEY it was set with, or set the secret again`,
      );
    else problems.push(`secret "${secret.name}" does not open with the service's key: set it again`);
  }
  const missing = names.filter((name) => !sealed.some((s) => s.name === name));
  return { values, problems, missing };
}

async function openForRun(
  deps: SecretServiceDeps,
  given: GivenValues,
  run: RunSecrets,
): Promise<Record<string, string>> {
  if (run.names.length === 0) return {};
  if (!deps.key) {
    throw new RunFailure(
      'input_error',
      `the job uses secrets (${run.names.join(', ')}), but this worker has no secrets key: set TDS_SECRETS_KEY on it (see docs/secrets.md)`,
    );
  }
  const { values, problems, missing } = await openAll(deps, run.userId, run.names);
  if (missing.length > 0) {
    problems.unshift(
      `user "${run.userId}" no longer has the secret${missing.length === 1 ? '' : 's'} ${missing.map((n) => `"${n}"`).join(', ')} the job uses: set ${missing.length === 1 ? 'it' : 'them'} again (tds secrets set NAME), or remove ${missing.length === 1 ? 'it' : 'them'} from the job's "secrets"`,
    );
  }
  if (problems.length > 0) throw new RunFailure('input_error', problems.join('; '));
  const env = Object.fromEntries(run.names.map((name) => [name, values.get(name)!]));
  given.remember(run.id, Object.values(env));
  return env;
}

async function valuesToMask(deps: SecretServiceDeps, given: GivenValues, run: RunSecrets): Promise<string[]> {
  if (run.names.length === 0) return [];
  const earlier = given.of(run.id);
  if (!deps.key) {
    if (earlier.length > 0) return earlier;
    throw new SecretsNotConfiguredError();
  }
  const { values, problems } = await openAll(deps, run.userId, run.names);
  if (problems.length > 0 && earlier.length === 0) throw new RunFailure('input_error', problems.join('; '));
  return [...new Set([...earlier, ...values.values()])];
}
