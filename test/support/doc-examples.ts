/**
 * The examples of the docs, read from the Markdown as written (pure: text in, blocks out), so the
 * docs-examples integration test runs what a reader copies. The convention (docs/development.md,
 * "Examples that run"): every fenced block of README.md and docs/*.md is run, or is marked just
 * before its fence with `<!-- not run: REASON -->`; a block of another kind than the runnable ones
 * that carries no mark is a problem, so a new example cannot escape unseen.
 *
 * Runnable blocks:
 * - `sh`/`bash`: command by command (curl requests, `tds` commands, the aws CLI against S3);
 * - `json`: a job (`userId` and `command` or `image`) or a workflow (`steps`), sent as a dry run;
 *   `<!-- run: job fields -->` for the fields of a job shown alone (laid over a whole job),
 *   `<!-- run: workflow fields -->` for the fields of a workflow shown alone (its steps and what
 *   it adds, laid over a workflow's shared fields), `<!-- run: step -->` for a step shown alone
 *   (put in place of the step of the same name in the page's first workflow, or, when it has
 *   none of that name, beside the page's earlier steps shown alone; then sent as a dry run);
 * - `yaml`/`hocon`: a definition file for `tds`; when its first line is a comment holding a `tds`
 *   command (`# tds run examples/x.conf ...`) the block is that file and the command is run,
 *   else the file is checked with `tds validate` (a `kind: template` one as a template of the
 *   examples, which are validated with it).
 */

export interface DocBlock {
  /** The Markdown file, as given (a path relative to the repository). */
  file: string;
  /** The fence's line, 1-based. */
  line: number;
  /** The fence's language, lower-cased; '' when it names none. */
  lang: string;
  /** The block's text, without its fences (and without the indentation of its fence). */
  text: string;
  /** From `<!-- not run: REASON -->` just before the fence. */
  notRun?: string;
  /** From `<!-- run: HOW -->` just before the fence. */
  run?: string;
}

export type BlockKind =
  'shell' | 'job' | 'workflow' | 'job-fields' | 'workflow-fields' | 'step' | 'definition-file' | 'not-run';

/** A fence's indentation, its fence (three or more backticks or tildes) and its language. */
function fenceOf(line: string): { indent: string; fence: string; lang: string } | undefined {
  const trimmed = line.trimStart();
  const char = trimmed[0];
  if (char !== '`' && char !== '~') return undefined;
  let n = 0;
  while (trimmed[n] === char) n++;
  const info = trimmed.slice(n).trim();
  if (n < 3 || (char === '`' && info.includes('`'))) return undefined;
  const lang = info.split(/\s/)[0] ?? '';
  return {
    indent: line.slice(0, line.length - trimmed.length),
    fence: char.repeat(n),
    lang: lang.toLowerCase(),
  };
}

/** `<!-- not run: REASON -->` or `<!-- run: HOW -->` on a line of its own. */
function markOf(line: string): { notRun: string } | { run: string } | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('<!--') || !trimmed.endsWith('-->')) return undefined;
  const inner = trimmed.slice(4, -3).trim();
  if (/^not run\b/i.test(inner)) return { notRun: inner.slice(7).replace(/^\s*:/, '').trim() };
  if (/^run\b/i.test(inner)) return { run: inner.slice(3).replace(/^\s*:/, '').trim() };
  return undefined;
}
export const SHELL_LANGS = new Set(['sh', 'bash', 'shell', 'console']);
export const DEFINITION_LANGS = new Set(['yaml', 'yml', 'hocon', 'conf']);

/** The fenced blocks of one Markdown file, each with the mark just before it, if any. */
export function extractBlocks(file: string, markdown: string): DocBlock[] {
  const lines = markdown.split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = fenceOf(lines[i]!);
    if (!open) continue;
    const { indent, fence, lang } = open;
    const body: string[] = [];
    let j = i + 1;
    const closes = (line: string) => line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, '') === '';
    while (j < lines.length && !closes(lines[j]!)) {
      const line = lines[j]!;
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line.trimStart());
      j++;
    }
    const block: DocBlock = { file, line: i + 1, lang, text: body.join('\n') };
    let k = i - 1;
    while (k >= 0 && lines[k]!.trim() === '') k--;
    const mark = k >= 0 ? markOf(lines[k]!) : undefined;
    if (mark) Object.assign(block, mark);
    blocks.push(block);
    i = j;
  }
  return blocks;
}

