import { describe, expect, it } from 'vitest';
import type { Problem } from '../../src/errors.js';
import {
  InvalidDefinitionError,
  parseWorkflowRequest,
  planOf,
  readStoredDefinition,
} from '../../src/workflows/workflow-definition.js';
import { fillPlaceholders } from '../../src/workflows/placeholders.js';

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
  source_s3_prefix: '',
  destination_s3_prefix: '/out/',
};

function problemsOf(body: unknown): Problem[] {
  try {
    parseWorkflowRequest(body, DEFAULTS);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidDefinitionError);
    return (error as InvalidDefinitionError).problems;
  }
  throw new Error('the workflow was accepted');
}

describe('workflow definitions', () => {
  it('refuses a workflow without its prefixes with one problem each, however many steps it has', () => {
    const problems = problemsOf({
      userId: 'akhil-test',
      uniqueId: 'tasks',
      steps: [
        { name: 'a', command: 'echo a' },
        { name: 'b', command: 'echo b' },
      ],
    });
    for (const field of ['s3_bucket', 'source_s3_prefix', 'destination_s3_prefix']) {
      expect(problems.filter((p) => p.path === `/${field}`)).toEqual([
        { path: `/${field}`, message: `missing required field "${field}"` },
      ]);
    }
  });

  it("gives each step the workflow's secrets and its own", () => {
    const definition = parseWorkflowRequest(
      {
        ...BASE,
        secrets: ['SHARED'],
        steps: [
          { name: 'a', command: 'echo 1' },
          { name: 'b', command: 'echo 2', secrets: ['OWN', 'SHARED'] },
        ],
      },
      DEFAULTS,
    );
    expect(definition.steps[0]!.spec.secrets).toEqual(['SHARED']);
    expect(definition.steps[1]!.spec.secrets).toEqual(['OWN', 'SHARED']);
  });

  it('reads a definition stored before secrets existed as the same body parsed now', () => {
    const body = { ...BASE, steps: [{ name: 'a', command: 'echo 1' }] };
    const now = parseWorkflowRequest(body, DEFAULTS);
    const { secrets: _shared, ...oldShared } = now.shared;
    const old = {
      ...now,
      shared: oldShared,
      steps: now.steps.map(({ spec: { secrets: _own, ...spec }, ...step }) => ({ ...step, spec })),
    };
    expect(old).not.toEqual(now);
    expect(readStoredDefinition(JSON.parse(JSON.stringify(old)))).toEqual(now);
  });

  it("gives each step the workflow's required tags and its own, and points at a bad tag", () => {
    const definition = parseWorkflowRequest(
      {
        ...BASE,
        requires: ['linux/amd64'],
        steps: [
          { name: 'a', command: 'echo 1' },
          { name: 'b', command: 'echo 2', requires: ['gpu', 'linux/amd64'] },
        ],
      },
      DEFAULTS,
    );
    expect(definition.steps[0]!.spec.requires).toEqual(['linux/amd64']);
    expect(definition.steps[1]!.spec.requires).toEqual(['gpu', 'linux/amd64']);
    const problems = problemsOf({
      ...BASE,
      requires: ['bad tag'],
      steps: [
        { name: 'a', command: 'echo 1' },
        { name: 'b', command: 'echo 2', requires: ['ok', '!nope'] },
      ],
    });
    expect(problems.map((p) => p.path)).toEqual(
      expect.arrayContaining(['/requires/0', '/steps/1/requires/1']),
    );
  });

  it('gives a step asking for GPUs its gpus and the gpu tag, from the workflow or its own, and points at a bad count', () => {
    const definition = parseWorkflowRequest(
      {
        ...BASE,
        gpus: 1,
        steps: [
          { name: 'a', command: 'echo 1' },
          { name: 'b', command: 'echo 2', gpus: 'all', requires: ['zone-a'] },
        ],
      },
      DEFAULTS,
    );
    expect(definition.steps[0]!.spec).toMatchObject({ gpus: 1, requires: ['gpu'] });
    expect(definition.steps[1]!.spec).toMatchObject({ gpus: 'all', requires: ['gpu', 'zone-a'] });
    const none = parseWorkflowRequest({ ...BASE, steps: [{ name: 'a', command: 'echo 1' }] }, DEFAULTS);
    expect(none.steps[0]!.spec).not.toHaveProperty('gpus');
    expect(none.steps[0]!.spec.requires).toEqual([]);
    const problems = problemsOf({ ...BASE, steps: [{ name: 'a', command: 'echo 1', gpus: -1 }] });
    expect(problems.map((p) => p.path)).toContain('/steps/0/gpus');
  });

  it('infers dependencies from placeholders and orders the steps', () => {
    const definition = parseWorkflowRequest(
      {
        ...BASE,
        env: { SHARED: '1' },
        steps: [
          { name: 'sum', command: 'echo {{steps.a.result}} {{steps.b.result}}' },
          { name: 'a', command: 'echo 1', env: { OWN: '2' } },
          { name: 'b', command: 'echo 2', depends_on: ['a'] },
          { name: 'shards', for_each: [1, 2, 3], command: 'echo {{item}}', depends_on: ['sum'] },
          { name: 'each', for_each: '{{steps.sum.result}}', command: 'echo {{item}}' },
        ],
      },
      DEFAULTS,
    );
    expect(definition.order).toEqual(['a', 'b', 'sum', 'shards', 'each']);
    expect(definition.steps[0]!.dependsOn).toEqual(['a', 'b']);
    expect(definition.steps[1]!.spec.env).toEqual({ SHARED: '1', OWN: '2' });
    expect(definition.steps[1]!.spec.capture_result).toBe(true);
    expect(definition.maxParallel).toBe(4);
    expect(planOf(definition).steps[3]).toEqual({
      name: 'shards',
      dependsOn: ['sum'],
      runIf: 'all_succeeded',
      forEach: 'static',
      items: 3,
    });
    expect(planOf(definition).steps[4]!.forEach).toBe('dynamic');
    expect(definition.steps[4]!.dependsOn).toEqual(['sum']);
  });

  it('lists every problem with the JSON path of its field', () => {
    const problems = problemsOf({
      ...BASE,
      steps: [
        { name: 'a', command: 'echo', depends_on: ['c'] },
        { name: 'a', command: 'echo' },
        { name: 'b', command: 'echo', depends_on: ['nope'] },
        { name: 'c', command: 'echo', depends_on: ['b2'] },
        { name: 'b2', command: 'echo', depends_on: ['a'] },
        { name: 'd', command: 'echo {{steps.b.result}}', depends_on: ['c'] },
        { name: 'e', command: 'echo', run_if: 'sometimes' },
        { name: 'bad name', command: 'echo' },
        { name: 'f', command: 'echo {{item}} {{steps.x.reslt}}' },
      ],
    });
    const paths = problems.map((p) => p.path);
    expect(paths).toContain('/steps/1/name');
    expect(paths).toContain('/steps/2/depends_on/0');
    expect(paths).toContain('/steps/6/run_if');
    expect(paths).toContain('/steps/7/name');
    expect(paths).toContain('/steps/8/command');
    const cycle = problems.find((p) => p.message.includes('cycle'));
    expect(cycle?.message).toContain('a → c → b2 → a');
    expect(problems.find((p) => p.path === '/steps/1/name')?.message).toContain('unique');
  });

  it('refuses a placeholder naming a step outside the dependencies and their ancestors', () => {
    const problems = problemsOf({
      ...BASE,
      steps: [
        { name: 'a', command: 'echo 1' },
        { name: 'b', command: 'echo 2' },
        { name: 'c', command: 'echo', depends_on: ['a'], env: { X: '{{steps.b.result}}' } },
        { name: 'd', command: 'echo {{steps.a.result}}', depends_on: ['c'] },
      ],
    });
    expect(problems).toEqual([
      {
        path: '/steps/2/env/X',
        message: expect.stringContaining("not among this step's dependencies") as string,
      },
    ]);
  });

  it('refuses more than 500 steps, missing fields and job rules, each at its path', () => {
    const many = Array.from({ length: 501 }, (_, i) => ({ name: `s${i}`, command: 'true' }));
    expect(problemsOf({ ...BASE, steps: many })).toEqual([
      { path: '/steps', message: expect.stringContaining('at most 500') as string },
    ]);
    const problems = problemsOf({
      ...BASE,
      destination_s3_prefix: '../up',
      steps: [
        { name: 'a' },
        { name: 'b', command: 'x', image: 'alpine' },
        { name: 'c', command: 'x', env: { TDS_ITEM: '1' } },
        { name: 'd', command: 'x', for_each: 'steps' },
        { name: 'e', command: 'x', unknown: 1 },
      ],
    });
    const paths = problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/destination_s3_prefix',
        '/steps/0',
        '/steps/1/image',
        '/steps/2/env/TDS_ITEM',
        '/steps/3/for_each',
        '/steps/4/unknown',
      ]),
    );
    expect(problemsOf({ ...BASE, steps: [] }).map((p) => p.path)).toEqual(['/steps']);
  });

  it('keeps an image filled from items as written, and checks literal items against the fields and image rule', () => {
    const definition = parseWorkflowRequest(
      {
        ...BASE,
        steps: [
          {
            name: 'task',
            for_each: [{ id: 'a', image: 'busybox:1.36', arguments: ['true'] }],
            image: 'registry:5000/{{item.image}}',
            args: ['{{item.arguments}}'],
            env: { ID: '{{item.id}}' },
          },
        ],
      },
      DEFAULTS,
    );
    expect(definition.steps[0]!.spec).toMatchObject({
      image: 'registry:5000/{{item.image}}',
      args: ['{{item.arguments}}'],
      env: { ID: '{{item.id}}' },
    });
    expect(
      problemsOf({
        ...BASE,
        steps: [
          { name: 'a', command: 'echo {{item.id}}' },
          { name: 'b', for_each: ['x', { id: 1 }, { other: 2 }], command: 'echo {{item.id}}' },
          { name: 'c', for_each: [{ image: 'sha256:' + 'a'.repeat(64) }], image: '{{item.image}}' },
          { name: 'd', for_each: [1], image: '{{steps.a.result}}' },
        ],
      }),
    ).toEqual([
      {
        path: '/steps/3/image',
        message: expect.stringMatching(/^steps\[3\]\.image "\{\{steps.a.result\}\}" is not allowed/),
      },
      { path: '/steps/0/command', message: '{{item.id}} is only given to a step with for_each' },
      {
        path: '/steps/1/for_each/0',
        message: '{{item.id}}: the item is a string, not an object with fields',
      },
      { path: '/steps/1/for_each/2', message: '{{item.id}}: the item has no field "id"' },
      {
        path: '/steps/2/for_each/0',
        message: expect.stringMatching(
          /^image "\{\{item.image\}\}" of this item: "sha256:a+" is an image id/,
        ),
      },
    ]);
  });

  it('lists a missing prefix as a problem at its path, once, whether the workflow or the step lacks it', () => {
    const { source_s3_prefix: _source, destination_s3_prefix: _destination, ...withoutPrefixes } = BASE;
    const problems = problemsOf({ ...withoutPrefixes, steps: [{ name: 'hello', command: 'echo hello' }] });
    expect(problems.filter((p) => p.path === '/source_s3_prefix')).toEqual([
      { path: '/source_s3_prefix', message: 'missing required field "source_s3_prefix"' },
    ]);
    expect(problems.filter((p) => p.path === '/destination_s3_prefix')).toEqual([
      { path: '/destination_s3_prefix', message: 'missing required field "destination_s3_prefix"' },
    ]);
  });

  it('takes a fan-out over a list param, and refuses one over a param of another type or none', () => {
    const problems = problemsOf({
      ...BASE,
      params: { region: { type: 'string', default: 'eu' }, files: { type: 'list', default: [] } },
      steps: [
        { name: 'a', for_each: '{{params.files}}', command: 'echo {{item}}' },
        { name: 'b', for_each: '{{params.region}}', command: 'echo {{item}}' },
        { name: 'c', for_each: '{{params.nothing}}', command: 'echo {{item}}' },
      ],
    });
    expect(problems).toEqual([
      {
        path: '/steps/1/for_each',
        message: 'for_each: param "region" is a string; a fan-out\'s items come from a "list" param',
      },
      {
        path: '/steps/2/for_each',
        message:
          'placeholder {{params.nothing}} names no declared param; declare it under "params" with type "list"',
      },
    ]);
  });

  it('validates a 500-step workflow quickly', () => {
    const steps = Array.from({ length: 500 }, (_, i) => ({
      name: `s${i}`,
      command: i === 0 ? 'echo 0' : `echo {{steps.s${i - 1}.result}}`,
    }));
    const started = performance.now();
    const definition = parseWorkflowRequest({ ...BASE, steps }, DEFAULTS);
    expect(performance.now() - started).toBeLessThan(500);
    expect(definition.order[499]).toBe('s499');
  });
});

describe('placeholders', () => {
  it('are replaced by the values exactly', () => {
    expect(
      fillPlaceholders('a={{steps.a.result}} b={{ steps.b.result }} {{item}}/{{index}} {{other}}', {
        results: { a: '$(rm -rf /) "x"', b: '' },
        item: '{"k":1}',
        index: 3,
      }),
    ).toBe('a=$(rm -rf /) "x" b= {"k":1}/3 {{other}}');
  });
});
