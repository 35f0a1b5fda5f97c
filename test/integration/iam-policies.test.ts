import { readFileSync } from 'node:fs';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Role } from '../../src/config.js';
import { TEST_CLUSTER_ARN, TEST_SECRET_ARN } from '../support/database-driver.js';
import {
  createBucket,
  createTestDatabase,
  eventually,
  jobBody,
  putObject,
  startTestService,
  type TestService,
} from '../support/harness.js';

/**
 * The IAM policies of deploy/iam, one per role, against the calls each role makes: the api, the
 * worker and the scheduler run as separate services on the RDS Data API and S3, each recording
 * the command of every call its AWS clients send, through a job with an input and a large output
 * (a multipart upload), its logs read back, and a recurring job fired by the scheduler. Every
 * command must map to an action its role's policy allows; every action allowed must have been
 * used, or be one the run cannot show (listed below, with why).
 */
const root = path.resolve(import.meta.dirname, '../..');

/** The IAM action each SDK command needs. */
const ACTIONS: Record<string, string> = {
  'S3:ListObjectsCommand': 's3:ListBucket',
  'S3:ListObjectsV2Command': 's3:ListBucket',
  'S3:GetObjectCommand': 's3:GetObject',
  'S3:HeadObjectCommand': 's3:GetObject',
  'S3:PutObjectCommand': 's3:PutObject',
  'S3:CreateMultipartUploadCommand': 's3:PutObject',
  'S3:UploadPartCommand': 's3:PutObject',
  'S3:CompleteMultipartUploadCommand': 's3:PutObject',
  'S3:AbortMultipartUploadCommand': 's3:AbortMultipartUpload',
  'RDSData:ExecuteStatementCommand': 'rds-data:ExecuteStatement',
  'RDSData:BeginTransactionCommand': 'rds-data:BeginTransaction',
  'RDSData:CommitTransactionCommand': 'rds-data:CommitTransaction',
  'RDSData:RollbackTransactionCommand': 'rds-data:RollbackTransaction',
};

/** Allowed, but not seen in a run that goes well. */
const UNSEEN = new Set([
  // The Data API reads the database credentials from Secrets Manager as its caller.
  'secretsmanager:GetSecretValue',
  // A transaction that fails is rolled back.
  'rds-data:RollbackTransaction',
  // An upload that fails part-way is aborted, so no parts are left behind.
  's3:AbortMultipartUpload',
]);

const ROLES: Role[] = ['api', 'worker', 'scheduler'];
const used = new Map<Role, Set<string>>(ROLES.map((role) => [role, new Set()]));
const services: TestService[] = [];

function allowedActions(role: Role): Set<string> {
  const policy = JSON.parse(readFileSync(path.join(root, 'deploy/iam', `${role}.json`), 'utf8')) as {
    Statement: { Effect: string; Action: string[] }[];
  };
  return new Set(policy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => s.Action));
}

beforeAll(async () => {
  const databaseUrl = await createTestDatabase();
  // The Data API whatever the project's driver: its calls are what the policies are about.
  const env = {
    DATABASE_URL: '',
    TDS_RDS_CLUSTER_ARN: TEST_CLUSTER_ARN,
    TDS_RDS_SECRET_ARN: TEST_SECRET_ARN,
    TDS_RDS_DATABASE: new URL(databaseUrl).pathname.slice(1),
    TDS_RDS_ENDPOINT: inject('dataApiEndpoint'),
    TDS_SCHEDULER_IDLE_MS: '200',
  };
  for (const role of ROLES) {
    services.push(
      await startTestService({
        databaseUrl,
        roles: [role],
        env,
        observeAwsClient(client) {
          const seen = used.get(role)!;
          const options = { step: 'initialize', name: 'recordCommands' } as const;
          if (client instanceof S3Client) {
            client.middlewareStack.add(
              (next, context) => (args) => {
                seen.add(`S3:${context.commandName}`);
                return next(args);
              },
              options,
            );
          } else {
            client.middlewareStack.add(
              (next, context) => (args) => {
                seen.add(`RDSData:${context.commandName}`);
                return next(args);
              },
              options,
            );
          }
        },
      }),
    );
  }
});

afterAll(async () => {
  for (const service of services.reverse()) await service.close();
});

describe('the IAM policy of each role', () => {
  it('allows every call the role makes through a job, and nothing it does not need', async () => {
    const api = services[0]!;
    const bucket = await createBucket();
    await putObject(bucket, 'in/data.txt', 'data\n');
    const once = await api.request(
      'POST',
      '/jobs',
      jobBody(bucket, {
        source_s3_prefix: 'in/',
        network: 'none',
        // Over 5 MiB: uploaded in parts.
        command: 'cat input/data.txt; head -c 6000000 /dev/zero > output/big.bin',
      }),
    );
    expect(once.status).toBe(202);
    expect((await api.waitForRun(once.body.run.id)).state).toBe('succeeded');
    const logs = await api.request('GET', `/runs/${once.body.run.id}/logs`);
    expect(logs.body).toMatchObject({ source: 'stored', stdout: 'data\n' });

    const recurring = await api.request(
      'POST',
      '/jobs',
      jobBody(bucket, { cron: '* * * * * *', network: 'none', command: 'echo tick' }),
    );
    expect(recurring.status).toBe(202);
    await eventually(
      'a fired run to succeed',
      async () =>
        (await api.request('GET', `/jobs/${recurring.body.job.id}`)).body.runs.some(
          (run: { state: string }) => run.state === 'succeeded',
        ),
      60_000,
    );
    expect((await api.request('DELETE', `/jobs/${recurring.body.job.id}`)).status).toBe(200);

    for (const role of ROLES) {
      const commands = [...used.get(role)!].sort();
      const unmapped = commands.filter((command) => !(command in ACTIONS));
      expect(unmapped, `${role}: commands with no IAM action in the test's table`).toEqual([]);
      const needed = new Set(commands.map((command) => ACTIONS[command]!));
      const allowed = allowedActions(role);
      expect(
        [...needed].filter((action) => !allowed.has(action)),
        `${role}: used but not allowed`,
      ).toEqual([]);
      expect(
        [...allowed].filter((action) => !needed.has(action) && !UNSEEN.has(action)),
        `${role}: allowed but never used`,
      ).toEqual([]);
    }
    // What each role does, as the policies say it.
    expect([...used.get('scheduler')!].filter((c) => c.startsWith('S3:'))).toEqual([]);
    expect(used.get('worker')).toContain('S3:UploadPartCommand');
    expect(used.get('api')).toContain('S3:GetObjectCommand');
  });
});
