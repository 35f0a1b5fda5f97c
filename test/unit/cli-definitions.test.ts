import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../cli/definitions/load.js';
import { expandPaths } from '../../cli/definitions/source-files.js';
import { builtInValues, environmentValues } from '../../cli/definitions/substitutions.js';

const values = builtInValues(new Date('2026-03-04T05:06:07Z'), '/work/here');

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
    expect(steps[3]!.command).toContain('backup-2026-03-04.tar.gz');
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
      `echo 2026-03-04 2026-03-04T05:06:07Z /work/here ${process.platform}-${process.arch} \${HOME} \${TODAY} given`,
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
      command: 'echo report for 2026-03-04; wc -l input/* > output/counts.txt',
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
    expect(refused.problems[0]!.message).toContain('only includes of a file beside this one');
  });
});
