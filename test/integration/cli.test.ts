import { execFile } from 'node:child_process';
import net from 'node:net';
import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBucket,
  getText,
  listKeys,
  putObject,
  startTestService,
  type TestService,
} from '../support/harness.js';

/**
 * The `tds` executable, run as a user runs it (a child process of bin/tds.js), against the real
 * service: its output and exit codes.
 */
const run = promisify(execFile);
const TDS = path.resolve('bin/tds.js');
const EXAMPLES = path.resolve('examples');

let service: TestService;
let bucket: string;
let dir: string;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function tds(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; nodeArgs?: string[] } = {},
): Promise<Result> {
  try {
    const { stdout, stderr } = await run('node', [...(options.nodeArgs ?? []), TDS, ...args], {
      cwd: options.cwd ?? dir,
      env: { ...process.env, TDS_URL: service.apiUrl, ...options.env },
      timeout: 150_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  // notify_url on loopback: nothing listens there, the endpoints are only made.
  service = await startTestService({ env: { TDS_WEBHOOK_ALLOW_PRIVATE: 'true' } });
  bucket = await createBucket();
  await putObject(bucket, 'in/data.csv', 'a,b\n1,2\n3,4\n');
  dir = await mkdtemp(path.join(os.tmpdir(), 'tds-cli-'));
  await cp(EXAMPLES, path.join(dir, 'examples'), { recursive: true });
});

afterAll(async () => {
  await service?.close();
});

describe('tds --help', () => {
  it('says what each command does, with an example, and exits 0', async () => {
    const help = await tds(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes: 0 ok, 1');
    for (const command of [
      'validate',
      'apply',
      'run',
      'jobs',
      'logs',
      'results',
      'retry',
      'keys',
      'secrets',
    ]) {
      expect(help.stdout).toContain(command);
    }
    const runHelp = await tds(['run', '--help']);
    expect(runHelp.code).toBe(0);
    expect(runHelp.stdout).toContain('Examples:');
    const wrong = await tds(['frobnicate']);
    expect(wrong.code).toBe(2);
  });

  it('runs on a Node.js without type stripping by handing over to the pinned one, output and exit code kept', async () => {
    // As the machine's older Node.js runs the `tds` that `npm install -g .` put on the PATH: with
    // stripping off, cli/main.ts can only run in the Node.js 24 beside bin/tds.js.
    const noStripping = ['--no-experimental-strip-types'];
    const { stdout } = await run('node', [...noStripping, '-p', 'process.features.typescript']);
    expect(stdout.trim()).toBe('false');
    const help = await tds(['--help'], { nodeArgs: noStripping });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes: 0 ok, 1');
    const wrong = await tds(['get', 'nope'], { nodeArgs: noStripping });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('"nope" is not an id');
  });
});

describe('tds validate', () => {
  it('prints every problem of every file as file:line:column: message and exits 2', async () => {
    await writeFile(
      path.join(dir, 'bad.yaml'),
      [
        'kind: job', // 1
        'userId: akhil-test',
        'uniqueId: broken',
        `s3_bucket: ${bucket}`,
        'source_s3_prefix: ""', // 5
        'destination_s3_prefix: out/',
        'command: "  "',
        'cpus: many',
        'colour: red',
        '---', // 10
        'kind: job',
        'userId: akhil-test',
        'uniqueId: uses-template',
        `s3_bucket: ${bucket}`,
        'source_s3_prefix: ""', // 15
        'destination_s3_prefix: out/',
        'uses: transform',
        'with:',
        '  level: high',
        '  extra: 1', // 20
        '',
      ].join('\n'),
    );
    const result = await tds(['validate', 'bad.yaml', '--templates', 'examples/templates']);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^bad\.yaml:8:1: cpus /),
        expect.stringMatching(/^bad\.yaml:9:1: unknown field "colour"/),
        expect.stringMatching(/^bad\.yaml:18:1: template "transform": missing required parameter "script"/),
        expect.stringMatching(/^bad\.yaml:19:3: template "transform": parameter "level" must be a integer/),
        expect.stringMatching(/^bad\.yaml:20:3: template "transform" has no parameter "extra"/),
      ]),
    );
    // The blank command is found by the service's own validation once the schema is right.
    await writeFile(
      path.join(dir, 'blank.yaml'),
      (await readFile(path.join(dir, 'bad.yaml'), 'utf8'))
        .split('---')[0]!
        .replace(/cpus: many\ncolour: red\n/, ''),
    );
    const blank = await tds(['validate', 'blank.yaml']);
    expect(blank.code).toBe(2);
    expect(blank.stderr).toMatch(/^blank\.yaml:7:1: command must not be blank$/m);
  });

  it('accepts the examples, HOCON with its include and template library included', async () => {
    const result = await tds([
      'validate',
      'examples/hello.yaml',
      'examples/report/report.conf',
      '--set',
      `s3_bucket=${bucket}`,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('2 definitions valid');
    const orchestrated = await tds([
      'validate',
      'examples/orchestrator.conf',
      '--templates',
      'examples/templates',
      '--set',
      `s3_bucket=${bucket}`,
    ]);
    expect(orchestrated.stderr).toBe('');
    expect(orchestrated.code).toBe(0);
    expect(orchestrated.stdout).toContain('1 definition valid');
  });

  it('exits 3 when the service cannot be reached', async () => {
    const result = await tds(['validate', 'examples/hello.yaml', '--url', 'http://127.0.0.1:9']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('cannot reach the service');
  });
});

describe('tds apply', () => {
  it('creates, then finds nothing to change, shows a changed field, and prunes what no file holds', async () => {
    const set = ['--set', `s3_bucket=${bucket}`];
    const first = await tds(['apply', 'examples/report/report.conf', ...set]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^\+ create job akhil-test\/daily-report$/m);

    const again = await tds(['apply', 'examples/report/report.conf', ...set]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^= unchanged job akhil-test\/daily-report/m);
    expect(again.stdout).toContain('Nothing to change');

    const conf = path.join(dir, 'examples/report/report.conf');
    await writeFile(conf, (await readFile(conf, 'utf8')).replace('0 6 * * *', '30 7 * * *'));
    const dry = await tds(['apply', 'examples/report/report.conf', '--dry-run', ...set]);
    expect(dry.stdout).toMatch(/^~ update job akhil-test\/daily-report/m);
    expect(dry.stdout).toContain('    cron: "0 6 * * *" -> "30 7 * * *"');
    const changed = await tds(['apply', 'examples/report/report.conf', ...set]);
    expect(changed.code).toBe(0);
    expect(changed.stdout).toContain('updated job daily-report');
    const [job] = (await service.request('GET', '/jobs?userId=akhil-test')).body.jobs;
    expect(job.spec.cron).toBe('30 7 * * *');
    expect(job.version).toBe(2);
    expect((await tds(['apply', 'examples/report/report.conf', ...set])).stdout).toContain(
      'Nothing to change',
    );

    await writeFile(
      path.join(dir, 'other.yaml'),
      `kind: job\nuserId: akhil-test\nuniqueId: other\ns3_bucket: ${bucket}\nsource_s3_prefix: ""\ndestination_s3_prefix: o/\ncommand: "true"\ncron: "0 1 * * *"\n`,
    );
    const pruned = await tds(['apply', 'other.yaml', '--prune', '--output', 'json']);
    expect(pruned.code).toBe(0);
    const plan = JSON.parse(pruned.stdout).plan as { action: string; uniqueId: string }[];
    expect(plan.map((e) => `${e.action} ${e.uniqueId}`).sort()).toEqual([
      'create other',
      'delete daily-report',
    ]);
    const listed = await tds(['jobs', '--user', 'akhil-test', '--output', 'json']);
    expect(JSON.parse(listed.stdout).jobs.map((j: { uniqueId: string }) => j.uniqueId)).toEqual(['other']);
  });
});

describe('tds apply across days', () => {
  it("sends ${TODAY} and ${NOW} as written, so applying the same files on another day changes nothing; tds run's are its run's", async () => {
    await writeFile(
      path.join(dir, 'dated.conf'),
      [
        'kind = job',
        'userId = dated-user',
        'uniqueId = dated-report',
        `s3_bucket = ${bucket}`,
        'source_s3_prefix = in',
        'destination_s3_prefix = dated/',
        'cron = "0 6 * * *"',
        'command = "echo report for "${TODAY}" at "${NOW}',
      ].join('\n'),
    );
    await writeFile(
      path.join(dir, 'dated.yaml'),
      `kind: job\nuserId: dated-user\nuniqueId: dated-backup\ns3_bucket: ${bucket}\nsource_s3_prefix: in\ndestination_s3_prefix: dated/\ncron: "0 2 * * *"\nenv: { DAY: "\${TODAY}" }\ncommand: tar -czf output/backup-\${TODAY}.tar.gz -C input . && echo "$DAY" '$\${NOW}'\n`,
    );
    const files = ['dated.conf', 'dated.yaml'];
    // tds's own clock on two days: 26 hours apart, whatever the time (UTC+14, then UTC-12).
    const first = await tds(['apply', ...files], { env: { TZ: 'Pacific/Kiritimati' } });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^\+ create job dated-user\/dated-report$/m);
    expect(first.stdout).toMatch(/^\+ create job dated-user\/dated-backup$/m);
    const again = await tds(['apply', ...files], { env: { TZ: 'Etc/GMT+12' } });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^= unchanged job dated-user\/dated-report/m);
    expect(again.stdout).toMatch(/^= unchanged job dated-user\/dated-backup/m);
    expect(again.stdout).toContain('Nothing to change');
    const { jobs } = (await service.request('GET', '/jobs?userId=dated-user')).body;
    const byName = new Map(
      (jobs as { uniqueId: string; spec: Record<string, unknown> }[]).map((j) => [j.uniqueId, j.spec]),
    );
    expect(byName.get('dated-report')!.command).toBe('echo report for ${TODAY} at ${NOW}');
    expect(byName.get('dated-backup')).toMatchObject({
      command: `tar -czf output/backup-\${TODAY}.tar.gz -C input . && echo "$DAY" '$\${NOW}'`,
      env: { DAY: '${TODAY}' },
    });

    // A one-off run's are filled in by the service too: the date and time it was queued.
    const ran = await tds(['run', 'dated.yaml', '--output', 'json'], { env: { TZ: 'Pacific/Kiritimati' } });
    expect(ran.code, ran.stderr).toBe(0);
    const { runId } = JSON.parse(ran.stdout) as { runId: string };
    const run = (await service.request('GET', `/runs/${runId}`)).body;
    const queued = new Date(run.timings.queuedAt as string);
    const today = queued.toISOString().slice(0, 10);
    expect(run.scheduledFor).toBeNull();
    expect(await listKeys(bucket, `${run.results.prefix}output/`)).toEqual([
      `${run.results.prefix}output/backup-${today}.tar.gz`,
    ]);
    expect(await getText(bucket, `${run.results.prefix}stdout.log`)).toBe(`${today} \${NOW}\n`);
  });
});

