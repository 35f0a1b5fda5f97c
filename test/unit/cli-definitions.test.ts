import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../cli/definitions/load.js';
import { INCLUDE_RULE } from '../../cli/definitions/hocon.js';
import { expandPaths } from '../../cli/definitions/source-files.js';
import { graphStandIn } from '../../cli/definitions/graph-stand-in.js';
import { BOTH_SHAPES } from '../../cli/definitions/orchestrator-tasks.js';
import { builtInValues, environmentValues } from '../../cli/definitions/substitutions.js';
import { InvalidDefinitionError, parseWorkflowRequest } from '../../src/workflows/workflow-definition.js';

const values = builtInValues('/work/here');

async function tempFile(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tds-defs-'));
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

describe('definition files', () => {
  it('expands the nightly workflow from the template library: parameters filled, defaults applied, own fields kept', async () => {
    const templates = await expandPaths(['examples/templates']);
    const { definitions, problems } = await loadDefinitions(['examples/nightly.yaml', ...templates], {
      values,
    });
    expect(problems).toEqual([]);
    expect(definitions).toHaveLength(1);
    const steps = definitions[0]!.body.steps as Record<string, unknown>[];
    expect(steps.map((s) => s.name)).toEqual(['scan', 'transform', 'upload', 'backup', 'cleanup']);
    expect(steps[0]!.command).toContain("-name '*.csv'");
    expect(steps[1]).toMatchObject({
      linux_dependencies: ['python3'],
      env: { LEVEL: '1' },
      depends_on: ['scan'],
    });
    expect(steps[3]!.command).toContain('backup-${TODAY}.tar.gz');
    expect(steps[4]).toMatchObject({ run_if: 'all_done', depends_on: ['backup'] });
    expect(steps.every((s) => !('uses' in s) && !('with' in s))).toBe(true);
  });

  it('turns a task list into a workflow: exec as a shell command, eval as python3 -c', async () => {
    const { definitions, problems } = await loadDefinitions(['examples/tasks.json'], {
      values,
      userId: 'me',
    });
    expect(problems).toEqual([]);
    const [workflow] = definitions;
    expect(workflow).toMatchObject({ kind: 'workflow', userId: 'me', uniqueId: 'tasks' });
    const steps = workflow!.body.steps as Record<string, unknown>[];
    expect(steps[0]).toEqual({ name: 'prepare', depends_on: [], command: 'echo preparing; date -u' });
    expect(steps[1]).toEqual({
      name: 'compute',
      depends_on: ['prepare'],
      command: "python3 -c 'print(sum(range(10)))'",
      linux_dependencies: ['python3'],
    });
    expect(steps[3]!.command).toBe('echo published');
  });

  it("substitutes built-in values, the file's own, and only the environment variables named", async () => {
    const file = await tempFile(
      'job.yaml',
      [
        'kind: job',
        'vars: { PREFIX: reports }',
        'userId: u',
        'uniqueId: j',
        'command: echo ${TODAY} ${NOW} ${CWD} ${PLATFORM} ${HOME} $${TODAY} ${SECRET_NAME}',
        'destination_s3_prefix: ${PREFIX}/',
      ].join('\n'),
    );
    const env = environmentValues(['SECRET_NAME'], { SECRET_NAME: 'given', HOME: '/root' });
    const { definitions } = await loadDefinitions([file], { values: { ...values, ...env.values } });
    expect(definitions[0]!.body.command).toBe(
      `echo \${TODAY} \${NOW} /work/here ${process.platform}-${process.arch} \${HOME} $\${TODAY} given`,
    );
    expect(definitions[0]!.body.destination_s3_prefix).toBe('reports/');
    expect(definitions[0]!.body).not.toHaveProperty('vars');
    expect(environmentValues(['NOT_SET_HERE'], {}).missing).toEqual(['NOT_SET_HERE']);
  });

  it('reports an unknown template, a missing kind and a YAML syntax error each at its line', async () => {
    const file = await tempFile(
      'many.yaml',
      ['kind: job', 'userId: u', 'uniqueId: a', 'uses: nowhere', '---', 'userId: u', '---', 'a: [1, 2'].join(
        '\n',
      ),
    );
    const { problems } = await loadDefinitions([file], { values });
    const shown = problems.map((p) => `${p.line}:${p.column}: ${p.message}`);
    expect(shown).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^4:1: unknown template "nowhere"/),
        expect.stringMatching(/^6:1: say what this is with kind: job, workflow or template/),
        expect.stringMatching(/^8:\d+: /),
      ]),
    );
  });

  it('reads HOCON with an include beside it, and refuses includes of other places at their line', async () => {
    const { definitions, problems } = await loadDefinitions(['examples/report/report.conf'], { values });
    expect(problems).toEqual([]);
    expect(definitions[0]!.body).toMatchObject({
      userId: 'akhil-test',
      uniqueId: 'daily-report',
      timeout_seconds: 600,
      command: 'echo report for ${TODAY}; wc -l input/* > output/counts.txt',
    });
    const bad = await tempFile(
      'bad.conf',
      [
        'kind = job',
        'include "/etc/passwd.conf"',
        'include url("http://example.com/x.conf")',
        'include "../up.conf"',
      ].join('\n'),
    );
    const refused = await loadDefinitions([bad], { values });
    expect(refused.problems.map((p) => p.line)).toEqual([2, 3, 4]);
    expect(refused.problems[0]!.message).toContain(INCLUDE_RULE);
  });

  it("checks a workflow's graph with each step whose template failed standing in: every graph problem, none of the template's fields", async () => {
    const file = await tempFile(
      'graph.yaml',
      [
        'kind: template',
        'name: fan',
        'params: { list: { type: string }, times: { type: integer } }',
        'step:',
        '  for_each: "{{params.list}}"',
        '  command: "echo {{item}} {{params.times}}; cpus={{params.times}}"',
        '  cpus: "{{params.times}}"',
        '---',
        'kind: workflow',
        'userId: u',
        'uniqueId: graph',
        's3_bucket: bucket-one',
        'source_s3_prefix: ""',
        'destination_s3_prefix: out/',
        'steps:',
        '  - name: a',
        '    command: echo a',
        '    timeout_seconds: 60',
        '  - name: b', // unknown template; its placeholder names a step that is not an ancestor
        '    uses: nowhere',
        '    depends_on: [a]',
        '    with: { input: "{{steps.c.result}}" }',
        '  - name: c', // missing and wrong-typed parameters; depends on a step that does not exist
        '    uses: fan',
        '    with: { times: many }',
        '    depends_on: [missing]',
        '  - name: c', // the name again
        '    command: echo c',
      ].join('\n'),
    );
    const { definitions, problems } = await loadDefinitions([file], { values });
    expect(problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      expect.stringMatching(/^20: unknown template "nowhere"/),
      expect.stringMatching(/^25: template "fan": parameter "times" must be a integer/),
      expect.stringMatching(/^25: template "fan": missing required parameter "list"/),
    ]);
    const [workflow] = definitions;
    // The body keeps the steps as far as they were expanded; the check sends stand-ins for b and c.
    const checked = workflow!.checkBody.steps as Record<string, unknown>[];
    expect(checked[0]).toBe((workflow!.body.steps as unknown[])[0]);
    expect(checked[1]).toEqual({ name: 'b', depends_on: ['a'], command: '{{steps.c.result}}' });
    expect(checked[2]).toEqual({ name: 'c', depends_on: ['missing'], command: 'true' });
    let found: { path: string; message: string }[] = [];
    try {
      parseWorkflowRequest(workflow!.checkBody, {
        timeoutSeconds: 3600,
        cpus: 1,
        memoryMb: 512,
        diskMb: 1024,
        metricsIntervalSeconds: 1,
        baseImage: 'debian:bookworm-slim',
        network: 'none',
      });
    } catch (error) {
      if (!(error instanceof InvalidDefinitionError)) throw error;
      found = error.problems;
    }
    // Only the graph's problems: nothing of the template's for_each, cpus or unfilled parameters.
    expect(found.map((p) => `${p.path}: ${p.message}`).sort()).toEqual([
      '/steps/1/command: placeholder {{steps.c.result}} names step "c", which is not among this step\'s dependencies or their ancestors; add it to depends_on',
      '/steps/2/depends_on/0: depends on "missing", which is not a step of this workflow',
      '/steps/3/name: step name "c" is also the name of step 2; names must be unique',
    ]);
    const lines = found.map((p) => workflow!.locate(workflow!.mapPointer(p.path)).line).sort((x, y) => x - y);
    expect(lines).toEqual([19, 26, 27]);
  });

  it('stands a failed step in as args when the workflow runs a prebuilt image, and keeps placeholders it will have', () => {
    expect(
      graphStandIn(
        {
          name: 'x',
          for_each: '{{steps.list.result}}',
          uses: 'nowhere',
          with: {
            a: 'say {{item}} of {{steps.list.result}}',
            b: ['{{index}}', '{{steps.{{params.p}}.result}}'],
          },
        },
        { image: 'alpine:3' },
      ),
    ).toEqual({
      name: 'x',
      for_each: '{{steps.list.result}}',
      args: ['{{item}}', '{{steps.list.result}}', '{{index}}'],
    });
  });
});

