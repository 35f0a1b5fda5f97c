import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fillArgs,
  fillPlaceholders,
  missingItemField,
  placeholdersIn,
  replaceItemPlaceholders,
} from '../../src/workflows/placeholders.js';

// The pattern the scanner replaced, kept here only as the reference its answers are checked
// against on short texts (on long hostile ones it backtracks for hours).
// eslint-disable-next-line regexp/no-super-linear-backtracking
const BEFORE = /\{\{\s*(steps\.[^}]*|item(?:\.[\w-]{1,63})?|index)\s*\}\}/g;

const VALUES = { results: { a: 'A$&', 'b-2': '' }, item: 'IT', index: 7 };

function fillBefore(text: string): string {
  return text.replace(BEFORE, (whole, inner: string) => {
    const name = inner.trim();
    if (name === 'item') return VALUES.item;
    if (name === 'index') return String(VALUES.index);
    const step = /^steps\.([A-Za-z][A-Za-z0-9_-]{0,62})\.result$/.exec(name);
    if (!step) return whole;
    return (VALUES.results as Record<string, string>)[step[1]!] ?? '';
  });
}

// Texts made of the pieces that matter to the pattern, so the edge cases come up often.
const PIECES = [
  '{',
  '}',
  '{{',
  '}}',
  ' ',
  '\t',
  '\n',
  '\u00a0',
  '\u3000',
  'steps.',
  'item',
  'index',
  'item.a',
  'a',
  'b-2',
  '.result',
  'x',
  '.',
  '$&',
];
const texts = fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((parts) => parts.join(''));

describe('placeholders', () => {
  it('finds each kind, with its exact text', () => {
    expect(placeholdersIn('{{ steps.a.result }} {{item}} {{\tindex\n}} {{other}} {{steps.a.reslt}}')).toEqual(
      [
        { kind: 'step', step: 'a', text: '{{ steps.a.result }}' },
        { kind: 'item', text: '{{item}}' },
        { kind: 'index', text: '{{\tindex\n}}' },
        {
          kind: 'malformed',
          text: '{{steps.a.reslt}}',
          message: '{{steps.a.reslt}} is not a placeholder this service knows: write {{steps.NAME.result}}',
        },
      ],
    );
  });

  it('reads a step placeholder up to the first closing brace, and starts one brace on', () => {
    expect(placeholdersIn('{{{item}}} {{steps.a}.result}} {{ items }} {{steps.a.result}')).toEqual([
      { kind: 'item', text: '{{item}}' },
    ]);
    expect(placeholdersIn('{{steps.{{item}}').map((p) => p.text)).toEqual(['{{steps.{{item}}']);
  });

  it('finds {{item.FIELD}} and fills it from an object item: a string as it is, anything else as JSON', () => {
    expect(placeholdersIn('{{ item.image }} {{item.}} {{item.a b}} {{item.x-1}}')).toEqual([
      { kind: 'item', field: 'image', text: '{{ item.image }}' },
      { kind: 'item', field: 'x-1', text: '{{item.x-1}}' },
    ]);
    const values = {
      results: {},
      item: '{"id":"t1","image":"busybox:1","args":["a",2],"n":null}',
      itemValue: { id: 't1', image: 'busybox:1', args: ['a', 2], n: null },
      index: 3,
    };
    expect(
      fillPlaceholders('{{item.id}}|{{item.image}}|{{item.args}}|{{item.n}}|{{item}}|{{index}}', values),
    ).toBe(`t1|busybox:1|["a",2]|null|${values.item}|3`);
    // A field the item lacks is left as written; missingItemField says why the item cannot run.
    expect(fillPlaceholders('{{item.nope}}', values)).toBe('{{item.nope}}');
    expect(missingItemField(['echo {{item.id}}', 'run {{item.nope}}'], values.itemValue)).toBe(
      '{{item.nope}}: the item has no field "nope"',
    );
    expect(missingItemField(['{{item.id}}'], 'plain')).toBe(
      '{{item.id}}: the item is a string, not an object with fields',
    );
    expect(missingItemField(['{{item}} {{index}}'], 'plain')).toBeUndefined();
  });

  it('passes an item field that is a list as a list of args, when it is a whole argument', () => {
    const values = { results: {}, itemValue: { args: ['-c', 'echo hi', 3], one: 'x y' } };
    expect(fillArgs(['sh', '{{item.args}}', 'pre-{{item.args}}', '{{item.one}}'], values)).toEqual([
      'sh',
      '-c',
      'echo hi',
      '3',
      'pre-["-c","echo hi",3]',
      'x y',
    ]);
  });

  it('replaces only item placeholders with a stand-in', () => {
    expect(replaceItemPlaceholders('r/{{item.name}}:{{ item }}-{{index}}{{steps.a.result}}', 'x')).toBe(
      'r/x:x-{{index}}{{steps.a.result}}',
    );
  });

  it('leaves replacement patterns in values as they are', () => {
    expect(fillPlaceholders('{{steps.a.result}}|{{steps.zz.result}}|{{item}}', VALUES)).toBe('A$&||IT');
    expect(fillPlaceholders('{{item}} {{index}}', { results: {} })).toBe('{{item}} {{index}}');
  });

  it('finds exactly what the former pattern found', () => {
    fc.assert(
      fc.property(texts, (text) => {
        const before = [...text.matchAll(BEFORE)].map((m) => m[0]);
        expect(placeholdersIn(text).map((p) => p.text)).toEqual(before);
        expect(fillPlaceholders(text, VALUES)).toBe(fillBefore(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('reads hostile texts of 1 MiB in time linear in their length', { timeout: 60_000 }, () => {
    const MiB = 1 << 20;
    const fill = (head: string, pad: string) => (head + pad.repeat(MiB)).slice(0, MiB);
    // A baseline of the same length: ordinary text with ordinary placeholders in it.
    const plain = fill('', 'echo {{steps.a.result}} and {{item}} at {{index}} ');
    const hostile = {
      'unclosed step placeholders then spaces': fill('{{steps.'.repeat(100), ' '),
      'unclosed step placeholders': fill('', '{{steps.'),
      'open braces': fill('', '{'),
      'open braces then spaces': fill('{{', ' '),
      'a keyword then spaces': fill('{{ item', ' '),
      'item fields never closed': fill('', '{{item.abcdefghij'),
      'long item fields': fill('{{item.', 'a'),
      'keywords with a lone closing brace': fill('', '{{ index }x'),
      'step placeholders closed by one brace': fill('', '{{steps.a }'),
      'nested openings': fill('', '{{ {{steps.'),
    };
    const fastest = (text: string) => {
      let best = Infinity;
      for (let round = 0; round < 3; round++) {
        const started = performance.now();
        placeholdersIn(text);
        fillPlaceholders(text, VALUES);
        best = Math.min(best, performance.now() - started);
      }
      return best;
    };
    const baseline = fastest(plain);
    for (const [name, text] of Object.entries(hostile)) {
      expect(text.length, name).toBe(MiB);
      // Linear means a small multiple of the baseline; the former pattern took hours on the first.
      expect(fastest(text), name).toBeLessThan(20 * baseline + 50);
    }
  });
});
