import { pointerSegments } from './problems.ts';

/*
 * Where a JSON Pointer's parts are written in a HOCON text, read from the text's structure (the
 * parser keeps no positions): objects' keys and lists' items, skipping strings and comments, so
 * that `/tasks/1/args/pattern` is the second task's `pattern`, not the first line that says
 * `pattern`. Keys written as paths (`a.b = 1`), fields that come from an include and values
 * joined by substitution stop the walk: the caller falls back to what it reached, or to the line
 * of the key.
 */

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r' || c === '\n';

/** Past spaces, line ends, commas and comments (`#`, `//`). */
function skipBlank(text: string, i: number): number {
  for (;;) {
    const c = text[i];
    if (isSpace(c) || c === ',') i += 1;
    else if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      while (i < text.length && text[i] !== '\n') i += 1;
    } else return i;
  }
}

/** Past a quoted string that starts at i. */
function skipString(text: string, i: number): number {
  if (text.startsWith('"""', i)) {
    const end = text.indexOf('"""', i + 3);
    return end < 0 ? text.length : end + 3;
  }
  for (i += 1; i < text.length; i += 1) {
    if (text[i] === '\\') i += 1;
    else if (text[i] === '"') return i + 1;
  }
  return i;
}

/** Past one value: to the end of its line, a comma or its container's closing bracket. */
function skipValue(text: string, i: number): number {
  let depth = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      i = skipString(text, i);
      continue;
    }
    if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      if (depth === 0) return i;
      while (i < text.length && text[i] !== '\n') i += 1;
      continue;
    }
    if (c === '{' || c === '[') depth += 1;
    else if (c === '}' || c === ']') {
      if (depth === 0) return i;
      depth -= 1;
      if (depth === 0) return i + 1;
    } else if ((c === '\n' || c === ',') && depth === 0) return i;
    i += 1;
  }
  return i;
}

/** The key written at i, and where its value starts. */
function readKey(text: string, i: number): { key: string; value: number } {
  let key: string;
  if (text[i] === '"') {
    const end = skipString(text, i);
    key = text.slice(i + 1, end - 1);
    i = end;
  } else {
    const start = i;
    while (i < text.length && !/[\s:={}[\],#]/.test(text[i]!)) i += 1;
    key = text.slice(start, i);
  }
  while (text[i] === ' ' || text[i] === '\t') i += 1;
  if (text[i] === ':' || text[i] === '=') i += 1;
  else if (text[i] === '+' && text[i + 1] === '=') i += 2;
  while (text[i] === ' ' || text[i] === '\t') i += 1;
  return { key, value: i };
}

/** The offset of a key in the object whose fields start at i, and of its value. */
function findKey(text: string, i: number, wanted: string): { key: number; value: number } | undefined {
  let found: { key: number; value: number } | undefined;
  for (;;) {
    i = skipBlank(text, i);
    if (i >= text.length || text[i] === '}') return found;
    const start = i;
    const { key, value } = readKey(text, i);
    if (key === '') return found;
    // A later field of the same name is merged into the first: the first is where it is written.
    if (key === wanted && !found) found = { key: start, value };
    i = skipValue(text, value);
    if (i === value) i += 1;
  }
}

/** The offset of the item at `index` in the list whose items start at i. */
function findItem(text: string, i: number, index: number): number | undefined {
  for (let n = 0; ; n += 1) {
    i = skipBlank(text, i);
    if (i >= text.length || text[i] === ']') return undefined;
    if (n === index) return i;
    const end = skipValue(text, i);
    i = end === i ? i + 1 : end;
  }
}

/**
 * How far a pointer's walk gets: the offset of the deepest part found, how many segments were
 * found, and whether the walk went through a list item.
 */
export function walkHocon(
  text: string,
  pointer: string,
): { offset: number; found: number; throughList: boolean; complete: boolean } {
  const segments = pointerSegments(pointer);
  let at = 0;
  let value = skipBlank(text, 0);
  if (text[value] === '{') value += 1;
  let kind: 'object' | 'list' = 'object';
  let found = 0;
  let throughList = false;
  for (const segment of segments) {
    if (kind === 'object') {
      const hit = findKey(text, value, segment);
      if (!hit) break;
      at = hit.key;
      value = hit.value;
    } else {
      if (!/^\d+$/.test(segment)) break;
      const item = findItem(text, value, Number(segment));
      if (item === undefined) break;
      at = item;
      value = item;
      throughList = true;
    }
    found += 1;
    if (text[value] === '{') {
      kind = 'object';
      value += 1;
    } else if (text[value] === '[') {
      kind = 'list';
      value += 1;
    } else {
      kind = 'object';
      value = text.length; // a plain value: nothing inside it to find
    }
  }
  return { offset: at, found, throughList, complete: found === segments.length };
}

/** Line and column (from 1) of an offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}