describe('tds apply and notify_url', () => {
  it('shows a notify_url change in the plan and prints the secret of an endpoint made by a create or an update, once', async () => {
    const file = path.join(dir, 'notify.yaml');
    const job = (notify: string) =>
      `kind: job\nuserId: notify-cli\nuniqueId: hooked\ns3_bucket: ${bucket}\nsource_s3_prefix: ""\ndestination_s3_prefix: n/\ncommand: "true"\ncron: "0 1 * * *"\n${notify}`;
    await writeFile(file, job(''));
    const created = await tds(['apply', 'notify.yaml']);
    expect(created.code).toBe(0);
    expect(created.stdout).not.toContain('whsec_');

    await writeFile(file, job('notify_url: http://127.0.0.1:9/first\n'));
    const dry = await tds(['apply', 'notify.yaml', '--dry-run']);
    expect(dry.stdout).toContain('    notify_url: (none) -> "http://127.0.0.1:9/first"');
    const added = await tds(['apply', 'notify.yaml']);
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(
      /^updated job hooked \(.+\)\n {4}notify_url: webhook (\S+), signing secret whsec_\S+ \(shown this once: keep it\)$/m,
    );
    const webhookId = /notify_url: webhook (\S+),/.exec(added.stdout)![1]!;

    await writeFile(file, job('notify_url: http://127.0.0.1:9/second\n'));
    const moved = await tds(['apply', 'notify.yaml', '--output', 'json']);
    expect(moved.code).toBe(0);
    const applied = JSON.parse(moved.stdout) as {
      plan: { changes: { field: string }[] }[];
      applied: { notify?: unknown }[];
    };
    expect(applied.plan[0]!.changes.map((c) => c.field)).toEqual(['notify_url']);
    expect(applied.applied[0]!.notify).toBeUndefined();
    const endpoint = await service.request('GET', `/webhooks/${webhookId}`);
    expect(endpoint.body).toMatchObject({ url: 'http://127.0.0.1:9/second', enabled: true });
    expect((await tds(['apply', 'notify.yaml'])).stdout).toContain('Nothing to change');

    await writeFile(
      path.join(dir, 'notify-new.yaml'),
      job('notify_url: http://127.0.0.1:9/new\n').replace('uniqueId: hooked', 'uniqueId: hooked-new'),
    );
    const made = await tds(['apply', 'notify-new.yaml']);
    expect(made.stdout).toMatch(
      /^created job hooked-new \(.+\)\n {4}notify_url: webhook \S+, signing secret whsec_/m,
    );
  });
});

