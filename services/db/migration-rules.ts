import { codeOnly, splitStatements } from './sql-text.js';

/**
 * Expand/contract (docs/database.md#upgrades): each release's schema works with the previous
 * release's code, which goes on running while the new one rolls out. So a migration only adds:
 * a new column is nullable or has a default, and nothing the previous release reads or writes is
 * dropped, renamed, retyped or tightened. A contract step (a drop) comes one release after the
 * code stopped using what it drops, and is listed in `reviewed` with why it is safe.
 */
export interface MigrationProblem {
  migration: string;
  statement: string;
  problem: string;
}

interface Rule {
  /** Matched against the statement's code, upper-cased, its whitespace collapsed. */
  pattern: RegExp;
  /** A further condition on the match (the statement as matched). */
  unless?: (code: string) => boolean;
  problem: string;
}

const RULES: Rule[] = [
  {
    pattern: /\bADD (?:COLUMN )?(?!CONSTRAINT\b)[^,]*\bNOT NULL\b/,
    unless: (code) => /\bDEFAULT\b/.test(code) || /\bGENERATED\b/.test(code),
    problem:
      'adds a NOT NULL column without a DEFAULT: the previous release inserts rows without it. Give it a DEFAULT, or add it nullable',
  },
  {
    pattern:
      /\bDROP (?:TABLE|COLUMN)\b|\bALTER TABLE [^ ]+ DROP (?!CONSTRAINT\b|DEFAULT\b|NOT NULL\b)[A-Z_"]/,
    problem:
      'drops a table or column: the previous release may still use it. Drop it one release after the code stopped using it, and list the migration as a reviewed contract step',
  },
  {
    pattern: /\bRENAME\b/,
    problem:
      'renames: the previous release uses the old name. Add the new one beside it, write both, and drop the old one a release later',
  },
  {
    pattern: /\bALTER (?:COLUMN )?[^ ]+ (?:SET DATA )?TYPE\b/,
    problem:
      "changes a column's type: the previous release reads and writes the old one. Add a column of the new type instead",
  },
  {
    pattern: /\bALTER (?:COLUMN )?[^ ]+ (?:SET NOT NULL|DROP DEFAULT)\b/,
    problem:
      'makes a column required (SET NOT NULL, DROP DEFAULT): the previous release inserts rows without it. Do it one release after every release writes it',
  },
];

/**
 * Migrations the rule lets through, each with why: ones released before the rule was written, and
 * contract steps (drops) made a release after the code stopped using what they drop.
 */
export const REVIEWED_MIGRATIONS: ReadonlyMap<string, string> = new Map([
  [
    '031_workflow_versions.sql',
    'released before the rule: workflow_runs.workflow_version lost its default in the release that began writing it',
  ],
]);

/** What in `migration` (a file's name and text) breaks the expand/contract rule, unless reviewed. */
export function migrationProblems(
  migration: { name: string; sql: string },
  reviewed: ReadonlyMap<string, string> = REVIEWED_MIGRATIONS,
): MigrationProblem[] {
  if (reviewed.has(migration.name)) return [];
  const problems: MigrationProblem[] = [];
  for (const statement of splitStatements(migration.sql)) {
    const code = codeOnly(statement).replace(/\s+/g, ' ').trim().toUpperCase();
    // Each clause of an ALTER TABLE on its own: one clause's DEFAULT never excuses another's NOT NULL.
    const clauses = /^ALTER TABLE /.test(code) ? splitClauses(code) : [code];
    for (const clause of clauses) {
      for (const rule of RULES) {
        if (!rule.pattern.test(clause) || rule.unless?.(clause)) continue;
        problems.push({ migration: migration.name, statement, problem: rule.problem });
      }
    }
  }
  return problems;
}

/** `ALTER TABLE t A, B` as `ALTER TABLE t A` and `ALTER TABLE t B` (commas inside brackets kept). */
function splitClauses(code: string): string[] {
  const head = /^ALTER TABLE (?:IF EXISTS )?(?:ONLY )?[^ ]+ /.exec(code)?.[0] ?? '';
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of code.slice(head.length)) {
    if (c === '(') depth += 1;
    if (c === ')') depth -= 1;
    if (c === ',' && depth === 0) {
      parts.push(head + current.trim());
      current = '';
      continue;
    }
    current += c;
  }
  parts.push(head + current.trim());
  return parts;
}
