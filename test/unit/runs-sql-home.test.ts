import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The runs table's statements live in src/runs/ (one family per file: claims, leases, queueing,
// transitions, listings, pruning; the row mapping once, in run-repository.ts). Anywhere else, a
// statement on `runs` is a second home for a rule about runs.
const HOME = 'src/runs/';
const STATEMENT = /\b(?:from|update|insert\s+into|delete\s+from|join)\s+runs\b/i;

// Files whose runs statements are still to move into src/runs/: none now. A file listed here
// must still hold one, so the list only shrinks.
const NOT_YET_MOVED: string[] = [];

const root = path.resolve(import.meta.dirname, '../..');

function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(root, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}

function statementsIn(file: string): string[] {
  return readFileSync(path.join(root, file), 'utf8')
    .split('\n')
    .map((line, index) => ({ line, index }))
    .filter(({ line }) => STATEMENT.test(line))
    .map(({ line, index }) => `${file}:${index + 1}: ${line.trim()}`);
}

describe('the runs table has one home', () => {
  const files = [...sourceFiles('src'), ...sourceFiles('services')];

  it('finds the statements it looks for', () => {
    expect(STATEMENT.test('SELECT * FROM runs WHERE id = $1')).toBe(true);
    expect(STATEMENT.test('UPDATE runs r SET state = $2')).toBe(true);
    expect(STATEMENT.test('INSERT INTO runs (id) VALUES ($1)')).toBe(true);
    expect(STATEMENT.test('LEFT JOIN runs r ON r.id = s.run_id')).toBe(true);
    expect(STATEMENT.test('SELECT * FROM run_events')).toBe(false);
    expect(STATEMENT.test('the runs of a workflow')).toBe(false);
    expect(files.filter((file) => file.startsWith(HOME)).flatMap(statementsIn).length).toBeGreaterThan(10);
  });

  it('has no runs statement outside src/runs/', () => {
    const outside = files
      .filter((file) => !file.startsWith(HOME) && !NOT_YET_MOVED.includes(file))
      .flatMap(statementsIn);
    expect(outside).toEqual([]);
  });

  it('lists only files that still hold a runs statement as not yet moved', () => {
    const moved = NOT_YET_MOVED.filter((file) => statementsIn(file).length === 0);
    expect(moved).toEqual([]);
  });
});
