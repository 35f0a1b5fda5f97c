import { describe, expect, it } from 'vitest';
import { diffFields, sameValue, showValue } from '../../cli/definitions/field-changes.js';
import { parseYamlText } from '../../cli/definitions/yaml-text.js';

// The pure helpers tds and the dashboard's definition editor share.

describe('sameValue', () => {
  it('compares JSON values as isDeepStrictEqual does: keys, order of items, types', () => {
    expect(sameValue({ a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] })).toBe(true);
    expect(sameValue({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(sameValue([1, 2], [2, 1])).toBe(false);
    expect(sameValue({ a: undefined }, {})).toBe(false);
    expect(sameValue({ a: 1 }, { a: '1' })).toBe(false);
    expect(sameValue([], {})).toBe(false);
    expect(sameValue(null, {})).toBe(false);
    expect(diffFields({ env: { A: '1' }, cron: null }, { env: { A: '1' }, cron: '0 6 * * *' })).toEqual([
      { field: 'cron', from: null, to: '0 6 * * *' },
    ]);
    expect(showValue(undefined)).toBe('(none)');
    expect(showValue('echo')).toBe('"echo"');
  });
});

describe('parseYamlText', () => {
  it('finds the line of a field, of a list item, and of the nearest place above a missing field', () => {
    const text = 'uniqueId: a\nsteps:\n  - name: one\n  - name: two\n    env:\n      X: "1"\n';
    const { documents, problems } = parseYamlText('pasted', text);
    expect(problems).toEqual([]);
    const locate = documents[0]!.locate;
    expect(locate('/steps/1/env/X')).toEqual({ line: 6, column: 7 });
    expect(locate('/steps/1')).toEqual({ line: 4, column: 5 });
    expect(locate('/steps/1/cron')).toEqual({ line: 4, column: 5 });
    expect(locate('/uniqueId')).toEqual({ line: 1, column: 1 });
  });

  it('reads JSON, and gives a syntax error its line', () => {
    const json = parseYamlText('pasted', '{\n  "uniqueId": "a",\n  "cpus": 2\n}');
    expect(json.documents[0]!.value).toEqual({ uniqueId: 'a', cpus: 2 });
    expect(json.documents[0]!.locate('/cpus').line).toBe(3);
    const broken = parseYamlText('pasted', 'uniqueId: a\ncommand: [echo\n');
    expect(broken.documents).toEqual([]);
    expect(broken.problems[0]).toMatchObject({ file: 'pasted', line: expect.any(Number) });
  });
});
