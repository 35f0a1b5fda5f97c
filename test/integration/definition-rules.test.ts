import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/key-repository.js';
import {
  createBucket,
  putObject,
  startTestService,
  uniqueName,
  type ApiResponse,
  type TestService,
} from '../support/harness.js';

/**
 * One definition model: a job is a workflow of one step, so whatever refuses a job refuses the same
 * definition posted as a workflow's step (or its shared fields), with the same status and the same
 * problem, on submit, on a dry run and on an update alike.
 */
let service: TestService;
let bucket: string;
let otherBucket: string;
let alice: Record<string, string>;
let storedJob: string;
let storedWorkflow: string;
/** The stored job's and workflow's key: the same, so that what they answer names the same folders. */
const storedKey = uniqueName('stored');
/** Allowed to alice but never created: only the bucket check refuses it. */
const missingBucket = uniqueName('missing-bucket');

const base = () => ({
  userId: 'alice',
  s3_bucket: bucket,
  source_s3_prefix: 'alice/in/',
  destination_s3_prefix: 'alice/out/',
});
const RECURRING = { cron: '0 3 * * *', timezone: 'UTC' };

function asJob(fields: Record<string, unknown>, uniqueId: string): Record<string, unknown> {
  return { ...base(), uniqueId, command: 'echo hello', ...fields };
}

/** The same definition as a workflow: shared fields at the top, a step's own in its one step. */
function asWorkflow(
  shared: Record<string, unknown>,
  step: Record<string, unknown>,
  uniqueId: string,
): Record<string, unknown> {
  return { ...base(), uniqueId, ...shared, steps: [{ name: 'only', command: 'echo hello', ...step }] };
}

interface Case {
  what: string;
  /** Fields of the definition as a whole (a workflow's shared fields). */
  shared?: Record<string, unknown>;
  /** Fields of what runs (a workflow's step). */
  step?: Record<string, unknown>;
  /** The status of a submit (a dry run and an update answer the same unless `checked`). */
  status: number;
  message: string;
  /** What a dry run and an update answer instead, when the problem is only a submit's. */
  checked?: number;
}

const cases: Case[] = [
  { what: 'a blank command', step: { command: '  ' }, status: 400, message: 'command must not be blank' },
  { what: 'a reserved variable', step: { env: { TDS_X: '1' } }, status: 400, message: 'reserved' },
  { what: 'cpus under the schema minimum', step: { cpus: 0 }, status: 400, message: 'cpus' },
  { what: 'cpus over the ceiling', step: { cpus: 3 }, status: 403, message: 'cpus 3 (ceiling 2)' },
  { what: 'gpus that are not a count', step: { gpus: 0 }, status: 400, message: '/gpus' },
  { what: 'gpus over the ceiling', step: { gpus: 3 }, status: 403, message: 'gpus 3 (ceiling 2)' },
  {
    what: 'all gpus under a ceiling of a count',
    step: { gpus: 'all' },
    status: 403,
    message: 'gpus all (ceiling 2)',
  },
  {
    what: 'a secret the user does not have',
    step: { secrets: ['NOPE'] },
    status: 422,
    message: 'no secret named "NOPE"',
  },
  {
    what: 'a cron expression out of range',
    shared: { cron: '61 * * * *' },
    status: 400,
    message: '61 * * * *',
  },
  {
    what: 'a prefix escaping its folder',
    shared: { source_s3_prefix: 'alice/../bob/' },
    status: 400,
    message: '..',
  },
  { what: 'a bucket off the allow-list', shared: { s3_bucket: 'OTHER' }, status: 403, message: 'allowed:' },
  {
    what: 'a destination off the allow-list',
    shared: { destination_s3_prefix: '/' },
    status: 403,
    message: 'allowed:',
  },
  {
    what: 'a notify_url to a private address',
    shared: { notify_url: 'http://127.0.0.1/hook' },
    status: 400,
    message: 'webhooks go only to public addresses',
  },
  {
    what: 'a bucket that does not exist',
    shared: { s3_bucket: 'MISSING' },
    status: 422,
    message: 'does not exist',
  },
  {
    what: 'no inputs under the prefix, for one that runs now',
    shared: { source_s3_prefix: 'alice/empty/' },
    status: 422,
    message: 'no objects under',
    checked: 200,
  },
];

/** Placeholders for names known once the suite has started. */
function resolve(fields: Record<string, unknown> | undefined): Record<string, unknown> {
  const named: Record<string, string> = { OTHER: otherBucket, MISSING: missingBucket };
  return Object.fromEntries(
    Object.entries(fields ?? {}).map(([k, v]) => [k, typeof v === 'string' && v in named ? named[v] : v]),
  );
}

/** A refusal as comparable between the kinds: a step's paths read as the job's own. */
function problemOf(answer: ApiResponse): { status: number; message: string; problems?: unknown[] } {
  if (answer.status < 400) return { status: answer.status, message: '' };
  const problems = (answer.body.problems as { path: string; message: string }[] | undefined)?.map((p) => ({
    path: p.path.replace(/^\/steps\/0(?=\/|$)/, ''),
    // Each names the field where it is in its own body, as the path does.
    message: p.message.replace(/^steps\[0\]\./, ''),
  }));
  // A 400 lists its problems (a workflow's message counts them); other refusals are one message.
  return answer.status === 400
    ? { status: 400, message: '', problems }
    : { status: answer.status, message: answer.body.message as string };
}