describe('everyday commands', () => {
  it('pauses, resumes and triggers a job, lists and shows its runs, cancels one, and exits 2 for an unknown id', async () => {
    const created = await service.request('POST', '/jobs', {
      userId: 'everyday',
      uniqueId: 'nightly',
      s3_bucket: bucket,
      source_s3_prefix: '',
      destination_s3_prefix: 'e/',
      command: 'sleep 30',
      cron: '0 1 * * *',
    });
    const id = created.body.job.id as string;
    expect((await tds(['pause', id])).stdout).toBe(`pause: ${id}\n`);
    const paused = await tds(['jobs', '--user', 'everyday']);
    expect(paused.stdout).toMatch(new RegExp(`^${id} +nightly +0 1 \\* \\* \\* +- +paused$`, 'm'));
    expect((await tds(['resume', id])).code).toBe(0);
    const triggered = await tds(['trigger', id, '--output', 'json']);
    const runId = JSON.parse(triggered.stdout).id as string;
    const runs = await tds(['runs', '--job', id, '--output', 'json']);
    expect(JSON.parse(runs.stdout).runs.map((r: { id: string }) => r.id)).toEqual([runId]);
    // A person reads the job's name where the listing says which job.
    const listed = await tds(['runs', '--job', id]);
    expect(listed.stdout).toMatch(new RegExp(`^${runId} +nightly +[a-z_]+ `, 'm'));
    const shown = await tds(['get', runId, '--output', 'json']);
    expect(JSON.parse(shown.stdout)).toMatchObject({ kind: 'run', value: { id: runId, jobId: id } });
    // For a person: a summary, not the answer's JSON.
    const summary = await tds(['get', runId]);
    expect(summary.code).toBe(0);
    expect(summary.stdout).toMatch(new RegExp(`^run ${runId}: [a-z_]+$`, 'm'));
    expect(summary.stdout).toMatch(new RegExp(`^ {2}Job +${id}$`, 'm'));
    expect(summary.stdout).toMatch(/^ {2}Results +s3:\/\//m);
    expect(summary.stdout).not.toContain('{');
    const jobShown = await tds(['get', id]);
    expect(jobShown.stdout).toMatch(new RegExp(`^job \\S+ \\(${id}\\)$`, 'm'));
    expect(jobShown.stdout).toContain(runId);
    const cancelled = await tds(['cancel', runId]);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toContain(`cancel requested: ${runId}`);
    const unknown = await tds(['get', '01900000-0000-7000-8000-000000000000']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no job, workflow, run or workflow run with id');
    expect((await tds(['get', 'not-an-id'])).code).toBe(2);
  });
});

describe('tds run', () => {
  it('runs the README job, shows Started, its output and Ended, the report, and downloads its results', async () => {
    const result = await tds(['run', 'examples/hello.yaml', '--set', `s3_bucket=${bucket}`]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Started: akhil-test-uid$/m);
    expect(result.stdout).toMatch(/^\[akhil-test-uid\] 56789$/m);
    expect(result.stdout).toMatch(/^Ended : akhil-test-uid \(succeeded, [\d.]+s, exit 0\)$/m);
    expect(result.stdout).toMatch(/^ {2}akhil-test-uid +ok +[\d.]+s +exit 0$/m);
    const runId = /run ([0-9a-f-]{36})/.exec(result.stdout)![1]!;

    const results = await tds(['results', runId, '-o', 'downloaded']);
    expect(results.code).toBe(0);
    expect(await readFile(path.join(dir, 'downloaded/output/lines.txt'), 'utf8')).toBe('3\n');
    expect(await readFile(path.join(dir, 'downloaded/stdout.log'), 'utf8')).toBe('56789\n');

    const logs = await tds(['logs', runId]);
    expect(logs.stdout).toBe('56789\n');
  });

  it('exits 1 with the failure in the report when the job fails, and reads a job from standard input', async () => {
    const body = `kind: job\nuserId: akhil-test\nuniqueId: fails\ns3_bucket: ${bucket}\nsource_s3_prefix: ""\ndestination_s3_prefix: f/\ncommand: "echo trying; exit 3"\n`;
    const child = execFile('node', [TDS, 'run', '-'], {
      cwd: dir,
      env: { ...process.env, TDS_URL: service.apiUrl },
    });
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stdin!.end(body);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stdout).toMatch(/^\[fails\] trying$/m);
    expect(stdout).toMatch(/^ {2}fails +failed +[\d.]+s +exit 3/m);
  });

  it('draws a live progress line on a terminal', async () => {
    const body = `kind: job\nuserId: akhil-test\nuniqueId: slow\ns3_bucket: ${bucket}\nsource_s3_prefix: ""\ndestination_s3_prefix: s/\ncommand: "sleep 2; echo done"\n`;
    await writeFile(path.join(dir, 'slow.yaml'), body);
    // `script` gives the command a pseudo-terminal, as a person's shell would.
    // Its size is set first: a terminal of no rows gets no progress line.
    const command = `stty rows 30 cols 100; node ${TDS} run slow.yaml`;
    const { stdout } = await run('script', ['-q', '-e', '-c', command, '/dev/null'], {
      cwd: dir,
      env: { ...process.env, TDS_URL: service.apiUrl },
      timeout: 120_000,
    });
    expect(stdout).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] slow (queued|staging|building|running|uploading) \d+s/);
    expect(stdout).toContain('\u001b[2K'); // the line is erased and redrawn
    expect(stdout).toMatch(/\[slow\] done/);
    expect(stdout).toMatch(/slow +ok/);
  });
});

