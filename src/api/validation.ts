import type { FastifySchemaCompiler } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import { ValidationError } from '../errors.js';
import { compiledOnce } from './compiled-once.js';
import { describeIssues, type SchemaIssue } from '../schema-issues.js';

/** Each schema's check, compiled once for the process (it keeps no state). */
const compiled = compiledOnce((schema: TSchema) => Compile(schema));

/**
 * Validates request parts with TypeBox. Query strings and path parameters are converted to the
 * schema's types first (`?limit=5`); bodies are taken exactly as sent: no coercion, no silently
 * dropped fields.
 */
export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = compiled(schema);
  const convert = httpPart === 'querystring' || httpPart === 'params' || httpPart === 'headers';
  return (input: unknown) => {
    const value = convert ? Value.Convert(schema, input) : input;
    if (check.Check(value)) return { value };
    const where = httpPart === 'body' ? 'the request body' : (httpPart ?? 'the request');
    const issues = [...check.Errors(value)] as unknown as SchemaIssue[];
    const problems = describeIssues(schema, value, issues, where);
    const details = [...new Set(problems.map((p) => p.message))];
    const message = details.length > 0 ? details.join('; ') : `${where} is not valid`;
    return {
      error: new ValidationError(message, details, problems.length > 0 ? problems : undefined),
    };
  };
};
