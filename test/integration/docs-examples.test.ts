import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  classifyBlock,
  DEFINITION_LANGS,
  definitionCommand,
  extractBlocks,
  fillPlaceholders,
  idsOf,
  placeholders,
  splitCommands,
  statedOutput,
  statedStatus,
  type DocBlock,
} from '../support/doc-examples.js';
import { awsCliImage, awsOnPath } from '../support/aws-cli.js';
import { startTestService, type TestService } from '../support/harness.js';
import { startOwnS3, type OwnS3 } from '../support/own-s3.js';

/**
 * The docs' examples, run as written (test/support/doc-examples.ts reads them from the Markdown):
 * each page's blocks in order, the pages side by side; the README's first, since its job's run is
 * the one results.md reads. The service listens where the docs say it does, as far as the examples can
 * tell: their `http://127.0.0.1:8080` (or `localhost:8080`) and S3's `http://127.0.0.1:4569` are
 * this service's and this file's own S3 server's addresses, and `tds` is bin/tds.js with
 * TDS_URL and TDS_USER=akhil-test, as docs/cli.md sets them up.
 */
/** An API answer, read as JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Answer = any;

const ROOT = path.resolve(import.meta.dirname, '../..');
const TDS = path.join(ROOT, 'bin/tds.js');
/**
 * Last, one after the other: the keys page makes the operator key the audit and events pages send,
 * and sets akhil-test's bucket allow-list, which the other pages' examples do not keep to.
 */
const LAST = ['docs/security.md', 'docs/audit.md', 'docs/events.md'];

let service: TestService;
let s3: OwnS3;
let pages: { file: string; blocks: DocBlock[] }[];
/** Ids the README's example left (its job's run): results.md reads that run's folder. */
const shared: Record<string, string> = {};
const env: Record<string, string> = {};

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function sh(script: string, cwd: string, timeout = 150_000): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-c', script],
      { cwd, env: { ...process.env, ...env }, timeout, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The docs' addresses made this service's and this S3 server's. */
function addressed(text: string): string {
  const api = service.apiUrl!;
  return text
    .replaceAll('http://127.0.0.1:8080', api)
    .replaceAll('http://127.0.0.1:4569', s3.endpoint)
    .replace(/(?<![\w/.:])localhost:8080/g, api)
    .replaceAll('tds_…', env.TDS_OPERATOR_KEY ?? 'tds_…');
}

async function waitForWorkflowRun(id: string): Promise<Answer> {
  const deadline = Date.now() + 150_000;
  let last: unknown;
  while (Date.now() < deadline) {
    const { status, body } = await service.request('GET', `/workflow-runs/${id}`);
    expect(status, JSON.stringify(body)).toBe(200);
    last = body;
    const ended = ['succeeded', 'failed', 'cancelled'].includes(body.state as string);
    if (ended && body.results.report.writtenAt !== null) return body;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`workflow run ${id} did not end in time; last seen ${JSON.stringify(last)}`);
}

const stepOf = (run: Answer, name: string) => run.steps.find((s: { name: string }) => s.name === name);

/**
 * What the docs say a workflow example ends with, by its uniqueId: checked once its run ends
 * (docs/workflows.md: "sum prints 14").
 */
const STATED: Record<string, (run: Answer) => void> = {
  shards: (run) => {
    expect(run.state, JSON.stringify(run)).toBe('succeeded');
    expect(stepOf(run, 'square').result).toBe('[1,4,9]');
    expect(stepOf(run, 'sum').result).toBe('14');
    expect(stepOf(run, 'tidy').result).toBe('tidied');
  },
};

interface PageState {
  ids: Record<string, string>;
  /** The run a command queued, waited for before S3 is read. */
  pendingRun?: string;
  /** Workflow runs the page's commands started, with the body that started each. */
  workflowRuns: { id: string; uniqueId: string }[];
  /** The page's first workflow, as posted (a `run: step` block replaces one of its steps). */
  firstWorkflow?: Record<string, Answer>;
  /** Steps shown alone with no step of their name in the first workflow, checked together. */
  aloneSteps: Record<string, Answer>[];
  dir: string;
}

/** The body of `curl ... -d '...'`, if it is JSON. */
function curlBody(command: string): Record<string, Answer> | undefined {
  const m = /\s-d\s+'([^']*)'/.exec(command);
  if (!m) return undefined;
  try {
    return JSON.parse(m[1]!) as Record<string, Answer>;
  } catch {
    return undefined;
  }
}