describe("the orchestrator's task list: tasks: [{ name: TEMPLATE, args }]", () => {
  const library = () => expandPaths(['examples/templates']);

  it('runs the templates it names in list order, each depending on the one before, a repeated name suffixed', async () => {
    const file = await tempFile(
      'pipeline.conf',
      [
        'userId = me',
        's3_bucket = results',
        'source_s3_prefix = in',
        'destination_s3_prefix = out/',
        'vars { where = "*.csv" }',
        'tasks = [',
        '  { name = scan, args { pattern = ${vars.where} } }',
        '  { name = cleanup }',
        '  {',
        '    name = cleanup',
        '    args = { what = "the ${TODAY} files" }',
        '  }',
        '  { name = upload, args { from = scan, file = manifest.txt } }',
        ']',
        '',
      ].join('\n'),
    );
    const { definitions, problems } = await loadDefinitions([file, ...(await library())], { values });
    expect(problems).toEqual([]);
    const [workflow] = definitions;
    expect(workflow).toMatchObject({ kind: 'workflow', userId: 'me', uniqueId: 'pipeline' });
    const steps = workflow!.body.steps as Record<string, unknown>[];
    expect(steps.map((s) => `${String(s.name)} <- ${JSON.stringify(s.depends_on)}`)).toEqual([
      'scan <- []',
      'cleanup <- ["scan"]',
      'cleanup-2 <- ["cleanup"]',
      'upload <- ["cleanup-2"]',
    ]);
    expect(steps[0]!.command).toContain("-name '*.csv'");
    expect(steps[1]!.command).toBe('echo cleaning up scratch files');
    expect(steps[2]!.command).toBe('echo cleaning up the ${TODAY} files');
    expect(steps[3]!.command).toBe('cp /job/steps/scan/manifest.txt output/');
    expect(steps.every((s) => !('uses' in s) && !('with' in s) && !('args' in s))).toBe(true);
    // The workflow passes the service's own validation.
    const defaults = {
      timeoutSeconds: 3600,
      cpus: 1,
      memoryMb: 512,
      diskMb: 1024,
      metricsIntervalSeconds: 1,
      baseImage: 'debian:bookworm-slim',
      network: 'none' as const,
    };
    const parsed = parseWorkflowRequest(workflow!.body, defaults);
    expect(parsed.steps.map((s) => s.name)).toEqual(['scan', 'cleanup', 'cleanup-2', 'upload']);
  });

  it('reports an unknown task type, a missing mandatory argument and an unknown argument, each at its line, all at once', async () => {
    const file = await tempFile(
      'broken.conf',
      [
        'userId = me', // 1
        'tasks = [',
        '  { name = scan, args { pattern = "*.csv" } }',
        '  {',
        '    name = transfrom', // 5
        '    args { script = "print(1)" }',
        '  }',
        '  {',
        '    name = upload',
        '    args {', // 10
        '      from = scan',
        '      colour = red',
        '    }',
        '  }',
        ']', // 15
        '',
      ].join('\n'),
    );
    const { problems } = await loadDefinitions([file, ...(await library())], { values });
    expect(problems.map((p) => `${p.line}:${p.column}: ${p.message}`)).toEqual([
      '5:5: unknown template "transfrom"; known: backup, cleanup, scan, transform, upload',
      '12:7: template "upload" has no parameter "colour"; its parameters: from, file',
      '10:5: template "upload": missing required parameter "file" (string)',
    ]);
    expect(problems.every((p) => p.file === file)).toBe(true);
  });

  it('tells the two task-list formats apart by their fields, and names both shapes for a task that fits neither or mixes them', async () => {
    const file = await tempFile(
      'mixed.yaml',
      [
        'tasks:', // 1
        '  - name: scan',
        '    args: { pattern: "*" }',
        '  - name: odd',
        '    type: exec', // 5
        '    arguments: echo odd',
        '  - name: both',
        '    args: {}',
        '    type: exec',
        '  - 42', // 10
        '  - { name: upload, args: { from: scan, file: x }, retries: 2 }',
        '  - { name: scan, args: everything }',
        '',
      ].join('\n'),
    );
    const { definitions, problems } = await loadDefinitions([file, ...(await library())], { values });
    expect(problems.map((p) => `${p.line}:${p.column}: ${p.message}`)).toEqual([
      "4:5: this task has the shape {name, type, arguments, dependencies} but the file's first task has {name, args}: the tasks of one file share one shape",
      `7:5: this task mixes the two task shapes (name, args, type): ${BOTH_SHAPES}`,
      `10:5: this task fits neither task shape: ${BOTH_SHAPES}`,
      '11:52: unknown field "retries" in a task: use name (a template) and args (its parameters)',
      '12:19: args must be a map of the template\'s parameters (name = value), got "everything"',
    ]);
    // The task-list format is still read as it was: a file of its tasks is not the orchestrator's.
    const list = await loadDefinitions(['examples/tasks.json'], { values });
    expect(list.problems).toEqual([]);
    expect(definitions[0]!.body.steps).toHaveLength(6);
    // A task with only a name fits either shape: in a file of the task-list format, it lacks a type.
    const named = await tempFile(
      'named.yaml',
      ['tasks:', '  - { name: a, type: exec, arguments: "true" }', '  - { name: b }', ''].join('\n'),
    );
    const unfinished = await loadDefinitions([named], { values });
    expect(unfinished.problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      '3: arguments must be a command (a string, or a list of words)',
      '3: type must be "exec" (a shell command) or "eval" (Python), got undefined',
    ]);
  });
});
