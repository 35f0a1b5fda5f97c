/**
 * What text and JSON a request may carry, wherever it arrives (body, query string, path, headers):
 * well-formed Unicode without NUL characters, which Postgres cannot store (a NUL in text, a lone
 * UTF-16 surrogate in jsonb) and S3 keys cannot hold; JSON bodies with finite numbers, nested at
 * most MAX_BODY_DEPTH levels, and without `__proto__` or `constructor` keys. Each problem is named
 * by its field, so the caller can fix it.
 */

/** Deeper than any body this API takes (a job is 3 levels); deep enough to refuse before anything recurses. */
export const MAX_BODY_DEPTH = 32;

/** Keys that name a JavaScript object's internals: refused in every body, at any depth. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor']);

/** At most this many problems are listed in one answer. */
const MAX_PROBLEMS = 10;

const LONE_SURROGATE = /\p{Cs}/u;

const unicodeEscape = (code: number) => `\\u${code.toString(16).padStart(4, '0')}`;

/** Why `text` cannot be taken as is, or undefined when it can. */
export function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains a NUL character (\\u0000); send text without NUL characters';
  const surrogate = LONE_SURROGATE.exec(text);
  if (surrogate) {
    return `contains a lone UTF-16 surrogate (${unicodeEscape(surrogate[0].charCodeAt(0))}); send well-formed Unicode`;
  }
  return undefined;
}

/** A name quoted and escaped for a message (lone surrogates and NULs as `\\u` escapes), shortened when long. */
function quote(name: string): string {
  return JSON.stringify(name.length > 60 ? `${name.slice(0, 57)}...` : name);
}

const PLAIN_NAME = /^[A-Za-z_$][\w$-]{0,63}$/;

