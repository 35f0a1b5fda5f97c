import { describe, expect, it } from 'vitest';
import { compiledOnce } from '../../src/api/compiled-once.js';

describe('compiledOnce', () => {
  it('compiles each schema once and gives back what it compiled for that schema', () => {
    const calls: unknown[] = [];
    const compile = compiledOnce((schema: object) => {
      calls.push(schema);
      return { of: schema };
    });
    const a = { type: 'string' };
    const b = { type: 'string' };
    const first = compile(a);
    expect(compile(a)).toBe(first);
    expect(compile(b)).not.toBe(first);
    expect(calls).toEqual([a, b]);
  });

  it('finds the schema in its argument, and compiles an argument without one each time', () => {
    let calls = 0;
    const compile = compiledOnce(
      (route: { schema?: unknown; url: string }) => ({ n: (calls += 1), url: route.url }),
      (route) => route.schema,
    );
    const schema = { type: 'object' };
    expect(compile({ schema, url: '/a' })).toBe(compile({ schema, url: '/b' }));
    compile({ url: '/c' });
    compile({ url: '/c' });
    compile({ schema: true, url: '/d' });
    expect(calls).toBe(4);
  });

  it("with 'same JSON', shares what was compiled between objects of the same JSON text, and only those", () => {
    let calls = 0;
    const compile = compiledOnce(
      (schema: object) => ({ n: (calls += 1), schema }),
      (schema) => schema,
      'same JSON',
    );
    const first = compile({ type: 'object', properties: { id: { type: 'string' } } });
    expect(compile({ type: 'object', properties: { id: { type: 'string' } } })).toBe(first);
    expect(compile({ type: 'object', properties: { id: { type: 'integer' } } })).not.toBe(first);
    expect(calls).toBe(2);
  });
});
