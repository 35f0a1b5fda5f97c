import { describe, expect, it } from 'vitest';
import type { PrefixContents } from '../../services/aws/object-store.js';
import type { Principal } from '../../src/auth/principal.js';
import { createBucketCheck } from '../../src/definitions/bucket-check.js';
import {
  authoriseDefinition,
  bucketProblemOf,
  jobDefinition,
  stepResultProblems,
  workflowDefinition,
} from '../../src/definitions/definition-rules.js';
import { ForbiddenError, UnprocessableError, ValidationError } from '../../src/errors.js';
import { normaliseJobRequest, type JobSpec } from '../../src/jobs/job-spec.js';
import { parseWorkflowRequest } from '../../src/workflows/workflow-definition.js';

const DEFAULTS = {
  timeoutSeconds: 3600,
  cpus: 1,
  memoryMb: 512,
  diskMb: 1024,
  metricsIntervalSeconds: 1,
  baseImage: 'debian:bookworm-slim',
  network: 'none' as const,
};

const BASE = {
  userId: 'alice',
  uniqueId: 'pipeline',
  s3_bucket: 'bucket',
  source_s3_prefix: 'in/',
  destination_s3_prefix: '/out/',
};

const principal: Principal = { kind: 'local' };

/** Records what the rules asked, in order; refuses a step asking for more than one cpu. */
function recordingChecks() {
  const asked: string[] = [];
  const access = {
    async checkSubmission(_principal: Principal, spec: JobSpec) {
      asked.push(`step ${spec.command ?? spec.image}`);
      if (spec.cpus > 1) throw new ForbiddenError(`cpus ${spec.cpus} (ceiling 1)`);
    },
  };
  const webhooks = {
    async checkUrl(url: string, field: string) {
      asked.push(`${field} ${url}`);
    },
  };
  return { asked, authorise: authoriseDefinition(access, webhooks, principal) };
}

/** A store whose prefixes hold what `contents` says, counting the requests made to it. */
function storeOf(contents: Record<string, PrefixContents>) {
  const store = {
    probes: 0,
    async probePrefix(bucket: string, prefix: string): Promise<PrefixContents> {
      store.probes++;
      return contents[`${bucket}/${prefix}`] ?? 'no-bucket';
    },
  };
  return store;
}

describe('one definition model', () => {
  it('sees a job as a workflow of one step, and a workflow as its steps with its shared fields', () => {
    const spec = normaliseJobRequest(
      { ...BASE, command: 'echo one', notify_url: 'https://x.example/h' },
      DEFAULTS,
    );
    const job = jobDefinition(spec);
    expect(job).toMatchObject({
      kind: 'job',
      userId: 'alice',
      s3_bucket: 'bucket',
      notify_url: 'https://x.example/h',
    });
    expect(job.steps).toEqual([spec]);

    const workflow = workflowDefinition(
      parseWorkflowRequest(
        {
          ...BASE,
          notify_url: 'https://x.example/h',
          steps: [
            { name: 'a', command: 'echo a' },
            { name: 'b', command: 'echo b', depends_on: ['a'] },
          ],
        },
        DEFAULTS,
      ),
    );
    expect(workflow).toMatchObject({ kind: 'workflow', userId: 'alice', notify_url: 'https://x.example/h' });
    expect(workflow.steps.map((s) => s.command)).toEqual(['echo a', 'echo b']);
    // A step's own spec does not carry the workflow's notify_url: it is told of workflow runs.
    expect(workflow.steps.every((s) => s.notify_url === undefined)).toBe(true);
  });

  it('checks every step, then the notify_url, and stops at the first refusal', async () => {
    const ok = recordingChecks();
    const steps = [
      { name: 'a', command: 'echo a' },
      { name: 'b', command: 'echo b' },
    ];
    const definition = workflowDefinition(
      parseWorkflowRequest({ ...BASE, notify_url: 'https://x.example/h', steps }, DEFAULTS),
    );
    await ok.authorise(definition);
    expect(ok.asked).toEqual(['step echo a', 'step echo b', 'notify_url https://x.example/h']);

    const refused = recordingChecks();
    const greedy = workflowDefinition(
      parseWorkflowRequest(
        { ...BASE, notify_url: 'https://x.example/h', steps: [{ ...steps[0], cpus: 2 }, steps[1]] },
        DEFAULTS,
      ),
    );
    await expect(refused.authorise(greedy)).rejects.toThrow('cpus 2 (ceiling 1)');
    expect(refused.asked).toEqual(['step echo a']);
  });

  it('refuses alike a job and the same workflow step', async () => {
    const job = jobDefinition(normaliseJobRequest({ ...BASE, command: 'echo a', cpus: 2 }, DEFAULTS));
    const workflow = workflowDefinition(
      parseWorkflowRequest({ ...BASE, steps: [{ name: 'a', command: 'echo a', cpus: 2 }] }, DEFAULTS),
    );
    const asJob = await recordingChecks()
      .authorise(job)
      .catch((error: Error) => error);
    const asStep = await recordingChecks()
      .authorise(workflow)
      .catch((error: Error) => error);
    expect(asJob).toBeInstanceOf(ForbiddenError);
    expect(asStep).toEqual(asJob);
  });

  it('wants the bucket to exist, and inputs only for one that runs now', async () => {
    const store = storeOf({ 'bucket/in/': 'empty', 'bucket/': 'empty' });
    const buckets = createBucketCheck(store);
    const runsNow = jobDefinition(normaliseJobRequest({ ...BASE, command: 'echo a' }, DEFAULTS));
    const missing = { ...runsNow, s3_bucket: 'nowhere' };

    const noBucket = await bucketProblemOf(buckets, missing, false);
    expect(noBucket).toBeInstanceOf(UnprocessableError);
    expect(noBucket?.message).toBe('bucket "nowhere" does not exist; create it or name another');
    expect(await bucketProblemOf(buckets, runsNow, false)).toBeUndefined();
    expect((await bucketProblemOf(buckets, runsNow, true))?.message).toContain(
      'no objects under s3://bucket/in/',
    );
    // The whole bucket as inputs may be empty.
    expect(await bucketProblemOf(buckets, { ...runsNow, source_s3_prefix: '' }, true)).toBeUndefined();
  });

  it('remembers a prefix found to hold objects for a few seconds, never an empty one', async () => {
    const store = storeOf({ 'bucket/in/': 'objects', 'bucket/empty/': 'empty' });
    const buckets = createBucketCheck(store);
    expect(await buckets.problem('bucket', 'in/', true)).toBeUndefined();
    expect(await buckets.problem('bucket', 'in/', true)).toBeUndefined();
    expect(store.probes).toBe(1);
    expect(await buckets.problem('bucket', 'empty/', true)).toBeInstanceOf(UnprocessableError);
    expect(await buckets.problem('bucket', 'empty/', true)).toBeInstanceOf(UnprocessableError);
    expect(store.probes).toBe(3);
  });

  it('turns a store that cannot be reached into a 422 naming the bucket', async () => {
    const buckets = createBucketCheck({
      async probePrefix(): Promise<PrefixContents> {
        throw new Error('access denied');
      },
    });
    const problem = await buckets.problem('bucket', 'in/', false);
    expect(problem).toBeInstanceOf(UnprocessableError);
    expect(problem?.message).toBe('the service cannot access bucket "bucket": access denied');
    expect(problem).not.toBeInstanceOf(ValidationError);
  });
});

