/**
 * A scanner for Postgres SQL text that knows where code ends and quoted text begins: string
 * literals ('…', E'…' with backslash escapes), quoted identifiers ("…"), dollar-quoted bodies
 * ($tag$…$tag$), comments (-- and nested block comments) and `::` casts. Placeholders and
 * statement separators are only ever found in code.
 */

export type Placeholder = { kind: 'positional'; index: number } | { kind: 'named'; name: string };

interface Token {
  kind: 'code' | 'quoted' | 'placeholder' | 'separator';
  text: string;
  placeholder?: Placeholder;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;

function endOfQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashEscapes && c === '\\') {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i += 1;
  }
  return sql.length;
}

function endOfBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql.startsWith('/*', i)) {
      depth += 1;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth -= 1;
      i += 2;
      if (depth === 0) return i;
    } else {
      i += 1;
    }
  }
  return sql.length;
}

function tokenize(sql: string, named: boolean): Token[] {
  const tokens: Token[] = [];
  let code = '';
  const flush = () => {
    if (code) tokens.push({ kind: 'code', text: code });
    code = '';
  };
  const quoted = (end: number, from: number) => {
    flush();
    tokens.push({ kind: 'quoted', text: sql.slice(from, end) });
    return end;
  };
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const prev = i > 0 ? sql[i - 1]! : '';
    if (c === "'") {
      const escapes = (prev === 'E' || prev === 'e') && !IDENT_PART.test(sql[i - 2] ?? '');
      i = quoted(endOfQuoted(sql, i, "'", escapes), i);
    } else if (c === '"') {
      i = quoted(endOfQuoted(sql, i, '"', false), i);
    } else if (c === '-' && sql[i + 1] === '-') {
      const newline = sql.indexOf('\n', i);
      i = quoted(newline === -1 ? sql.length : newline, i);
    } else if (c === '/' && sql[i + 1] === '*') {
      i = quoted(endOfBlockComment(sql, i), i);
    } else if (c === '$' && /[0-9]/.test(sql[i + 1] ?? '') && !IDENT_PART.test(prev)) {
      let j = i + 1;
      while (/[0-9]/.test(sql[j] ?? '')) j += 1;
      flush();
      tokens.push({
        kind: 'placeholder',
        text: sql.slice(i, j),
        placeholder: { kind: 'positional', index: Number(sql.slice(i + 1, j)) },
      });
      i = j;
    } else if (c === '$' && !IDENT_PART.test(prev)) {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        i = quoted(close === -1 ? sql.length : close + tag[0].length, i);
      } else {
        code += c;
        i += 1;
      }
    } else if (c === ':' && sql[i + 1] === ':') {
      code += '::';
      i += 2;
    } else if (named && c === ':' && IDENT_START.test(sql[i + 1] ?? '')) {
      let j = i + 1;
      while (IDENT_PART.test(sql[j] ?? '')) j += 1;
      flush();
      tokens.push({
        kind: 'placeholder',
        text: sql.slice(i, j),
        placeholder: { kind: 'named', name: sql.slice(i + 1, j) },
      });
      i = j;
    } else if (c === ';') {
      flush();
      tokens.push({ kind: 'separator', text: c });
      i += 1;
    } else {
      code += c;
      i += 1;
    }
  }
  flush();
  return tokens;
}

/**
 * Rewrites the placeholders of `sql` (`$1` positional ones, or `:name` named ones when `style` is
 * 'named') with what `replace` returns for each; text inside literals, identifiers and comments
 * is left as it is, and so are `::type` casts.
 */
export function replacePlaceholders(
  sql: string,
  style: 'positional' | 'named',
  replace: (placeholder: Placeholder) => string,
): string {
  return tokenize(sql, style === 'named')
    .map((token) =>
      token.kind === 'placeholder' && token.placeholder!.kind === style
        ? replace(token.placeholder!)
        : token.text,
    )
    .join('');
}

/**
 * `text` as a Postgres string literal, to write a value into a statement's text: quotes are
 * doubled, and a text with backslashes becomes an E'…' literal with them doubled, so that it reads
 * the same whatever `standard_conforming_strings` is.
 */
export function quoteLiteral(text: string): string {
  if (text.includes('\0')) throw new Error('a Postgres text cannot hold a NUL character');
  const quoted = `'${text.replaceAll("'", "''")}'`;
  return text.includes('\\') ? `E${quoted.replaceAll('\\', '\\\\')}` : quoted;
}

/** Splits a script into its statements (without the `;`), leaving out empty ones and comment-only ones. */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  let hasCode = false;
  for (const token of tokenize(sql, false)) {
    if (token.kind === 'separator') {
      if (hasCode) statements.push(current.trim());
      current = '';
      hasCode = false;
      continue;
    }
    current += token.text;
    const isComment = token.kind === 'quoted' && (token.text.startsWith('--') || token.text.startsWith('/*'));
    if (!isComment && token.text.trim() !== '') hasCode = true;
  }
  if (hasCode) statements.push(current.trim());
  return statements;
}

/** The statement's code alone: comments, string literals and quoted names each become one space. */
export function codeOnly(sql: string): string {
  return tokenize(sql, false)
    .map((token) => (token.kind === 'quoted' ? ' ' : token.text))
    .join('');
}
