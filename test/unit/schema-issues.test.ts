import Type, { type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { describe, expect, it } from 'vitest';
import { describeIssues, type SchemaIssue } from '../../src/schema-issues.js';

function problems(schema: TSchema, value: unknown) {
  const issues = [...Compile(schema).Errors(value)] as unknown as SchemaIssue[];
  return describeIssues(schema, value, issues, 'the request body');
}

describe('describeIssues', () => {
  it('names the value refused by an enum and the values allowed', () => {
    const schema = Type.Object({
      events: Type.Array(Type.String({ enum: ['run.failed', 'run.succeeded'] })),
    });
    expect(problems(schema, { events: ['run.failed', 'run.exploded'] })).toEqual([
      {
        path: '/events/1',
        message: 'events[1] "run.exploded" is not allowed: use one of "run.failed", "run.succeeded"',
      },
    ]);
  });
});