/** A key as it appears in a field name: `parent.key`, or `parent["a b"]` when it is not a plain name. */
function keySegment(parent: string, key: string): string {
  if (PLAIN_NAME.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${quote(key)}]`;
}

/** A name as shown in a message: as is when plain, else quoted. */
function showName(name: string): string {
  return PLAIN_NAME.test(name) ? name : quote(name);
}

/**
 * The problems of a parsed JSON body, each naming its field (`command`, `linux_dependencies[2]`);
 * empty when there are none. Walks the value without recursion, so any depth is safe to inspect.
 */
export function bodyProblems(body: unknown): string[] {
  const problems: string[] = [];
  const stack: { value: unknown; field: string; depth: number }[] = [{ value: body, field: '', depth: 0 }];
  while (stack.length > 0 && problems.length < MAX_PROBLEMS) {
    const { value, field, depth } = stack.pop()!;
    const name = field || 'the request body';
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) problems.push(`${name} ${problem}`);
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) {
        problems.push(`${name} is a number too large to represent (beyond ±1.8e308); send a smaller one`);
      }
    } else if (value !== null && typeof value === 'object') {
      if (depth >= MAX_BODY_DEPTH) {
        problems.push(
          `${name} is nested too deeply: a request body may be at most ${MAX_BODY_DEPTH} levels deep`,
        );
        continue;
      }
      const entries = Array.isArray(value)
        ? value.map((item, index) => [`${field}[${index}]`, item] as const)
        : Object.keys(value).flatMap((key) => {
            const where = field ? `in ${field}` : 'in the request body';
            const problem = textProblem(key);
            if (problem) {
              problems.push(`the field name ${quote(key)} ${where} ${problem}`);
              return [];
            }
            if (RESERVED_KEYS.has(key)) {
              problems.push(
                `the field name ${quote(key)} ${where} is not accepted: it names an internal of JavaScript objects`,
              );
              return [];
            }
            return [[keySegment(field, key), (value as Record<string, unknown>)[key]] as const];
          });
      // Reversed onto the stack, so fields are reported in the order they were sent.
      for (let i = entries.length - 1; i >= 0; i -= 1) {
        const [childField, child] = entries[i]!;
        stack.push({ value: child, field: childField, depth: depth + 1 });
      }
    }
  }
  return problems.slice(0, MAX_PROBLEMS);
}

/** `ED A0 80`: the three bytes that would encode U+D800 if UTF-8 allowed surrogates. */
function surrogateBytes(bytes: Uint8Array, at: number): number | undefined {
  const [b0, b1, b2] = [bytes[at], bytes[at + 1], bytes[at + 2]];
  if (b0 !== 0xed || b1 === undefined || b2 === undefined) return undefined;
  if (b1 < 0xa0 || b1 > 0xbf || b2 < 0x80 || b2 > 0xbf) return undefined;
  return 0xd000 | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
}

/** Where `bytes` stop being well-formed UTF-8 (the offset of the first bad byte), or undefined. */
export function firstInvalidUtf8(bytes: Uint8Array): number | undefined {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    let length: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [length, min] = [2, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [length, min] = [3, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [length, min] = [4, 0x10000];
    else return i;
    let code = b & (0xff >> (length + 1));
    for (let k = 1; k < length; k += 1) {
      const next = bytes[i + k];
      if (next === undefined || (next & 0xc0) !== 0x80) return i;
      code = (code << 6) | (next & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return i;
    i += length;
  }
  return undefined;
}

const hexByte = (byte: number) => byte.toString(16).toUpperCase().padStart(2, '0');

/**
 * Why bytes that stop being well-formed UTF-8 at `offset` cannot be read, for a message; `where`
 * (`at byte 6`) is shown when given.
 */
export function invalidUtf8Problem(bytes: Uint8Array, offset: number, where = ''): string {
  const at = where ? ` ${where}` : '';
  const surrogate = surrogateBytes(bytes, offset);
  if (surrogate !== undefined) {
    const shown = [...bytes.subarray(offset, offset + 3)].map(hexByte).join(' ');
    return `holds a lone UTF-16 surrogate${at} (${unicodeEscape(surrogate)}, as the bytes ${shown}); send well-formed Unicode`;
  }
  return `is not well-formed UTF-8${at} (byte ${hexByte(bytes[offset]!)}); send text encoded as UTF-8`;
}

/** Percent-decoding of a URL part, refusing anything that is not well-formed UTF-8 or holds a NUL. */
export function decodeUrlText(
  encoded: string,
  form: boolean,
): { text: string; problem?: undefined } | { text?: undefined; problem: string } {
  const plain = form ? encoded.replace(/\+/g, ' ') : encoded;
  let text: string;
  try {
    text = decodeURIComponent(plain);
  } catch {
    const bytes = percentBytes(plain);
    const offset = firstInvalidUtf8(bytes);
    return {
      problem:
        offset === undefined
          ? 'is not valid percent-encoding (a "%" must be followed by two hexadecimal digits)'
          : invalidUtf8Problem(bytes, offset),
    };
  }
  const problem = textProblem(text);
  return problem ? { problem } : { text };
}

/** The bytes a percent-encoded string stands for (a stray `%` stands for itself). */
function percentBytes(encoded: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i += 1) {
    const hex = encoded.slice(i + 1, i + 3);
    if (encoded[i] === '%' && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(encoded[i]!, 'utf8'));
    }
  }
  return Uint8Array.from(bytes);
}

/** The problems of a query string (the part of a URL after `?`), each naming its parameter. */
export function queryProblems(query: string): string[] {
  const problems: string[] = [];
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const rawKey = equals === -1 ? pair : pair.slice(0, equals);
    const key = decodeUrlText(rawKey, true);
    if (key.problem !== undefined) {
      problems.push(`the query parameter name ${quote(rawKey)} ${key.problem}`);
      continue;
    }
    if (equals === -1) continue;
    const value = decodeUrlText(pair.slice(equals + 1), true);
    if (value.problem !== undefined) problems.push(`query parameter ${showName(key.text)} ${value.problem}`);
  }
  return problems.slice(0, MAX_PROBLEMS);
}

/**
 * Why a header value cannot be taken, or undefined. Node reads header bytes as Latin-1, so a lone
 * surrogate sent as UTF-8-like bytes (ED A0 80) arrives as those three characters.
 */
export function headerProblem(value: string): string | undefined {
  if (!/[\0\u00ed]/.test(value)) return undefined;
  if (value.includes('\u0000')) return textProblem(value);
  const bytes = Buffer.from(value, 'latin1');
  for (let i = bytes.indexOf(0xed); i !== -1; i = bytes.indexOf(0xed, i + 1)) {
    if (surrogateBytes(bytes, i) !== undefined) return invalidUtf8Problem(bytes, i);
  }
  return undefined;
}
