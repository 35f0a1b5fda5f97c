import Type, { type Static } from 'typebox';
import type { Problem } from '../errors.js';

/**
 * A workflow's declared parameters (`params`: NAME → `{ type, default?, description? }`) and the
 * values a trigger gives them: the one home of their rules, for a definition as it is stored and
 * for a trigger's body. A param without a default must be given at each trigger; a scheduled fire
 * and a backfill use the defaults, so a recurring workflow declares a default for every param.
 */

export const PARAM_TYPES = ['string', 'number', 'boolean', 'list'] as const;
export type ParamType = (typeof PARAM_TYPES)[number];
export type ParamValue = string | number | boolean | unknown[];

/** Like an env name: placeholders `{{params.NAME}}` name it. */
export const PARAM_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]{0,62}$';
const PARAM_NAME = new RegExp(PARAM_NAME_PATTERN);
/** Params one workflow declares. */
export const MAX_PARAMS = 50;
/** A value as text (a list as its JSON) is at most what an env value may be. */
export const MAX_PARAM_TEXT = 32_768;

export const ParamDeclarationSchema = Type.Object(
  {
    type: Type.Union(
      [Type.Literal('string'), Type.Literal('number'), Type.Literal('boolean'), Type.Literal('list')],
      { description: 'string, number, boolean or list (a JSON array)' },
    ),
    default: Type.Optional(
      Type.Unknown({ description: 'its value when a trigger gives none; without one, every trigger must' }),
    ),
    description: Type.Optional(Type.String({ maxLength: 1000, description: 'what it is, for people' })),
  },
  { additionalProperties: false },
);

export const ParamsSchema = Type.Record(
  Type.String({ pattern: PARAM_NAME_PATTERN }),
  ParamDeclarationSchema,
  {
    maxProperties: MAX_PARAMS,
    description: `parameters a trigger may set (at most ${MAX_PARAMS}), each used as {{params.NAME}} in a step's command, args and env values: NAME → { type: string|number|boolean|list, default?, description? }; one without a default is required at each trigger, and a scheduled fire uses the defaults`,
  },
);

export interface ParamDeclaration {
  type: ParamType;
  default?: ParamValue;
  description?: string;
}
export type ParamDeclarations = Record<string, ParamDeclaration>;
export type ParamsRequest = Static<typeof ParamsSchema>;

/** The value as a placeholder puts it in text: a list as its JSON, anything else as written. */
export function paramText(value: ParamValue): string {
  return Array.isArray(value) ? JSON.stringify(value) : String(value);
}

const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

/**
 * A value of `type`, as JSON gives it or as text (what `tds trigger --set NAME=VALUE` sends): a
 * number as a JSON number or its decimal text; a boolean as true/false or "true"/"false"; a list
 * as a JSON array or its JSON text. Undefined with the problem when it is not one.
 */
export function paramValue(
  type: ParamType,
  raw: unknown,
): { value: ParamValue; problem?: undefined } | { value?: undefined; problem: string } {
  let value: ParamValue | undefined;
  switch (type) {
    case 'string':
      if (typeof raw === 'string') value = raw;
      break;
    case 'number':
      if (typeof raw === 'number' && Number.isFinite(raw)) value = raw;
      else if (typeof raw === 'string' && NUMBER.test(raw.trim())) value = Number(raw.trim());
      break;
    case 'boolean':
      if (typeof raw === 'boolean') value = raw;
      else if (raw === 'true' || raw === 'false') value = raw === 'true';
      break;
    case 'list':
      if (Array.isArray(raw)) value = raw;
      else if (typeof raw === 'string') {
        try {
          const parsed: unknown = JSON.parse(raw);
          if (Array.isArray(parsed)) value = parsed;
        } catch {
          // not JSON: the problem below
        }
      }
      break;
  }
  if (value === undefined) {
    const expected = {
      string: 'a string',
      number: 'a number (or its decimal text)',
      boolean: 'true or false',
      list: 'a list: a JSON array, or its JSON text such as ["a","b"]',
    }[type];
    return { problem: `must be ${expected}; got ${describe(raw)}` };
  }
  if (paramText(value).length > MAX_PARAM_TEXT)
    return { problem: `is ${paramText(value).length} characters as text; at most ${MAX_PARAM_TEXT}` };
  return { value };
}

function describe(raw: unknown): string {
  const text = JSON.stringify(raw) ?? String(raw);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * A definition's declarations checked (the schema has checked their shape): each default is a
 * value of its type, kept as that value. Problems are added at `/params/NAME/default`.
 */
export function readParamDeclarations(
  request: ParamsRequest | undefined,
  problems: Problem[],
): ParamDeclarations | undefined {
  if (request === undefined || request === null || typeof request !== 'object') return undefined;
  const declarations: ParamDeclarations = {};
  for (const [name, raw] of Object.entries(request)) {
    if (!PARAM_NAME.test(name) || raw === null || typeof raw !== 'object') continue;
    const type = (PARAM_TYPES as readonly string[]).includes(raw.type) ? raw.type : undefined;
    if (type === undefined) continue;
    const declaration: ParamDeclaration = { type };
    if (raw.default !== undefined) {
      const checked = paramValue(type, raw.default);
      if (checked.problem !== undefined)
        problems.push({
          path: `/params/${name}/default`,
          message: `the default of param "${name}" ${checked.problem}`,
        });
      // A default of the wrong type is its own problem: the param still counts as having one.
      declaration.default = checked.value ?? (raw.default as ParamValue);
    }
    if (typeof raw.description === 'string') declaration.description = raw.description;
    declarations[name] = declaration;
  }
  return declarations;
}

/**
 * The values of a run's params: those given (checked against the declarations, each problem at
 * `/params/NAME`), the defaults for the rest. Every unknown name, wrong type and missing required
 * param is a problem.
 */
export function resolveParams(
  declared: ParamDeclarations | undefined,
  given: Record<string, unknown> | undefined,
  problems: Problem[],
): Record<string, ParamValue> {
  const declarations = declared ?? {};
  const values: Record<string, ParamValue> = {};
  const names = Object.keys(declarations);
  for (const [name, raw] of Object.entries(given ?? {})) {
    const declaration = declarations[name];
    if (!declaration) {
      problems.push({
        path: `/params/${name}`,
        message:
          names.length === 0
            ? `param "${name}" is not declared: this definition declares no params`
            : `param "${name}" is not declared; this definition declares ${names.map((n) => `"${n}"`).join(', ')}`,
      });
      continue;
    }
    const checked = paramValue(declaration.type, raw);
    if (checked.problem !== undefined)
      problems.push({
        path: `/params/${name}`,
        message: `param "${name}" (${declaration.type}) ${checked.problem}`,
      });
    else values[name] = checked.value;
  }
  for (const [name, declaration] of Object.entries(declarations)) {
    if (Object.hasOwn(given ?? {}, name)) continue;
    if (declaration.default !== undefined) values[name] = declaration.default;
    else
      problems.push({
        path: `/params/${name}`,
        message: `param "${name}" (${declaration.type}) has no default and must be given${declaration.description ? `: ${declaration.description}` : ''}`,
      });
  }
  return values;
}

/** The params a definition declares without a default: a scheduled fire cannot run it. */
export function requiredParams(declared: ParamDeclarations | undefined): string[] {
  return Object.entries(declared ?? {})
    .filter(([, d]) => d.default === undefined)
    .map(([name]) => name);
}