async function runShell(block: DocBlock, state: PageState): Promise<void> {
  const prelude = [`tds() { "${process.execPath}" "${TDS}" "$@"; }`, 'set -o pipefail'];
  for (const command of splitCommands(block.text)) {
    const where = `${block.file}:${block.line + command.line}: ${command.text}`;
    const text = fillPlaceholders(addressed(command.text), { ...shared, ...state.ids });
    expect(placeholders(text), `${where}: no earlier example gives these ids`).toEqual([]);
    if (/^(?:export\s+)?[A-Za-z_]\w*=/.test(text)) {
      prelude.push(text);
      continue;
    }
    const readsS3 = /^(?:\$S3|aws)\b/.test(text);
    if (readsS3 && state.pendingRun) {
      await service.waitForRun(state.pendingRun);
      state.pendingRun = undefined;
    }
    const curl = /^curl\s/.test(text);
    const stream = curl && /\s-N\s/.test(text);
    const script = curl
      ? text.replace(/^curl\s/, `curl -w '\\n%{http_code}' ${stream ? '--max-time 3 ' : ''}`)
      : text.startsWith('npm run keys')
        ? `cd "${ROOT}" && ${text}` // the operator's command, run where the project is
        : text;
    const ran = await sh([...prelude, script].join('\n'), state.dir);
    const detail = `${where}\nexit ${ran.code}\n${ran.stdout}\n${ran.stderr}`;
    // A stream is read for three seconds, then closed (curl's 28: the time ran out).
    expect(stream ? [0, 28] : [0], detail).toContain(ran.code);
    let output = ran.stdout;
    if (curl) {
      const lines = ran.stdout.split('\n');
      const status = Number(lines.pop());
      output = lines.join('\n');
      const stated = statedStatus(command.notes);
      if (stated !== undefined) expect(status, detail).toBe(stated);
      else expect(status, detail).toBeLessThan(400);
      let answer: unknown;
      try {
        answer = JSON.parse(output);
      } catch {
        answer = undefined;
      }
      Object.assign(state.ids, idsOf(answer));
      const body = curlBody(text);
      const a = answer as Record<string, Answer> | undefined;
      if (a?.run?.id && a.run.state === 'queued') state.pendingRun = a.run.id as string;
      if (a?.workflowRun?.id && body) {
        state.workflowRuns.push({ id: a.workflowRun.id as string, uniqueId: body.uniqueId as string });
        state.firstWorkflow ??= body;
      }
    }
    const key = /(tds_[A-Za-z0-9_-]{43})/.exec(output)?.[1];
    if (key && /--operator/.test(text)) env.TDS_OPERATOR_KEY = env.OPERATOR_KEY = key;
    const keyId = /Created key ([0-9a-f-]{36})/.exec(output)?.[1];
    if (keyId) state.ids.keyId = keyId;
    for (const line of statedOutput(command.notes))
      expect(output, detail).toContain(fillPlaceholders(line, { ...shared, ...state.ids }));
  }
}

