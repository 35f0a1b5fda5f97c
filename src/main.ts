import { loadConfig, type Config } from './config.js';
import { ConfigError } from './errors.js';
import { createLogger } from './logger.js';
import { migrateDatabase, startService, type Service } from './service.js';
import { StartupError } from './startup-error.js';

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '****';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

function banner(config: Config, service: Service): string {
  // Set apart from the log lines around it.
  const rule = '─'.repeat(72);
  const lines = ['', rule, 'Task Deploy Service is up.'];
  if (service.apiUrl) {
    lines.push(`  dashboard    ${service.apiUrl}/   (open it in a browser)`);
    lines.push(`  API          ${service.apiUrl}   (OpenAPI: ${service.apiUrl}/docs)`);
  }
  lines.push(`  roles        ${config.roles.join(', ')}`);
  if (config.roles.includes('api')) {
    lines.push(
      config.authEnabled
        ? '  auth         on: API keys required (npm run keys -- create --user <userId>)'
        : '  auth         OFF: loopback only, no key needed (TDS_AUTH=on to require keys)',
    );
  }
  if (config.rdsData) {
    const { clusterArn, database, region, endpoint } = config.rdsData;
    lines.push(
      `  database     ${database} on ${clusterArn}   (RDS Data API${endpoint ? ` at ${endpoint}` : `, ${region}`})`,
    );
  } else if (service.databaseUrl) {
    lines.push(
      `  database     ${service.databaseIsEmbedded ? service.databaseUrl : redact(service.databaseUrl)}${service.databaseIsEmbedded ? '   (embedded)' : ''}`,
    );
  }
  if (config.storage.kind === 'embedded') {
    lines.push(`  S3           ${service.s3Endpoint}   (embedded)`);
    lines.push(
      `               AWS_ACCESS_KEY_ID=${config.storage.accessKeyId} AWS_SECRET_ACCESS_KEY=${config.storage.accessKeyId === 'S3RVER' ? 'S3RVER' : '(from TDS_S3_SECRET_ACCESS_KEY)'} aws --endpoint-url ${service.s3Endpoint} s3 ls`,
    );
  } else {
    lines.push(
      `  S3           ${service.s3Endpoint ?? 'AWS S3'}${config.storage.region ? ` (${config.storage.region})` : ''}`,
    );
  }
  lines.push(`  Docker       ${service.engine.address}`);
  lines.push(`  data         ${config.dataDir}`);
  lines.push(`  Node.js      ${process.version}`);
  lines.push(rule, '');
  return lines.join('\n');
}

/**
 * `migrate` (npm run migrate; the image: `docker run … task-deploy-service migrate`): applies the
 * migrations not applied yet, as a deploy step, and exits; 0 when the database is up to date.
 */
async function migrateCommand(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel, config.logFormat, { service: 'task-deploy-service' });
  try {
    const applied = await migrateDatabase(config, logger);
    process.stdout.write(
      applied.length > 0
        ? `Applied ${applied.length === 1 ? 'migration' : 'migrations'} ${applied.join(', ')}; the database is up to date.\n`
        : 'The database is up to date: no migration to apply.\n',
    );
    process.exit(0);
  } catch (error) {
    if (error instanceof StartupError) {
      process.stderr.write(`\nCannot migrate: ${error.message}\n\n`);
      process.exit(1);
    }
    logger.fatal({ err: error }, 'the database could not be migrated');
    process.exit(1);
  }
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const command = process.argv[2];
  if (command === 'migrate') return migrateCommand(config);
  if (command !== undefined) {
    process.stderr.write(
      `Unknown command "${command}": run with no argument to start the service, or with "migrate" to migrate its database.\n`,
    );
    process.exit(2);
  }
  const logger = createLogger(config.logLevel, config.logFormat, {
    service: 'task-deploy-service',
    workerId: config.workerId,
  });

  let service: Service;
  try {
    service = await startService(config, logger);
  } catch (error) {
    if (error instanceof StartupError) {
      process.stderr.write(`\nCannot start: ${error.message}\n\n`);
      process.exit(1);
    }
    logger.fatal({ err: error }, 'the service could not start');
    process.exit(1);
  }
  process.stdout.write(banner(config, service));
  logger.info({ node: process.version, roles: config.roles }, 'the service is up');

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    service
      .stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

void main();
