/**
 * Placeholders in a step's command, args and env: `{{steps.NAME.result}}` (an earlier step's
 * result), `{{params.NAME}}` (a declared param's value for the run), and in a fan-out step
 * `{{item}}` and `{{index}}`. Anything else between double braces
 * is left as it is, except text that starts like a step placeholder and is not one, refused so a
 * typo does not run as literal text.
 *
 * The text is a tenant's (a step's fields, read before any ownership check, `?dry_run=true`
 * included), so it is read by a scanner that looks at each character a bounded number of times:
 * the pattern it replaces, /\{\{\s*(steps\.[^}]*|item|index)\s*\}\}/g, backtracked on an unclosed
 * `{{steps.` followed by spaces (8.8 KB took 3 s, 1 MiB hours). It finds exactly what that pattern
 * found, leftmost first: `{{`, any white space, then `item` or `index` followed by white space and
 * `}}`, or `steps.` (or `params.`) and everything up to the first `}`, which must be followed by
 * another `}`.
 */

export type Placeholder =
  | { kind: 'step'; step: string; text: string; path?: string }
  | { kind: 'param'; param: string; text: string; path?: string }
  | { kind: 'item' | 'index'; text: string; path?: string }
  | { kind: 'malformed'; text: string; message: string; path?: string };

// Anchored and without nested or adjacent overlapping repetition: linear in the inner text.
const STEP = /^steps\.([A-Za-z][A-Za-z0-9_-]{0,62})\.result$/;
const PARAM = /^params\.([A-Za-z_][A-Za-z0-9_]{0,62})$/;

/** One placeholder as found: where it starts and ends in the text, and what is between the braces. */
interface Found {
  start: number;
  end: number;
  /** `item`, `index`, or `steps.…` or `params.…` up to the closing braces (not trimmed). */
  inner: string;
}

/** JavaScript's white space (what `\s` and `String.prototype.trim` take), one UTF-16 unit. */
function isSpace(code: number): boolean {
  return (
    (code >= 0x09 && code <= 0x0d) ||
    code === 0x20 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/**
 * Every placeholder in the text, leftmost first and not overlapping. Linear: a run of white space
 * after `{{` or after a keyword ends at a character that is not white space, so each run is walked
 * from at most two starts; and the first `}` after a `steps.` is looked up once and reused for
 * every later start before it.
 */
function scan(text: string): Found[] {
  const found: Found[] = [];
  const OPEN = 0x7b; // {
  const CLOSE = 0x7d; // }
  // The first `}` at or after `closeFrom` (-1: none), remembered across starts.
  let closeFrom = -1;
  let close = -1;
  const firstClose = (from: number): number => {
    if (closeFrom !== -1 && from >= closeFrom && (close === -1 || from <= close)) return close;
    closeFrom = from;
    close = text.indexOf('}', from);
    return close;
  };
  let i = text.indexOf('{{');
  while (i !== -1) {
    let j = i + 2;
    while (j < text.length && isSpace(text.charCodeAt(j))) j++;
    let end = -1;
    let inner = '';
    const prefix = text.startsWith('steps.', j) ? 6 : text.startsWith('params.', j) ? 7 : 0;
    if (prefix > 0) {
      const p = firstClose(j + prefix);
      if (p !== -1 && text.charCodeAt(p + 1) === CLOSE) {
        end = p + 2;
        inner = text.slice(j, p);
      }
    } else {
      const word = text.startsWith('item', j) ? 'item' : text.startsWith('index', j) ? 'index' : '';
      if (word) {
        let k = j + word.length;
        while (k < text.length && isSpace(text.charCodeAt(k))) k++;
        if (text.charCodeAt(k) === CLOSE && text.charCodeAt(k + 1) === CLOSE) {
          end = k + 2;
          inner = word;
        }
      }
    }
    if (end === -1) {
      // No placeholder starts here: the next may start one character on (`{{{item}}`).
      i = text.charCodeAt(i + 2) === OPEN ? i + 1 : text.indexOf('{{', i + 2);
    } else {
      found.push({ start: i, end, inner });
      i = text.indexOf('{{', end);
    }
  }
  return found;
}

export function placeholdersIn(text: string): Placeholder[] {
  return scan(text).map(({ start, end, inner: raw }): Placeholder => {
    const whole = text.slice(start, end);
    const inner = raw.trim();
    if (inner === 'item' || inner === 'index') return { kind: inner, text: whole };
    const step = STEP.exec(inner);
    if (step) return { kind: 'step', step: step[1]!, text: whole };
    const param = PARAM.exec(inner);
    if (param) return { kind: 'param', param: param[1]!, text: whole };
    return {
      kind: 'malformed',
      text: whole,
      message: inner.startsWith('params.')
        ? `${whole} is not a placeholder this service knows: write {{params.NAME}} (a letter or "_", then letters, digits or "_")`
        : `${whole} is not a placeholder this service knows: write {{steps.NAME.result}}`,
    };
  });
}

/** What the placeholders of one run are replaced by. */
export interface PlaceholderValues {
  /** Each step's result by name ("" for a step that gave none). */
  results: Record<string, string>;
  item?: string;
  index?: number;
  /** Each param's value as text; a param not here is left as written. */
  params?: Record<string, string>;
}

/** The text with its placeholders replaced by their values, exactly. */
export function fillPlaceholders(text: string, values: PlaceholderValues): string {
  const parts: string[] = [];
  let from = 0;
  for (const { start, end, inner } of scan(text)) {
    const whole = text.slice(start, end);
    const name = inner.trim();
    let value: string;
    if (name === 'item') value = values.item ?? whole;
    else if (name === 'index') value = values.index === undefined ? whole : String(values.index);
    else if (name.startsWith('params.')) {
      const param = PARAM.exec(name);
      value =
        param && values.params && Object.hasOwn(values.params, param[1]!) ? values.params[param[1]!]! : whole;
    } else {
      const step = STEP.exec(name);
      value = step ? (values.results[step[1]!] ?? '') : whole;
    }
    parts.push(text.slice(from, start), value);
    from = end;
  }
  parts.push(text.slice(from));
  return parts.join('');
}