describe('a step reads only the results of its ancestors', () => {
  const steps = (...more: Record<string, unknown>[]) => [
    { name: 'list', command: 'echo "[1, 2]"' },
    { name: 'square-it', for_each: '{{steps.list.result}}', command: 'echo $(( {{item}} * {{item}} ))' },
    ...more,
  ];
  const problemsOf = (more: Record<string, unknown>) =>
    stepResultProblems(parseWorkflowRequest({ ...BASE, steps: steps(more) }, DEFAULTS));
  const missing = (path: string, variable: string, step: string) => ({
    path,
    message: `names ${variable}, the result of step "${step}", which is not among this step's dependencies or their ancestors, so it would be empty; add "${step}" to depends_on`,
  });

  it.each([
    {
      what: 'its command, without depends_on',
      step: { name: 'sum', command: 'echo $TDS_STEP_SQUARE_IT_RESULT' },
      problems: [missing('/steps/2/command', 'TDS_STEP_SQUARE_IT_RESULT', 'square-it')],
    },
    {
      what: 'its env, with depends_on naming another step',
      step: {
        name: 'sum',
        depends_on: ['list'],
        command: 'echo "$R"',
        env: { R: '${TDS_STEP_SQUARE_IT_RESULT}' },
      },
      problems: [missing('/steps/2/env/R', 'TDS_STEP_SQUARE_IT_RESULT', 'square-it')],
    },
    {
      what: 'an item of its args',
      step: { name: 'sum', image: 'alpine:3.20', args: ['sh', '-c', 'echo $TDS_STEP_LIST_RESULT'] },
      problems: [missing('/steps/2/args/2', 'TDS_STEP_LIST_RESULT', 'list')],
    },
    {
      what: 'its own result',
      step: { name: 'sum', depends_on: ['square-it'], command: 'echo $TDS_STEP_SUM_RESULT' },
      problems: [
        {
          path: '/steps/2/command',
          message: "names TDS_STEP_SUM_RESULT, this step's own result, which it cannot read while it runs",
        },
      ],
    },
    {
      what: 'a dependency',
      step: { name: 'sum', depends_on: ['square-it'], command: 'echo $TDS_STEP_SQUARE_IT_RESULT' },
      problems: [],
    },
    {
      what: "a dependency's ancestor",
      step: { name: 'sum', depends_on: ['square-it'], command: 'echo $TDS_STEP_LIST_RESULT' },
      problems: [],
    },
    {
      what: 'a dependency given by a placeholder',
      step: { name: 'sum', command: 'echo {{steps.square-it.result}} $TDS_STEP_SQUARE_IT_RESULT' },
      problems: [],
    },
    {
      what: 'a variable that is no step of the workflow',
      step: { name: 'sum', command: 'echo $TDS_STEP_ELSEWHERE_RESULT' },
      problems: [],
    },
  ])('TDS_STEP_<NAME>_RESULT in $what', ({ step, problems }) => {
    expect(problemsOf(step)).toEqual(problems);
  });
});