describe('tds with workflow files', () => {
  const workflowFile = (uniqueId: string, steps: string[]) =>
    [
      'kind: workflow',
      'userId: cli-wf',
      `uniqueId: ${uniqueId}`,
      `s3_bucket: ${bucket}`,
      'source_s3_prefix: ""',
      'destination_s3_prefix: wf/',
      'steps:',
      ...steps,
      '',
    ].join('\n');

  beforeAll(async () => {
    await mkdir(path.join(dir, 'library'), { recursive: true });
    await writeFile(
      path.join(dir, 'library/shout.yaml'),
      [
        'kind: template',
        'name: shout',
        'params:',
        '  word: { type: string, required: true }',
        '  times: { type: integer, default: 1 }',
        'step:',
        '  command: "for i in $(seq {{params.times}}); do echo {{params.word}}; done"',
        '',
      ].join('\n'),
    );
  });

  it('validate prints every problem of the graph at its line: a cycle, an unknown step, a bad placeholder', async () => {
    await writeFile(
      path.join(dir, 'wf-bad.yaml'),
      workflowFile('wf-bad', [
        '  - name: a', // 8
        '    command: echo a',
        '    depends_on: [b]', // 10
        '  - name: b',
        '    command: echo b',
        '    depends_on: [a]',
        '  - name: c',
        '    command: "echo {{steps.nowhere.result}}"', // 15
        '  - name: d',
        '    command: echo d',
        '    depends_on: [missing]',
      ]),
    );
    await writeFile(
      path.join(dir, 'wf-template.yaml'),
      workflowFile('wf-template', [
        '  - name: e', // 8
        '    uses: shout',
        '    with: { times: many }', // 10
        '  - name: f',
        '    uses: whisper',
      ]),
    );
    const result = await tds(['validate', 'wf-bad.yaml', 'wf-template.yaml', '--templates', 'library']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      'wf-bad.yaml:10:5: the steps depend on each other in a cycle: a → b → a',
      'wf-bad.yaml:15:5: placeholder {{steps.nowhere.result}} names no step of this workflow',
      'wf-bad.yaml:18:18: depends on "missing", which is not a step of this workflow',
      expect.stringMatching(/^wf-template\.yaml:10:5: template "shout": missing required parameter "word"/),
      expect.stringMatching(
        /^wf-template\.yaml:10:\d+: template "shout": parameter "times" must be a integer/,
      ),
      expect.stringMatching(/^wf-template\.yaml:12:\d+: .*"whisper"/),
      '6 problems found',
    ]);
  });

  it("validate reports a step's template problems and the graph's problems of the same file together", async () => {
    await writeFile(
      path.join(dir, 'wf-both.yaml'),
      workflowFile('wf-both', [
        '  - name: a', // 8
        '    command: echo a',
        '    depends_on: [b]', // 10
        '  - name: b',
        '    uses: shout',
        '    with: { times: many }', // 13
        '    depends_on: [a]',
        '  - name: c', // 15
        '    uses: nowhere',
        '    depends_on: [gone]',
        '  - name: c', // 18
        '    command: "echo {{steps.a.result}}"',
      ]),
    );
    const result = await tds(['validate', 'wf-both.yaml', '--templates', 'library']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      'wf-both.yaml:10:5: the steps depend on each other in a cycle: a → b → a',
      expect.stringMatching(/^wf-both\.yaml:13:5: template "shout": missing required parameter "word"/),
      expect.stringMatching(/^wf-both\.yaml:13:\d+: template "shout": parameter "times" must be a integer/),
      expect.stringMatching(/^wf-both\.yaml:16:\d+: unknown template "nowhere"/),
      'wf-both.yaml:17:18: depends on "gone", which is not a step of this workflow',
      'wf-both.yaml:18:5: step name "c" is also the name of step 2; names must be unique',
      '6 problems found',
    ]);
  });

  it('apply creates a workflow built from a template, finds it unchanged, then updates it (a new version)', async () => {
    const file = (times: number) =>
      workflowFile('pipeline', [
        '  - name: greet',
        '    uses: shout',
        `    with: { word: hello, times: ${times} }`,
        '  - name: after',
        '    depends_on: [greet]',
        '    command: echo done',
      ]);
    const args = (...more: string[]) => ['apply', 'pipeline.yaml', '--templates', 'library', ...more];
    await writeFile(path.join(dir, 'pipeline.yaml'), file(1));
    const first = await tds(args());
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^\+ create workflow cli-wf\/pipeline$/m);
    const again = await tds(args());
    expect(again.stdout).toMatch(/^= unchanged workflow cli-wf\/pipeline/m);
    expect(again.stdout).toContain('Nothing to change');

    await writeFile(path.join(dir, 'pipeline.yaml'), file(2));
    const dry = await tds(args('--dry-run'));
    expect(dry.stdout).toMatch(/^~ update workflow cli-wf\/pipeline/m);
    expect(dry.stdout).toContain(
      '    steps.greet.command: "for i in $(seq 1); do echo hello; done" -> "for i in $(seq 2); do echo hello; done"',
    );
    const changed = await tds(args());
    expect(changed.code).toBe(0);
    expect(changed.stdout).toContain('updated workflow pipeline');
    const [stored] = (await service.request('GET', '/workflows?userId=cli-wf')).body.workflows;
    expect(stored.version).toBe(2);
    const versions = await service.request('GET', `/workflows/${stored.id}/versions`);
    expect(versions.body.versions).toHaveLength(2);
    expect((await tds(args())).stdout).toContain('Nothing to change');

    await writeFile(
      path.join(dir, 'other-wf.yaml'),
      workflowFile('other', ['  - name: only', '    command: "true"']),
    );
    const pruned = await tds(['apply', 'other-wf.yaml', '--prune', '--output', 'json']);
    expect(pruned.code).toBe(0);
    const plan = JSON.parse(pruned.stdout).plan as { action: string; kind: string; uniqueId: string }[];
    expect(plan.map((e) => `${e.action} ${e.kind} ${e.uniqueId}`).sort()).toEqual([
      'create workflow other',
      'delete workflow pipeline',
    ]);
    const left = (await service.request('GET', '/workflows?userId=cli-wf')).body.workflows;
    expect(left.map((w: { uniqueId: string }) => w.uniqueId)).toEqual(['other']);
  });

  it('run watches a workflow to its end: Started/Ended, output by step, the report, exit 1 when it failed', async () => {
    await writeFile(
      path.join(dir, 'checks.yaml'),
      workflowFile('checks', [
        '  - name: prepare',
        '    uses: shout',
        '    with: { word: ready }',
        '  - name: check',
        '    depends_on: [prepare]',
        '    command: "echo checking; exit 4"',
        '  - name: publish',
        '    depends_on: [check]',
        '    command: echo published',
        '  - name: cleanup',
        '    depends_on: [publish]',
        '    run_if: all_done',
        '    command: echo cleaned',
      ]),
    );
    const result = await tds(['run', 'checks.yaml', '--templates', 'library']);
    expect(result.code).toBe(1);
    const out = result.stdout;
    for (const pattern of [
      /^Started: prepare$/m,
      /^\[prepare\] ready$/m,
      /^Ended : prepare \(succeeded, exit 0\)$/m,
      /^\[check\] checking$/m,
      /^Ended : check \(failed, exit 4\)$/m,
      /^Ended : publish \(skipped\)$/m,
      /^\[cleanup\] cleaned$/m,
      /^ {2}prepare +ok +[\d.]+s +exit 0$/m,
      /^ {2}check +failed +[\d.]+s +exit 4/m,
      /^ {2}publish +skipped +- +\(dependency "check" failed\)$/m,
      /^ {2}cleanup +ok +[\d.]+s +exit 0$/m,
    ])
      expect(out).toMatch(pattern);
    expect(out).not.toMatch(/^Started: publish$/m);
    expect(out.indexOf('Started: prepare')).toBeLessThan(out.indexOf('Started: check'));
    // A step's output comes before its Ended line.
    expect(out.indexOf('[check] checking')).toBeLessThan(out.indexOf('Ended : check'));
    expect(out.indexOf('[prepare] ready')).toBeLessThan(out.indexOf('Ended : prepare'));

    const json = await tds(['run', 'checks.yaml', '--templates', 'library', '--output', 'json']);
    expect(json.code).toBe(1);
    const answer = JSON.parse(json.stdout);
    expect(answer).toMatchObject({ kind: 'workflow', state: 'failed' });
    expect(answer.report.map((l: { name: string; outcome: string }) => `${l.name} ${l.outcome}`)).toEqual([
      'prepare ok',
      'check failed',
      'publish skipped',
      'cleanup ok',
    ]);
  });
  it("runs the orchestrator's task list in order to its first failure, skipping the rest, after checking it whole", async () => {
    await writeFile(
      path.join(dir, 'library/exit-with.yaml'),
      [
        'kind: template',
        'name: exit-with',
        'params:',
        '  code: { type: integer, required: true }',
        'step:',
        '  command: "echo exiting {{params.code}}; exit {{params.code}}"',
        '',
      ].join('\n'),
    );
    const conf = (tasks: string[]) =>
      [
        'userId = cli-wf',
        `s3_bucket = ${bucket}`,
        'source_s3_prefix = ""',
        'destination_s3_prefix = orchestrated/',
        'vars { first = first }',
        'tasks = [',
        ...tasks,
        ']',
        '',
      ].join('\n');
    await writeFile(
      path.join(dir, 'orchestrated.conf'),
      conf([
        '  { name = shout, args { word = ${vars.first} } }',
        '  { name = exit-with, args { code = 3 } }',
        '  { name = shout, args { word = never } }',
      ]),
    );
    const result = await tds(['run', 'orchestrated.conf', '--templates', 'library']);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    const out = result.stdout;
    for (const pattern of [
      /^\[shout\] first$/m,
      /^Ended : shout \(succeeded, exit 0\)$/m,
      /^\[exit-with\] exiting 3$/m,
      /^Ended : exit-with \(failed, exit 3\)$/m,
      /^Ended : shout-2 \(skipped\)$/m,
      /^ {2}shout +ok +[\d.]+s +exit 0$/m,
      /^ {2}exit-with +failed +[\d.]+s +exit 3/m,
      /^ {2}shout-2 +skipped +- +\(dependency "exit-with" failed\)$/m,
    ])
      expect(out).toMatch(pattern);
    // In list order: the second task starts only once the first has ended; the third never starts.
    expect(out.indexOf('Ended : shout (succeeded')).toBeLessThan(out.indexOf('Started: exit-with'));
    expect(out).not.toMatch(/^Started: shout-2$/m);
    expect(out).not.toContain('never');

    // Checked whole before anything is sent: every problem at its line, and no run.
    await writeFile(
      path.join(dir, 'misspelt.conf'),
      conf([
        '  { name = shuot, args { word = a } }', // 7
        '  { name = shout, args { times = 2 } }', // 8
        '  { name = exit-with, args { code = 1, loud = true } }', // 9
      ]),
    );
    const runsBefore = (await service.request('GET', '/workflows?userId=cli-wf')).body.workflows.length;
    for (const command of ['validate', 'run']) {
      const refused = await tds([command, 'misspelt.conf', '--templates', 'library']);
      expect(refused.code, refused.stdout + refused.stderr).toBe(2);
      expect(refused.stdout).not.toMatch(/Submitted/);
      expect(refused.stderr).toMatch(/^3 problems found$/m);
      expect(refused.stderr.split('\n').filter((line) => line.startsWith('misspelt.conf:'))).toEqual([
        'misspelt.conf:7:5: unknown template "shuot"; known: exit-with, shout',
        'misspelt.conf:8:19: template "shout": missing required parameter "word" (string)',
        'misspelt.conf:9:40: template "exit-with" has no parameter "loud"; its parameters: code',
      ]);
    }
    expect((await service.request('GET', '/workflows?userId=cli-wf')).body.workflows).toHaveLength(
      runsBefore,
    );
  });
});

