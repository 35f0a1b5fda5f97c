import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseHoconFile } from './hocon.ts';
import { lineAndColumn, walkHocon } from './hocon-positions.ts';
import { pointerSegments, type FileProblem, type Locate } from './problems.ts';
import { parseYamlText, type SourceDocument } from './yaml-text.ts';

const EXTENSIONS = new Set(['.yaml', '.yml', '.json', '.conf', '.hocon']);

/** The definition files a path names: the file itself, or every definition file under a folder. */
export async function expandPaths(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  async function walk(target: string): Promise<void> {
    const info = await stat(target);
    if (info.isDirectory()) {
      const entries = (await readdir(target)).sort();
      for (const entry of entries) {
        if (entry.startsWith('.') || entry === 'node_modules') continue;
        const full = path.join(target, entry);
        const child = await stat(full);
        if (child.isDirectory() || EXTENSIONS.has(path.extname(entry))) await walk(full);
      }
    } else {
      files.push(target);
    }
  }
  for (const target of paths) await walk(target);
  return [...new Set(files)];
}

/** A parser's message without the excerpt of the source it ends with, and without a final period. */
function parserMessage(message: string): string {
  const excerpt = /\(?(?:Source|Token):/.exec(message);
  const shown = (excerpt ? message.slice(0, excerpt.index) : message).trimEnd();
  return shown.endsWith('.') ? shown.slice(0, -1) : shown;
}

/**
 * HOCON positions: the parser gives none for values, so a problem is placed where the text's
 * structure puts its path (walkHocon); a path the walk cannot follow to its end is placed at the
 * item of a list it reached (a task, a step), else at the line where the last key of its path is
 * first written (`key =`, `key :` or `key {`), or at line 1.
 */
function hoconLocator(text: string): Locate {
  const lines = text.split('\n');
  return (pointer) => {
    const walked = walkHocon(text, pointer);
    if (walked.complete || (walked.throughList && walked.found > 0))
      return lineAndColumn(text, walked.offset);
    const segments = pointerSegments(pointer).filter((s) => !/^\d+$/.test(s));
    for (let i = segments.length - 1; i >= 0; i--) {
      const key = segments[i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const pattern = new RegExp(`(^|[\\s{,.])"?${key}"?\\s*[:={]`);
      for (let n = 0; n < lines.length; n++) {
        const match = pattern.exec(lines[n]!);
        if (match) return { line: n + 1, column: match.index + match[1]!.length + 1 };
      }
    }
    return { line: 1, column: 1 };
  };
}

async function parseHocon(
  file: string,
  text: string,
  scope: Record<string, string>,
): Promise<{ documents: SourceDocument[]; problems: FileProblem[] }> {
  try {
    // The environment is read only for names given with --env, passed in `scope`.
    const { value, problems } = await parseHoconFile(file, scope);
    if (problems.length > 0) return { documents: [], problems };
    const values = Array.isArray((value as { definitions?: unknown })?.definitions)
      ? (value as { definitions: unknown[] }).definitions
      : [value];
    const locate = hoconLocator(text);
    return {
      documents: values.map((v, index) => ({ file, index, value: v, locate })),
      problems: [],
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const where = /line: (\d+), col: (\d+)/.exec(message);
    return {
      documents: [],
      problems: [
        {
          file,
          line: where ? Number(where[1]) : 1,
          column: where ? Number(where[2]) : 1,
          message: parserMessage(message),
        },
      ],
    };
  }
}

/** Reads and parses one definition file (`-` for standard input, taken as YAML or JSON). */
export async function readSourceFile(
  file: string,
  scope: Record<string, string>,
  stdin?: () => Promise<string>,
): Promise<{ documents: SourceDocument[]; problems: FileProblem[] }> {
  let text: string;
  try {
    text = file === '-' && stdin ? await stdin() : await readFile(file, 'utf8');
  } catch (error) {
    const message = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
    return { documents: [], problems: [{ file, line: 1, column: 1, message }] };
  }
  const extension = path.extname(file);
  if (extension === '.conf' || extension === '.hocon') return parseHocon(file, text, scope);
  return parseYamlText(file, text);
}
