import { describe, expect, it } from 'vitest';
import { arrayLiteral, toDataApiStatement, toSqlParameter } from '../../services/aws/data-api-parameters.js';
import { fromField, parseTimestamp, toRows } from '../../services/aws/data-api-results.js';

describe('parameters sent to the Data API', () => {
  it('turns $n into named parameters, in order, reusing one name for a repeated $n', () => {
    const statement = toDataApiStatement("SELECT $2::uuid, '$1', $1, $2 -- $3", ['a', 'b']);
    expect(statement.sql).toBe("SELECT :p2::uuid, '$1', :p1, :p2 -- $3");
    expect(statement.parameters.map((p) => p.name)).toEqual(['p1', 'p2']);
  });

  it('refuses a statement whose placeholders and values do not match, as pg does', () => {
    expect(() => toDataApiStatement('SELECT $1, $2', ['a'])).toThrow(/\$2 but 1 parameter/);
    expect(() => toDataApiStatement('SELECT $1', ['a', 'b'])).toThrow(/2 parameter\(s\) were given/);
  });

  it('maps text, integers, booleans, floats and NULL to their fields', () => {
    expect(toSqlParameter('p', 'héllo')).toEqual({ name: 'p', value: { stringValue: 'héllo' } });
    expect(toSqlParameter('p', 42)).toEqual({ name: 'p', value: { longValue: 42 } });
    expect(toSqlParameter('p', -0.5)).toEqual({ name: 'p', value: { doubleValue: -0.5 } });
    expect(toSqlParameter('p', false)).toEqual({ name: 'p', value: { booleanValue: false } });
    expect(toSqlParameter('p', null)).toEqual({ name: 'p', value: { isNull: true } });
    expect(toSqlParameter('p', undefined)).toEqual({ name: 'p', value: { isNull: true } });
  });

  it('sends integers beyond 2^53 as exact DECIMAL text, never as a rounded JSON number', () => {
    expect(toSqlParameter('p', 9007199254740993n)).toEqual({
      name: 'p',
      value: { stringValue: '9007199254740993' },
      typeHint: 'DECIMAL',
    });
    expect(toSqlParameter('p', 12n)).toEqual({ name: 'p', value: { longValue: 12 } });
    expect(toSqlParameter('p', 2 ** 60)).toEqual({
      name: 'p',
      value: { stringValue: String(2 ** 60) },
      typeHint: 'DECIMAL',
    });
    expect(toSqlParameter('p', NaN).typeHint).toBe('DECIMAL');
  });

  it('sends a Date as UTC ISO text with its offset, and objects as JSON', () => {
    expect(toSqlParameter('p', new Date('2026-03-29T01:30:00.123+01:00'))).toEqual({
      name: 'p',
      value: { stringValue: '2026-03-29T00:30:00.123Z' },
    });
    expect(toSqlParameter('p', { a: [1, 'x'], b: null })).toEqual({
      name: 'p',
      value: { stringValue: '{"a":[1,"x"],"b":null}' },
      typeHint: 'JSON',
    });
    expect(() => toSqlParameter('p', new Date('nonsense'))).toThrow(/invalid Date/);
  });

  it('sends arrays as Postgres array literals, quoting and escaping every element', () => {
    expect(toSqlParameter('p', ['a', 'b"c', 'd\\e', null, 'NULL', ''])).toEqual({
      name: 'p',
      value: { stringValue: '{"a","b\\"c","d\\\\e",NULL,"NULL",""}' },
    });
    expect(arrayLiteral([new Date('2026-01-01T00:00:00Z'), null])).toBe('{"2026-01-01T00:00:00.000Z",NULL}');
    expect(
      arrayLiteral([
        [1, 2],
        [3, null],
      ]),
    ).toBe('{{"1","2"},{"3",NULL}}');
    expect(arrayLiteral([true, { k: 'v' }])).toBe('{"true","{\\"k\\":\\"v\\"}"}');
    expect(arrayLiteral([])).toBe('{}');
  });

  it('sends bytes as a blob', () => {
    expect(toSqlParameter('p', Buffer.from([0, 255]))).toEqual({
      name: 'p',
      value: { blobValue: new Uint8Array([0, 255]) },
    });
  });
});