describe('the examples', () => {
  it('runs the fan-out with its reduce: the sum of the squares, from the results and from the files alike', async () => {
    const result = await tds(['run', 'examples/fan-out.yaml', '--set', `s3_bucket=${bucket}`]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\[sum\] 385$/m);
    expect(result.stdout).toMatch(/^ {2}square +ok /m);
    // Each item's output, once, named by its step and index, before the step's Ended line.
    const lines = result.stdout.split('\n');
    for (let index = 0; index < 10; index += 1) {
      const line = `[square/${index}] ${(index + 1) ** 2}`;
      expect(
        lines.filter((l) => l === line),
        line,
      ).toHaveLength(1);
      expect(lines.indexOf(line)).toBeLessThan(lines.findIndex((l) => l.startsWith('Ended : square')));
    }
  });

  it('runs the task list: exec and eval tasks, a failing one, and the one after it skipped', async () => {
    const result = await tds([
      'run',
      'examples/tasks.json',
      '--set',
      `s3_bucket=${bucket}`,
      '--set',
      'userId=akhil-test',
      '--set',
      'source_s3_prefix=',
      '--set',
      'destination_s3_prefix=tasks/',
    ]);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toMatch(/^\[compute\] 45$/m);
    // The task's own error output, on tds's error output, named by its task.
    expect(result.stderr).toMatch(/^\[check\] the numbers do not add up$/m);
    expect(result.stdout).toMatch(/^ {2}check +failed /m);
    expect(result.stdout).toMatch(/^ {2}publish +skipped .*dependency "check" failed/m);
  });

  it('applies the nightly workflow from its template library, and runs it to the end with its cleanup', async () => {
    const templates = ['--templates', 'examples/templates', '--set', `s3_bucket=${bucket}`];
    const applied = await tds(['apply', 'examples/nightly.yaml', ...templates]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/^\+ create workflow akhil-test\/nightly$/m);
    const result = await tds(['run', 'examples/nightly.yaml', ...templates]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const step of ['scan', 'transform', 'upload', 'backup', 'cleanup']) {
      expect(result.stdout).toMatch(new RegExp(`^ {2}${step} +ok `, 'm'));
    }
    // The list: the applied workflow on its cron with its next fire; the one run, succeeded.
    const listed = await tds(['workflows', '--user', 'akhil-test']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^\S+ +nightly +0 2 \* \* \* +- +\d{4}-\d\d-\d\dT02:00:00/m);
    const oneOff = /Submitted workflow (\S+):/.exec(result.stdout)![1]!;
    expect(listed.stdout).toMatch(new RegExp(`^\\S+ +${oneOff} +- +succeeded +-$`, 'm'));
  });
});