/** A definition file for tds: run with the command its first line names, else validated. */
async function runDefinitionFile(block: DocBlock, state: PageState): Promise<void> {
  const work = path.join(state.dir, `block-${block.line}`);
  await cp(path.join(ROOT, 'examples'), path.join(work, 'examples'), { recursive: true });
  const named = definitionCommand(block);
  let command: string;
  if (named) {
    await writeFile(path.join(work, named.file), block.text);
    command = named.command;
  } else if (/^kind:\s*template\b/m.test(block.text)) {
    // In place of the examples' template of its name, with every example that uses it.
    const name = /^name:\s*(\S+)/m.exec(block.text)![1]!;
    await writeFile(path.join(work, 'examples/templates', `${name}.yaml`), block.text);
    const users: string[] = [];
    for (const file of await readdir(path.join(work, 'examples'))) {
      const text = await readFile(path.join(work, 'examples', file), 'utf8').catch(() => '');
      if (new RegExp(`uses:\\s*${name}\\b`).test(text)) users.push(`examples/${file}`);
    }
    expect(users, `${block.file}:${block.line}: no example uses the template ${name}`).not.toEqual([]);
    command = `tds validate ${users.join(' ')} --templates examples/templates`;
  } else {
    const file = `docs-example.${block.lang === 'hocon' ? 'conf' : 'yaml'}`;
    await writeFile(path.join(work, file), block.text);
    command = `tds validate ${file}`;
  }
  const script = `tds() { "${process.execPath}" "${TDS}" "$@"; }\n${command}`;
  const ran = await sh(script, work);
  expect(ran.code, `${block.file}:${block.line}: ${command}\n${ran.stdout}\n${ran.stderr}`).toBe(0);
}

/** A job or workflow as a body: answered valid by a dry run. */
/** A definition's shared fields, for the fields of a job or workflow shown alone. */
const SHARED = {
  userId: 'akhil-test',
  s3_bucket: 'ccbd-hw2-frontend',
  source_s3_prefix: 'in',
  destination_s3_prefix: '/out/',
};

async function dryRun(block: DocBlock, kind: 'job' | 'workflow', body: unknown): Promise<void> {
  const route = kind === 'job' ? '/jobs?dry_run=true' : '/workflows?dry_run=true';
  const answer = await service.request('POST', route, body);
  expect(answer.status, `${block.file}:${block.line}: ${JSON.stringify(answer.body)}`).toBe(200);
  expect(answer.body.valid).toBe(true);
}

async function runBlock(block: DocBlock, state: PageState): Promise<void> {
  const classified = classifyBlock(block);
  if ('problem' in classified) throw new Error(classified.problem);
  const value = ['job', 'workflow', 'job-fields', 'workflow-fields', 'step'].includes(classified.kind)
    ? (JSON.parse(block.text) as Record<string, Answer>)
    : {};
  switch (classified.kind) {
    case 'not-run':
      return;
    case 'shell':
      return runShell(block, state);
    case 'definition-file':
      return runDefinitionFile(block, state);
    case 'job':
    case 'workflow':
      return dryRun(block, classified.kind, value);
    case 'job-fields':
      return dryRun(block, 'job', { ...SHARED, uniqueId: `docs-fields-${block.line}`, ...value });
    case 'workflow-fields':
      return dryRun(block, 'workflow', {
        ...SHARED,
        uniqueId: `docs-workflow-fields-${block.line}`,
        ...value,
      });
    case 'step': {
      // In place of the step of its name in the page's first workflow, checked as the workflow is.
      // Not run: the page shows such steps for cases its first workflow is not (workflows.md's
      // reduce over a fan-out whose result is over TDS_MAX_RESULT_BYTES).
      // Else beside the page's earlier steps shown alone (a fan-out over objects, then its reduce).
      const first = state.firstWorkflow;
      const inFirst = ((first?.steps ?? []) as { name: string }[]).some((s) => s.name === value.name);
      if (!inFirst) {
        state.aloneSteps.push(value);
        return dryRun(block, 'workflow', {
          ...SHARED,
          uniqueId: `docs-steps-${block.line}`,
          steps: state.aloneSteps,
        });
      }
      const steps = (first!.steps as { name: string }[]).map((s) => (s.name === value.name ? value : s));
      return dryRun(block, 'workflow', { ...first, steps });
    }
  }
}