describe('results read from the Data API', () => {
  it('gives rows keyed by column label, typed as pg gives them', () => {
    const rows = toRows(
      [
        [
          { stringValue: 'abc' },
          { stringValue: '9007199254740993' },
          { stringValue: '7' },
          { booleanValue: true },
          { stringValue: '2026-03-29 00:30:00.123456' },
          { stringValue: '{"a":[1,2],"n":null}' },
          { isNull: true },
          { doubleValue: 1.5 },
          { stringValue: '12.3400' },
        ],
      ],
      [
        { label: 'text', typeName: 'text' },
        { label: 'big', typeName: 'int8' },
        { label: 'small', typeName: 'int4' },
        { label: 'flag', typeName: 'bool' },
        { label: 'at', typeName: 'timestamptz' },
        { label: 'doc', typeName: 'jsonb' },
        { label: 'nothing', typeName: 'timestamptz' },
        { label: 'ratio', typeName: 'float8' },
        { label: 'amount', typeName: 'numeric' },
      ],
    );
    expect(rows).toEqual([
      {
        text: 'abc',
        big: '9007199254740993',
        small: 7,
        flag: true,
        at: new Date('2026-03-29T00:30:00.123Z'),
        doc: { a: [1, 2], n: null },
        nothing: null,
        ratio: 1.5,
        amount: '12.3400',
      },
    ]);
  });

  it('reads integers sent as JSON numbers too', () => {
    expect(fromField({ longValue: 5 }, 'int4')).toBe(5);
    expect(fromField({ longValue: 5 }, 'int8')).toBe('5');
  });

  it('reads arrays element by element, NULLs and nesting included', () => {
    expect(fromField({ arrayValue: { stringValues: ['a', null as unknown as string] } }, '_text')).toEqual([
      'a',
      null,
    ]);
    expect(fromField({ arrayValue: { longValues: [1, 2] } }, '_int8')).toEqual(['1', '2']);
    expect(fromField({ arrayValue: { longValues: [1, 2] } }, '_int4')).toEqual([1, 2]);
    expect(fromField({ arrayValue: { booleanValues: [true, false] } }, '_bool')).toEqual([true, false]);
    expect(
      fromField(
        { arrayValue: { stringValues: ['2026-01-01 00:00:00', '2026-01-01 12:00:00.5'] } },
        '_timestamptz',
      ),
    ).toEqual([new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T12:00:00.500Z')]);
    expect(
      fromField({ arrayValue: { arrayValues: [{ longValues: [1] }, { longValues: [2] }] } }, '_int4'),
    ).toEqual([[1], [2]]);
  });

  it('reads bytes as a Buffer', () => {
    expect(fromField({ blobValue: new Uint8Array([1, 2]) }, 'bytea')).toEqual(Buffer.from([1, 2]));
  });

  it('reads timestamps with or without an offset, and infinities', () => {
    expect(parseTimestamp('2026-03-29 01:30:00+02', true)).toEqual(new Date('2026-03-28T23:30:00Z'));
    expect(parseTimestamp('2026-03-29 01:30:00.1-05:30', true)).toEqual(new Date('2026-03-29T07:00:00.100Z'));
    expect(parseTimestamp('0044-03-15 12:00:00', true)).toEqual(new Date('0044-03-15T12:00:00Z'));
    expect(parseTimestamp('infinity', true)).toBe(Infinity);
    expect(parseTimestamp('-infinity', true)).toBe(-Infinity);
    expect(parseTimestamp('2026-01-02', false)).toEqual(new Date(2026, 0, 2));
    expect(() => parseTimestamp('yesterday', true)).toThrow(/unreadable timestamp/);
  });

  it('gives no rows for a statement without a result set', () => {
    expect(toRows(undefined, undefined)).toEqual([]);
  });
});
