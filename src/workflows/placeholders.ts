/**
 * Placeholders in a step's command, args and env: `{{steps.NAME.result}}` (an earlier step's
 * result), `{{params.NAME}}` (a declared param's value for the run), and in a fan-out step
 * `{{item}}`, `{{item.FIELD}}` (a field of an object item; also in `image`) and `{{index}}`.
 * Anything else between double braces
 * is left as it is, except text that starts like a step placeholder and is not one, refused so a
 * typo does not run as literal text.
 *
 * The text is a tenant's (a step's fields, read before any ownership check, `?dry_run=true`
 * included), so it is read by a scanner that looks at each character a bounded number of times:
 * the pattern it replaces, /\{\{\s*(steps\.[^}]*|item|index)\s*\}\}/g, backtracked on an unclosed
 * `{{steps.` followed by spaces (8.8 KB took 3 s, 1 MiB hours). It finds exactly what that pattern
 * found, leftmost first: `{{`, any white space, then `item` or `index` followed by white space and
 * `}}`, or `item.` and a field name (letters, digits, `_`, `-`) followed by white space and `}}`,
 * or `steps.` (or `params.`) and everything up to the first `}`, which must be followed by
 * another `}`.
 */

export type Placeholder =
  | { kind: 'step'; step: string; text: string; path?: string }
  | { kind: 'param'; param: string; text: string; path?: string }
  | { kind: 'item'; text: string; path?: string; field?: string }
  | { kind: 'index'; text: string; path?: string }
  | { kind: 'malformed'; text: string; message: string; path?: string };

// Anchored and without nested or adjacent overlapping repetition: linear in the inner text.
const STEP = /^steps\.([A-Za-z][A-Za-z0-9_-]{0,62})\.result$/;
const PARAM = /^params\.([A-Za-z_][A-Za-z0-9_]{0,62})$/;

/** The longest field name `{{item.FIELD}}` may have. */
export const MAX_ITEM_FIELD_LENGTH = 63;

/** A character of an item's field name: a letter, a digit, `_` or `-`. */
function isFieldChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x5f ||
    code === 0x2d
  );
}

/** One placeholder as found: where it starts and ends in the text, and what is between the braces. */
interface Found {
  start: number;
  end: number;
  /** `item`, `item.FIELD`, `index`, or `steps.…` or `params.…` up to the closing braces (not trimmed). */
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
        // `item.FIELD`: a field name, walked once (it holds no `{`, so no later start re-reads it).
        const fieldStart = k + 1;
        if (word === 'item' && text.charCodeAt(k) === 0x2e) {
          k = fieldStart;
          while (k < text.length && k - fieldStart < MAX_ITEM_FIELD_LENGTH && isFieldChar(text.charCodeAt(k)))
            k++;
          if (k === fieldStart) k = -1;
        }
        while (k !== -1 && k < text.length && isSpace(text.charCodeAt(k))) k++;
        if (k !== -1 && text.charCodeAt(k) === CLOSE && text.charCodeAt(k + 1) === CLOSE) {
          end = k + 2;
          inner = text.slice(j, k);
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
    if (inner.startsWith('item.')) return { kind: 'item', field: inner.slice(5), text: whole };
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
  /** The item as text: a string item as it is, any other as JSON. */
  item?: string;
  /** The item itself, whose fields `{{item.FIELD}}` are filled from. */
  itemValue?: unknown;
  index?: number;
  /** Each param's value as text; a param not here is left as written. */
  params?: Record<string, string>;
}

/** A field of an item as text: a string as it is, anything else as JSON. */
export function itemFieldText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The item's field `field`, or undefined when the item is not an object that has it. */
export function itemField(item: unknown, field: string): { value: unknown } | undefined {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return undefined;
  if (!Object.prototype.hasOwnProperty.call(item, field)) return undefined;
  return { value: (item as Record<string, unknown>)[field] };
}

/**
 * Why an item cannot fill these texts' `{{item.FIELD}}` placeholders (it is not an object, or has
 * no such field), or undefined when it can. A field whose value is null is filled as `null`.
 */
export function missingItemField(texts: readonly string[], item: unknown): string | undefined {
  for (const text of texts) {
    for (const p of placeholdersIn(text)) {
      if (p.kind !== 'item' || p.field === undefined || itemField(item, p.field) !== undefined) continue;
      const what =
        item !== null && typeof item === 'object' && !Array.isArray(item)
          ? `has no field "${p.field}"`
          : `is ${Array.isArray(item) ? 'an array' : item === null ? 'null' : `a ${typeof item}`}, not an object with fields`;
      return `${p.text}: the item ${what}`;
    }
  }
  return undefined;
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
    else if (name.startsWith('item.')) {
      const field = values.itemValue === undefined ? undefined : itemField(values.itemValue, name.slice(5));
      value = field === undefined ? whole : itemFieldText(field.value);
    } else if (name === 'index') value = values.index === undefined ? whole : String(values.index);
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

/**
 * A list of args with their placeholders filled: an element that is exactly one `{{item.FIELD}}`
 * whose value is an array becomes its elements, one argument each (a string as it is, anything
 * else as JSON), so an item's list of arguments is passed as a list; every other element is filled
 * as one argument.
 */
export function fillArgs(args: readonly string[], values: PlaceholderValues): string[] {
  return args.flatMap((arg) => {
    const found = scan(arg);
    const only =
      found.length === 1 && found[0]!.start === 0 && found[0]!.end === arg.length ? found[0] : undefined;
    const name = only?.inner.trim();
    if (name?.startsWith('item.') && values.itemValue !== undefined) {
      const field = itemField(values.itemValue, name.slice(5));
      if (field !== undefined && Array.isArray(field.value)) return field.value.map(itemFieldText);
    }
    return [fillPlaceholders(arg, values)];
  });
}

/** The text with every `{{item}}` and `{{item.FIELD}}` replaced by `by`, other placeholders kept. */
export function replaceItemPlaceholders(text: string, by: string): string {
  const parts: string[] = [];
  let from = 0;
  for (const { start, end, inner } of scan(text)) {
    if (!inner.trim().startsWith('item')) continue;
    parts.push(text.slice(from, start), by);
    from = end;
  }
  parts.push(text.slice(from));
  return parts.join('');
}
