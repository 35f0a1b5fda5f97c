import { describe, expect, it } from 'vitest';
import { quoteLiteral, replacePlaceholders, splitStatements } from '../../services/db/sql-text.js';

const positional = (sql: string) =>
  replacePlaceholders(sql, 'positional', (p) => (p.kind === 'positional' ? `:p${p.index}` : '?'));
const named = (sql: string) =>
  replacePlaceholders(sql, 'named', (p) => (p.kind === 'named' ? `<${p.name}>` : '?'));

describe('replacePlaceholders', () => {
  it('rewrites $n in code and keeps ::type casts', () => {
    expect(positional('SELECT * FROM runs WHERE id = $1::uuid AND state = ANY($2::text[]) LIMIT $10')).toBe(
      'SELECT * FROM runs WHERE id = :p1::uuid AND state = ANY(:p2::text[]) LIMIT :p10',
    );
  });

  it('leaves $n inside string literals, quoted identifiers, comments and dollar quotes alone', () => {
    const sql = [
      "SELECT '$1', 'it''s $2', E'\\'$3', \"col$4\" -- $5",
      '/* $6 /* nested $7 */ still $8 */ $$ $9 $$, $tag$ $10 $tag$, $11',
    ].join('\n');
    expect(positional(sql)).toBe(sql.replace('$11', ':p11'));
  });

  it('finds :name but not :: casts, and only outside quotes', () => {
    expect(named("SELECT :a::int, ':b', x::text, :c_1 FROM t WHERE y = :a")).toBe(
      "SELECT <a>::int, ':b', x::text, <c_1> FROM t WHERE y = <a>",
    );
  });
});

describe('splitStatements', () => {
  it('splits on semicolons in code only, dropping empty and comment-only pieces', () => {
    const script = [
      '-- header; with a semicolon',
      "CREATE TABLE a (x text DEFAULT ';');",
      'CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;',
      '/* trailing; */',
      ';',
    ].join('\n');
    expect(splitStatements(script)).toEqual([
      "-- header; with a semicolon\nCREATE TABLE a (x text DEFAULT ';')",
      'CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql',
    ]);
  });

  it('gives a single statement without a final semicolon as it is', () => {
    expect(splitStatements('SELECT 1')).toEqual(['SELECT 1']);
  });
});

describe('quoteLiteral', () => {
  it('doubles quotes, and writes a text with backslashes as an E literal with them doubled', () => {
    expect(quoteLiteral('worker-1')).toBe("'worker-1'");
    expect(quoteLiteral("o'brien")).toBe("'o''brien'");
    expect(quoteLiteral("a\\'; DROP TABLE runs; --")).toBe("E'a\\\\''; DROP TABLE runs; --'");
  });

  it('refuses a NUL character, which Postgres text cannot hold', () => {
    expect(() => quoteLiteral('a\0b')).toThrow(/NUL/);
  });

  it('leaves one literal to the scanner: nothing inside it is taken for code', () => {
    const sql = `SELECT ${quoteLiteral("x'; $1 -- \\")} AS v, $1`;
    expect(replacePlaceholders(sql, 'positional', () => '?')).toBe(sql.replace(/\$1$/, '?'));
  });
});
