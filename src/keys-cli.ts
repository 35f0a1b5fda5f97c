import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { createRdsDataClient, createRdsDataDatabase } from '../services/aws/rds-data-database.js';
import type { Database } from '../services/db/database.js';
import { migrate } from '../services/db/migrate.js';
import { createPgDatabase } from '../services/db/pg-database.js';
import {
  embeddedPostgresRunning,
  embeddedPostgresUrl,
  startEmbeddedPostgres,
} from '../services/embedded/embedded-postgres.js';
import { apiKeyEntry } from './audit/audit-entries.js';
import type { AuditActor } from './audit/audit-repository.js';
import { createAuditTrail } from './audit/audit-trail.js';
import { createApiKey, listApiKeys, revokeApiKey } from './auth/key-repository.js';
import { loadConfig } from './config.js';
import { ConfigError } from './errors.js';
import { isUuid } from './ids.js';
import { NAME_PATTERN } from './jobs/job-spec.js';

const USAGE = `Manage the service's API keys (in the database the service uses).

  npm run keys -- create --user <userId> [--name <text>]   a key for one user
  npm run keys -- create --operator [--name <text>]        an operator key (manages keys and users)
  npm run keys -- list [--user <userId>]
  npm run keys -- revoke <keyId>

A new key is printed once; the service keeps only a hash of it. Send it as
"Authorization: Bearer <key>". Bucket allow-lists and ceilings are set with an operator key:
PUT /admin/users/<userId>.
`;

class UsageError extends Error {}

/** The CLI's changes are audited as the machine's account on its host (it has no API key). */
const audit = createAuditTrail();
const cliActor = (): AuditActor => ({
  kind: 'cli',
  keyId: null,
  userId: os.userInfo().username,
  address: os.hostname(),
});

/**
 * The service's database: DATABASE_URL, Aurora through the RDS Data API (TDS_RDS_*), or the
 * embedded one (started here if the service is not running).
 */
async function openDatabase(): Promise<{ db: Database; close: () => Promise<void> }> {
  const config = loadConfig();
  const logger = pino({ level: 'warn' });
  if (config.rdsData) {
    const { clusterArn, secretArn, database, region, endpoint } = config.rdsData;
    const db = createRdsDataDatabase(
      createRdsDataClient({ region, endpoint }),
      { resourceArn: clusterArn, secretArn, database },
      logger,
    );
    await migrate(db);
    return { db, close: () => db.close() };
  }
  let url = config.databaseUrl;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!url) {
    const dir = path.join(config.dataDir, 'postgres');
    if (embeddedPostgresRunning(dir)) {
      url = embeddedPostgresUrl(config.embeddedPostgresPort);
    } else {
      const pg = await startEmbeddedPostgres(dir, config.embeddedPostgresPort, logger);
      url = pg.url;
      stopEmbedded = pg.stop;
    }
  }
  const db = createPgDatabase(url, logger, { poolSize: 1 });
  await migrate(db);
  return {
    db,
    close: async () => {
      await db.close();
      await stopEmbedded?.();
    },
  };
}

async function run(argv: string[]): Promise<string> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      user: { type: 'string' },
      operator: { type: 'boolean' },
      name: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) return USAGE;
  if (values.user !== undefined && !new RegExp(NAME_PATTERN).test(values.user)) {
    throw new UsageError(`--user "${values.user}" is not a valid userId (${NAME_PATTERN})`);
  }
  if (command === 'create') {
    if ((values.user === undefined) === (values.operator !== true)) {
      throw new UsageError('create needs either --user <userId> or --operator');
    }
    const { db, close } = await openDatabase();
    try {
      const owner = values.user === undefined ? ({ operator: true } as const) : { userId: values.user };
      const { record, key } = await audit.as(cliActor(), () =>
        audit.write(
          db,
          (tx) => createApiKey(tx, owner, values.name ?? ''),
          (made) => apiKeyEntry('api_key.created', made.record),
        ),
      );
      const whose = record.operator ? 'an operator' : `user "${record.userId}"`;
      return `Created key ${record.id} for ${whose}. It is shown only now:\n\n  ${key}\n`;
    } finally {
      await close();
    }
  }
  if (command === 'list') {
    const { db, close } = await openDatabase();
    try {
      const keys = await listApiKeys(db, values.user);
      if (keys.length === 0) return 'No API keys.\n';
      return `${keys
        .map((k) =>
          [
            k.id,
            k.operator ? 'operator' : `user=${k.userId}`,
            k.hint,
            k.name ? `"${k.name}"` : '',
            `created ${k.createdAt.toISOString()}`,
            k.revokedAt ? `REVOKED ${k.revokedAt.toISOString()}` : 'active',
          ]
            .filter(Boolean)
            .join('  '),
        )
        .join('\n')}\n`;
    } finally {
      await close();
    }
  }
  if (command === 'revoke') {
    const [id] = rest;
    if (id === undefined || !isUuid(id)) throw new UsageError('revoke needs the key id (as `list` shows it)');
    const { db, close } = await openDatabase();
    try {
      const record = await audit.as(cliActor(), () =>
        audit.write(
          db,
          (tx) => revokeApiKey(tx, id),
          (revoked) => revoked && apiKeyEntry('api_key.revoked', revoked),
        ),
      );
      if (!record) throw new UsageError(`no API key with id ${id}`);
      return `Revoked key ${id}.\n`;
    } finally {
      await close();
    }
  }
  throw new UsageError(`unknown command "${command}"`);
}

run(process.argv.slice(2)).then(
  (output) => process.stdout.write(output),
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
