import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  classifyBlock,
  definitionCommand,
  extractBlocks,
  fillPlaceholders,
  idsOf,
  placeholders,
  splitCommands,
  statedOutput,
  statedStatus,
} from '../support/doc-examples.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('extractBlocks', () => {
  it('finds each fenced block with its language, line, text and the mark just before it', () => {
    const markdown = [
      '# Page',
      '',
      '<!-- not run: output sample -->',
      '',
      '```',
      'some output',
      '```',
      'text',
      '<!-- run: job fields -->',
      '```json',
      '{ "image": "x" }',
      '```',
      '',
      '- a list item:',
      '  ```sh',
      '  curl -s http://127.0.0.1:8080/jobs',
      '  ```',
      '~~~yaml',
      'kind: job',
      '~~~',
    ].join('\n');
    expect(extractBlocks('docs/x.md', markdown)).toEqual([
      { file: 'docs/x.md', line: 5, lang: '', text: 'some output', notRun: 'output sample' },
      { file: 'docs/x.md', line: 10, lang: 'json', text: '{ "image": "x" }', run: 'job fields' },
      { file: 'docs/x.md', line: 15, lang: 'sh', text: 'curl -s http://127.0.0.1:8080/jobs' },
      { file: 'docs/x.md', line: 18, lang: 'yaml', text: 'kind: job' },
    ]);
  });

  it('takes a mark only from the line just before the fence (blank lines between allowed)', () => {
    const blocks = extractBlocks('a.md', '<!-- not run: x -->\nprose\n```sh\nls\n```');
    expect(blocks[0]!.notRun).toBeUndefined();
  });
});

describe('classifyBlock', () => {
  const block = (lang: string, text: string, mark: { notRun?: string; run?: string } = {}) => ({
    file: 'd.md',
    line: 3,
    lang,
    text,
    ...mark,
  });

  it('runs shell blocks, definition files, jobs and workflows', () => {
    expect(classifyBlock(block('sh', 'curl x'))).toEqual({ kind: 'shell' });
    expect(classifyBlock(block('hocon', 'a = 1'))).toEqual({ kind: 'definition-file' });
    expect(classifyBlock(block('json', '{"userId": "a", "command": "ls"}'))).toEqual({ kind: 'job' });
    expect(classifyBlock(block('json', '{"userId": "a", "image": "i"}'))).toEqual({ kind: 'job' });
    expect(classifyBlock(block('json', '{"steps": []}'))).toEqual({ kind: 'workflow' });
    expect(classifyBlock(block('json', '{"name": "s"}', { run: 'step' }))).toEqual({ kind: 'step' });
  });

  it('refuses a block it cannot run that is not marked, a mark without a reason, JSON that does not parse', () => {
    expect(classifyBlock(block('', 'output'))).toEqual({ problem: expect.stringContaining('d.md:3: a ```') });
    expect(classifyBlock(block('js', 'x()'))).toEqual({
      problem: expect.stringContaining('<!-- not run: REASON -->'),
    });
    expect(classifyBlock(block('json', '{"error": "x"}'))).toEqual({
      problem: expect.stringContaining('cannot run'),
    });
    expect(classifyBlock(block('json', '{ "a": 1, … }'))).toEqual({
      problem: expect.stringContaining('does not parse'),
    });
    expect(classifyBlock(block('', 'x', { notRun: '' }))).toEqual({
      problem: expect.stringContaining('needs a reason'),
    });
    expect(classifyBlock(block('json', '{}', { run: 'later' }))).toEqual({
      problem: expect.stringContaining('unknown'),
    });
    expect(classifyBlock(block('', 'x', { notRun: 'a diagram' }))).toEqual({ kind: 'not-run' });
  });
});

describe('splitCommands', () => {
  it('joins continued lines and open quotes, drops trailing comments, keeps comment lines as notes', () => {
    const text = [
      'export A=1 B=2',
      "curl -s -X POST http://h/jobs -d '{",
      '  "command": "echo \\"#1\\"; ls # not a comment"',
      "}'",
      '# → 202 {"run": {"id": "<runId>"}}',
      'docker run \\',
      '  -d img   # starts it',
      '$S3 ls s3://b/',
      '#   out/<runId>/stdout.log',
    ].join('\n');
    expect(splitCommands(text)).toEqual([
      { text: 'export A=1 B=2', line: 1, notes: [] },
      {
        text: 'curl -s -X POST http://h/jobs -d \'{\n  "command": "echo \\"#1\\"; ls # not a comment"\n}\'',
        line: 2,
        notes: ['# → 202 {"run": {"id": "<runId>"}}'],
      },
      { text: 'docker run   -d img', line: 6, notes: [] },
      { text: '$S3 ls s3://b/', line: 8, notes: ['#   out/<runId>/stdout.log'] },
    ]);
  });
});

describe('placeholders and ids', () => {
  it('fills <xId> from the ids an answer named, and says which are left', () => {
    const ids = idsOf({ job: { id: 'j1' }, run: { id: 'r1', state: 'queued' }, created: true });
    expect(ids).toEqual({ jobId: 'j1', runId: 'r1' });
    expect(fillPlaceholders('/runs/<runId>/logs <keyId>', ids)).toBe('/runs/r1/logs <keyId>');
    expect(placeholders('a <keyId> b <runId> <keyId>')).toEqual(['keyId', 'runId']);
    expect(idsOf('text')).toEqual({});
  });

  it('reads what a command is said to answer and print', () => {
    const notes = ['# → 202 {"job": {...}}', '#   out/a/stdout.log', '# a remark'];
    expect(statedStatus(notes)).toBe(202);
    expect(statedStatus(['# a remark'])).toBeUndefined();
    expect(statedOutput(notes)).toEqual(['out/a/stdout.log']);
  });

  it("takes a definition block's command from its first line", () => {
    const block = {
      file: 'd.md',
      line: 1,
      lang: 'hocon',
      text: '# tds run examples/o.conf --templates t\na = 1',
    };
    expect(definitionCommand(block)).toEqual({
      command: 'tds run examples/o.conf --templates t',
      file: 'examples/o.conf',
    });
    expect(definitionCommand({ ...block, text: 'kind: job' })).toBeUndefined();
  });
});

describe('the docs', () => {
  it('run every fenced block of README.md and docs/*.md, or say why not just before it', async () => {
    const files = [
      'README.md',
      ...(await readdir(path.join(ROOT, 'docs'))).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`),
    ];
    const problems: string[] = [];
    let runnable = 0;
    for (const file of files) {
      for (const block of extractBlocks(file, await readFile(path.join(ROOT, file), 'utf8'))) {
        const classified = classifyBlock(block);
        if ('problem' in classified) problems.push(classified.problem);
        else if (classified.kind !== 'not-run') runnable++;
      }
    }
    expect(problems).toEqual([]);
    expect(runnable).toBeGreaterThan(15);
  });
});