describe('tds logs -f', () => {
  it("follows a run's log stream to its end, every line once and in order, across dropped connections", async () => {
    // Between tds and the service, a proxy that cuts every connection after 700 ms.
    let connections = 0;
    const target = new URL(service.apiUrl!);
    const proxy = net.createServer((client) => {
      connections += 1;
      const upstream = net.connect(Number(target.port), target.hostname);
      client.pipe(upstream).pipe(client);
      const cut = setTimeout(() => {
        client.destroy();
        upstream.destroy();
      }, 700);
      const end = () => {
        clearTimeout(cut);
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const created = await service.request('POST', '/jobs', {
        userId: 'follower',
        uniqueId: 'counting',
        s3_bucket: bucket,
        source_s3_prefix: '',
        destination_s3_prefix: 'l/',
        command:
          'for i in $(seq 1 40); do echo "line $i"; [ $((i % 10)) -eq 0 ] && echo "err $i" >&2; sleep 0.1; done',
      });
      const runId = created.body.run.id as string;
      const port = (proxy.address() as net.AddressInfo).port;
      const followed = await tds(['logs', '-f', runId], { env: { TDS_URL: `http://127.0.0.1:${port}` } });
      expect(followed.code).toBe(0);
      expect(followed.stdout).toBe(Array.from({ length: 40 }, (_, i) => `line ${i + 1}\n`).join(''));
      expect(followed.stderr).toBe('err 10\nerr 20\nerr 30\nerr 40\n');
      expect(connections).toBeGreaterThan(2);
    } finally {
      proxy.close();
    }
  });
});

describe('tds logs', () => {
  it("shows a run's output without its terminal escape sequences, and as written with --raw", async () => {
    const created = await service.request('POST', '/jobs', {
      userId: 'painter',
      uniqueId: 'escapes',
      s3_bucket: bucket,
      source_s3_prefix: '',
      destination_s3_prefix: 'e/',
      command: "printf '\\033[31mred\\033[0m\\n\\033]0;title\\007plain\\n'; printf '\\033[2Jerr\\n' >&2",
    });
    expect(created.status).toBe(202);
    const runId = created.body.run.id as string;
    expect((await service.waitForRun(runId)).state).toBe('succeeded');
    const shown = await tds(['logs', runId]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toBe('red\nplain\n');
    expect(shown.stderr).toBe('err\n');
    const raw = await tds(['logs', '--raw', runId]);
    expect(raw.stdout).toBe('\u001b[31mred\u001b[0m\n\u001b]0;title\u0007plain\n');
    expect(raw.stderr).toBe('\u001b[2Jerr\n');
  });
});

describe('tds secrets', () => {
  /** `tds` with `input` on its standard input. */
  async function tdsWithInput(args: string[], input: string): Promise<Result> {
    const child = execFile('node', [TDS, ...args], {
      cwd: dir,
      env: { ...process.env, TDS_URL: service.apiUrl, TDS_USER: 'cli-secrets' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin!.end(input);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    return { code: code ?? -1, stdout, stderr };
  }
  const env = { TDS_USER: 'cli-secrets' };
  const VALUE = 'cli-s3cret-value-0451';

  it('sets from stdin or a file, lists names only, runs a job with its value masked, and deletes', async () => {
    const set = await tdsWithInput(['secrets', 'set', 'API_KEY'], `${VALUE}\n`);
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(set.stdout).toBe('set API_KEY\n');
    await writeFile(path.join(dir, 'cert.pem'), 'line one\nline two\n');
    const fromFile = await tds(['secrets', 'set', 'CERT', '--from-file', 'cert.pem'], { env });
    expect(fromFile.code).toBe(0);
    const empty = await tdsWithInput(['secrets', 'set', 'EMPTY'], '\n');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('the value is empty');

    const list = await tds(['secrets', 'list'], { env });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^NAME +CREATED +UPDATED$/m);
    expect(list.stdout).toMatch(/^API_KEY +\S+ +\S+$/m);
    expect(list.stdout).toMatch(/^CERT +\S+ +\S+$/m);
    expect(list.stdout).not.toContain(VALUE);
    const json = await tds(['--output', 'json', 'secrets'], { env });
    const names = (JSON.parse(json.stdout) as { secrets: { name: string }[] }).secrets.map((s) => s.name);
    expect(names).toEqual(['API_KEY', 'CERT']);

    // The job gets both, exactly as set; its output shows the key masked.
    const job = [
      'kind: job',
      'userId: cli-secrets',
      'uniqueId: uses-secrets',
      `s3_bucket: ${bucket}`,
      'source_s3_prefix: ""',
      'destination_s3_prefix: s/',
      'secrets: [API_KEY, CERT]',
      `command: 'echo "key=$API_KEY"; printf %s "$CERT" | wc -l'`,
    ].join('\n');
    await writeFile(path.join(dir, 'secret-job.yaml'), `${job}\n`);
    const ran = await tds(['run', 'secret-job.yaml'], { env });
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/^\[uses-secrets\] key=\*\*\*$/m);
    expect(ran.stdout).toMatch(/^\[uses-secrets\] 2$/m);
    expect(ran.stdout).not.toContain(VALUE);

    const deleted = await tds(['secrets', 'delete', 'API_KEY'], { env });
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toBe('deleted API_KEY\n');
    const again = await tds(['secrets', 'delete', 'API_KEY'], { env });
    expect(again.code).toBe(2);
    // A job naming it is now refused before anything is stored, saying how to set it.
    const refused = await tds(['run', 'secret-job.yaml', '--set', 'uniqueId=uses-secrets-2'], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('tds secrets set');
  });
});