/** What the test does with a block; a problem (a sentence) when it can do nothing with it. */
export function classifyBlock(block: DocBlock): { kind: BlockKind } | { problem: string } {
  const where = `${block.file}:${block.line}`;
  if (block.notRun !== undefined) {
    if (block.notRun === '')
      return { problem: `${where}: "not run" needs a reason: <!-- not run: REASON -->` };
    return { kind: 'not-run' };
  }
  const unmarked = `${where}: a \`\`\`${block.lang} block that the docs test cannot run; run it, or mark it with <!-- not run: REASON --> just before its fence`;
  if (SHELL_LANGS.has(block.lang)) return { kind: 'shell' };
  if (DEFINITION_LANGS.has(block.lang)) return { kind: 'definition-file' };
  if (block.lang !== 'json') return { problem: unmarked };
  let value: unknown;
  try {
    value = JSON.parse(block.text);
  } catch (error) {
    return {
      problem: `${where}: the JSON does not parse (${(error as Error).message}); fix it, or mark it not run`,
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: unmarked };
  if (block.run === 'job fields') return { kind: 'job-fields' };
  if (block.run === 'workflow fields') return { kind: 'workflow-fields' };
  if (block.run === 'step') return { kind: 'step' };
  if (block.run !== undefined)
    return {
      problem: `${where}: unknown <!-- run: ${block.run} -->; known: "job fields", "workflow fields", "step"`,
    };
  if ('steps' in value) return { kind: 'workflow' };
  if ('userId' in value && ('command' in value || 'image' in value)) return { kind: 'job' };
  return { problem: unmarked };
}

export interface ShellCommand {
  /** The command as the shell reads it: continuation lines joined, its trailing comment removed. */
  text: string;
  /** The line in the block where it starts, 1-based. */
  line: number;
  /**
   * The comment lines just after it: `# → 202 ...` states what it answers (an HTTP status
   * first), `#   some text` (three spaces) a line its output holds.
   */
  notes: string[];
}

/**
 * A shell block's commands. A line ending in `\` or inside an open quote goes on into the next
 * one; `# ...` outside quotes ends a line's command; a line that is only a comment is a note of
 * the command before it.
 */
export function splitCommands(text: string): ShellCommand[] {
  const commands: ShellCommand[] = [];
  const lines = text.split('\n');
  let current: { parts: string[]; line: number } | undefined;
  let quote: "'" | '"' | undefined;
  for (const [n, raw] of lines.entries()) {
    if (current === undefined) {
      const trimmed = raw.trim();
      if (trimmed === '') continue;
      if (trimmed.startsWith('#')) {
        commands.at(-1)?.notes.push(trimmed);
        continue;
      }
      current = { parts: [], line: n + 1 };
    }
    let code = '';
    let continued = false;
    for (let i = 0; i < raw.length; i++) {
      const c = raw[i]!;
      if (quote) {
        if (c === quote) quote = undefined;
        else if (c === '\\' && quote === '"') {
          code += c + (raw[i + 1] ?? '');
          i++;
          continue;
        }
      } else if (c === "'" || c === '"') quote = c;
      else if (c === '#' && (i === 0 || /\s/.test(raw[i - 1]!))) break;
      else if (c === '\\' && i === raw.length - 1) {
        continued = true;
        break;
      } else if (c === '\\') {
        code += c + (raw[i + 1] ?? '');
        i++;
        continue;
      }
      code += c;
    }
    current.parts.push(continued ? code : quote ? code + '\n' : code.trimEnd());
    if (!continued && !quote) {
      commands.push({ text: current.parts.join('').trim(), line: current.line, notes: [] });
      current = undefined;
    }
  }
  if (current) commands.push({ text: current.parts.join('').trim(), line: current.line, notes: [] });
  return commands;
}

/** `<runId>`, `<jobId>`, ...: the names of the ids a command leaves for the reader to fill in. */
export function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/<([A-Za-z]+Id)>/g)].map((m) => m[1]!))];
}

/** Fills `<name>` placeholders in from `ids`; names it does not hold are left as written. */
export function fillPlaceholders(text: string, ids: Record<string, string>): string {
  return text.replace(/<([A-Za-z]+Id)>/g, (whole, name: string) => ids[name] ?? whole);
}

/**
 * The ids an API answer names, for the commands after it: every top-level object with a string
 * `id` (`{"job": {"id"}, "run": {"id"}}` gives jobId and runId), and the answer's own `id`.
 */
export function idsOf(answer: unknown, ownName?: string): Record<string, string> {
  const ids: Record<string, string> = {};
  if (typeof answer !== 'object' || answer === null) return ids;
  for (const [key, value] of Object.entries(answer)) {
    if (typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string')
      ids[`${key}Id`] = (value as { id: string }).id;
  }
  const own = (answer as { id?: unknown }).id;
  if (ownName && typeof own === 'string') ids[ownName] = own;
  return ids;
}

/** The HTTP status a command's `# → NNN ...` note states, if it states one. */
export function statedStatus(notes: string[]): number | undefined {
  for (const note of notes) {
    const m = /^#\s*→\s*(\d{3})\b/.exec(note);
    if (m) return Number(m[1]);
  }
  return undefined;
}

/** The output lines a command's `#   text` notes say it prints. */
export function statedOutput(notes: string[]): string[] {
  return notes.filter((n) => /^# {3}\S/.test(n)).map((n) => n.slice(4).trim());
}

/** The `tds ...` command of a definition block's first line (`# tds run examples/x.conf`), if any. */
export function definitionCommand(block: DocBlock): { command: string; file: string } | undefined {
  const first = block.text.split('\n')[0] ?? '';
  const m = /^#\s*(tds\s+\S+\s+(\S+\.(?:conf|hocon|ya?ml|json))(?:\s.*)?)$/.exec(first.trim());
  return m ? { command: m[1]!.trim(), file: m[2]! } : undefined;
}