beforeAll(async () => {
  const awsImage = await awsCliImage(inject('baseImage'));
  s3 = await startOwnS3();
  service = await startTestService({
    env: { S3_ENDPOINT: s3.endpoint, TDS_MAX_CONCURRENT_RUNS: '6', TDS_LOCAL_IMAGES: 'tds-test-*' },
  });
  Object.assign(env, {
    TDS_URL: service.apiUrl!,
    TDS_USER: 'akhil-test',
    DATABASE_URL: service.databaseUrl ?? '',
    GITHUB_TOKEN: 'ghp_docs-example-token',
    PATH: `${await awsOnPath(awsImage)}${path.delimiter}${process.env.PATH ?? ''}`,
  });
  // The docs' other bucket; the README makes its own (`$S3 mb`).
  const made = await sh(`aws --endpoint-url ${s3.endpoint} s3 mb s3://my-bucket`, os.tmpdir());
  expect(made.code, made.stderr).toBe(0);
  const files = ['README.md', ...(await readdir(path.join(ROOT, 'docs'))).map((f) => `docs/${f}`)];
  pages = await Promise.all(
    files
      .filter((f) => f.endsWith('.md'))
      .map(async (file) => ({
        file,
        blocks: extractBlocks(file, await readFile(path.join(ROOT, file), 'utf8')),
      })),
  );
});

afterAll(async () => {
  await service?.close();
  await s3?.close();
});

async function runPage(file: string, after?: (state: PageState) => void): Promise<void> {
  const page = pages.find((p) => p.file === file)!;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tds-docs-'));
  const state: PageState = { ids: {}, workflowRuns: [], aloneSteps: [], dir };
  try {
    // Definition files (which read nothing the page's other blocks make) side by side; the rest in
    // order, since they build on each other (a secret set, then a job that names it).
    const file = (block: DocBlock) =>
      'kind' in classifyBlock(block) && block.notRun === undefined && DEFINITION_LANGS.has(block.lang);
    const beside = Promise.allSettled(page.blocks.filter(file).map((b) => runBlock(b, state)));
    for (const block of page.blocks.filter((b) => !file(b))) await runBlock(block, state);
    for (const settled of await beside) if (settled.status === 'rejected') throw settled.reason;
    for (const { id, uniqueId } of state.workflowRuns) {
      const run = await waitForWorkflowRun(id);
      const stated = STATED[uniqueId];
      expect(stated, `${file}: what does the workflow ${uniqueId} end with? Say it in STATED`).toBeDefined();
      try {
        stated!(run);
      } catch (error) {
        // What each step printed, to see why.
        const logs = await Promise.all(
          (run.steps as { name: string; runId?: string }[]).map(async (step) =>
            step.runId
              ? `${step.name}: ${JSON.stringify((await service.request('GET', `/runs/${step.runId}/logs`)).body)}`
              : step.name,
          ),
        );
        throw new Error(`${(error as Error).message}\n${JSON.stringify(run.steps)}\n${logs.join('\n')}`, {
          cause: error,
        });
      }
    }
    if (state.pendingRun) {
      const run = await service.waitForRun(state.pendingRun);
      expect(run.state, JSON.stringify(run)).toBe('succeeded');
    }
    after?.(state);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('the README, first', () => {
  it('README.md', async () => {
    await runPage('README.md', (state) => Object.assign(shared, state.ids));
    expect(shared.runId).toBeDefined();
  });
});

describe.concurrent('the other pages, side by side', () => {
  const others = ['api', 'architecture', 'benchmarks', 'cli', 'configuration', 'dashboard', 'database']
    .concat(['deploy', 'development', 'jobs', 'layers', 'metrics', 'operations', 'results'])
    .concat(['scheduling', 'secrets', 'usage', 'webhooks', 'workflows'])
    .map((name) => `docs/${name}.md`);
  it('names every page', () => {
    expect([...['README.md'], ...others, ...LAST].sort()).toEqual(pages.map((p) => p.file).sort());
  });
  for (const file of others) it(file, () => runPage(file));
});

describe('the keys page, then the pages that send its operator key', () => {
  for (const file of LAST) it(file, () => runPage(file));
  it('made an operator key', () => expect(env.TDS_OPERATOR_KEY).toMatch(/^tds_/));
});