beforeAll(async () => {
  service = await startTestService({
    roles: ['api'],
    env: { TDS_AUTH: 'on', TDS_USER_MAX_CPUS: '2', TDS_USER_MAX_GPUS: '2' },
  });
  bucket = await createBucket();
  otherBucket = await createBucket();
  await putObject(bucket, 'alice/in/data.txt', 'hello\n');
  const operator = {
    authorization: `Bearer ${(await createApiKey(service.db, { operator: true }, 'test')).key}`,
  };
  const made = await service.request('POST', '/admin/keys', { userId: 'alice' }, operator);
  expect(made.status).toBe(201);
  alice = { authorization: `Bearer ${made.body.key}` };
  const allowed = await service.request(
    'PUT',
    '/admin/users/alice',
    { allowedBuckets: [`${bucket}/alice/`, `${missingBucket}/alice/`] },
    operator,
  );
  expect(allowed.status).toBe(200);
  // Stored recurring ones to update: nothing of theirs runs.
  const job = await service.request('POST', '/jobs', asJob(RECURRING, storedKey), alice);
  expect(job.status).toBe(202);
  storedJob = job.body.job.id;
  const workflow = await service.request('POST', '/workflows', asWorkflow(RECURRING, {}, storedKey), alice);
  expect(workflow.status).toBe(202);
  storedWorkflow = workflow.body.workflow.id;
});

afterAll(async () => {
  await service?.close();
});

describe('a job and a workflow step are refused alike', () => {
  it.each(cases)('$what', async ({ shared, step, status, message, checked }) => {
    const sharedFields = resolve(shared);
    const stepFields = resolve(step);
    const uniqueId = uniqueName('same');
    const jobBody = asJob({ ...sharedFields, ...stepFields }, uniqueId);
    const workflowBody = asWorkflow(sharedFields, stepFields, uniqueId);
    const variants: {
      name: string;
      job: () => Promise<ApiResponse>;
      workflow: () => Promise<ApiResponse>;
      expected: number;
    }[] = [
      {
        name: 'submit',
        job: () => service.request('POST', '/jobs', jobBody, alice),
        workflow: () => service.request('POST', '/workflows', workflowBody, alice),
        expected: status,
      },
      {
        name: 'dry run',
        job: () => service.request('POST', '/jobs?dry_run=true', jobBody, alice),
        workflow: () => service.request('POST', '/workflows?dry_run=true', workflowBody, alice),
        expected: checked ?? status,
      },
      {
        name: 'update',
        job: () =>
          service.request(
            'PUT',
            `/jobs/${storedJob}`,
            asJob({ ...RECURRING, ...sharedFields, ...stepFields }, storedKey),
            alice,
          ),
        workflow: () =>
          service.request(
            'PUT',
            `/workflows/${storedWorkflow}`,
            asWorkflow({ ...RECURRING, ...sharedFields }, stepFields, storedKey),
            alice,
          ),
        expected: checked ?? status,
      },
    ];
    for (const variant of variants) {
      const asJobAnswer = await variant.job();
      const asStepAnswer = await variant.workflow();
      const label = `${variant.name}: ${JSON.stringify(asJobAnswer.body)} / ${JSON.stringify(asStepAnswer.body)}`;
      expect(asJobAnswer.status, label).toBe(variant.expected);
      expect(problemOf(asStepAnswer), label).toEqual(problemOf(asJobAnswer));
      if (variant.expected >= 400) {
        const said =
          asJobAnswer.status === 400 ? JSON.stringify(asJobAnswer.body.problems) : asJobAnswer.body.message;
        expect(said, label).toContain(message);
      }
    }
    // Nothing refused was stored.
    const [stored] = await service.db.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM jobs WHERE unique_id = $1) + (SELECT count(*) FROM workflows WHERE unique_id = $1) AS n`,
      [uniqueId],
    );
    expect(Number(stored!.n)).toBe(0);
  });
});

describe("a step's result variables", () => {
  it('refuse a step naming the result of a step it does not depend on, at the field, on submit, dry run and update', async () => {
    const steps = [
      { name: 'list', command: 'echo "[1, 2]"' },
      { name: 'sum', command: 'echo $TDS_STEP_LIST_RESULT', env: { FROM: 'x $TDS_STEP_LIST_RESULT' } },
    ];
    const problems = ['/steps/1/command', '/steps/1/env/FROM'].map((path) => ({
      path,
      message: `names TDS_STEP_LIST_RESULT, the result of step "list", which is not among this step's dependencies or their ancestors, so it would be empty; add "list" to depends_on`,
    }));
    const answers = [
      await service.request(
        'POST',
        '/workflows',
        { ...base(), uniqueId: uniqueName('results'), steps },
        alice,
      ),
      await service.request(
        'POST',
        '/workflows?dry_run=true',
        { ...base(), uniqueId: uniqueName('results'), steps },
        alice,
      ),
      await service.request(
        'PUT',
        `/workflows/${storedWorkflow}`,
        { ...base(), ...RECURRING, uniqueId: storedKey, steps },
        alice,
      ),
    ];
    for (const answer of answers) {
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
      expect(answer.body.problems).toEqual(problems);
    }
    const fixed = [steps[0], { ...steps[1], depends_on: ['list'] }];
    const dryRun = await service.request(
      'POST',
      '/workflows?dry_run=true',
      { ...base(), uniqueId: uniqueName('results'), steps: fixed },
      alice,
    );
    expect(dryRun.status, JSON.stringify(dryRun.body)).toBe(200);
  });
});
