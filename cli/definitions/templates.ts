import { pointerOf } from './problems.ts';

export type ParamType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';
const PARAM_TYPES: ParamType[] = ['string', 'integer', 'number', 'boolean', 'array', 'object'];

export interface TemplateParam {
  type: ParamType;
  required: boolean;
  default?: unknown;
  description?: string;
}

/** A reusable step (`kind: template`): its parameters and the fields they fill in. */
export interface Template {
  name: string;
  description: string;
  params: Record<string, TemplateParam>;
  fields: Record<string, unknown>;
  file: string;
}

/** A problem at a JSON Pointer into the document being expanded. */
export interface PointedProblem {
  path: string;
  message: string;
}

/** Reads a `kind: template` document; problems are pointers into it. */
export function readTemplate(
  value: Record<string, unknown>,
  file: string,
): { template?: Template; problems: PointedProblem[] } {
  const problems: PointedProblem[] = [];
  const name = value.name;
  if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    problems.push({ path: '/name', message: 'a template needs a name (letters, digits, ".", "_", "-")' });
  }
  const params: Record<string, TemplateParam> = {};
  const rawParams = value.params ?? {};
  if (rawParams === null || typeof rawParams !== 'object' || Array.isArray(rawParams)) {
    problems.push({
      path: '/params',
      message: 'params must be a map of parameter name to { type, required, default }',
    });
  } else {
    for (const [param, raw] of Object.entries(rawParams as Record<string, unknown>)) {
      const at = pointerOf(['params', param]);
      const spec = (raw ?? {}) as Record<string, unknown>;
      const type = (spec.type ?? 'string') as ParamType;
      if (!PARAM_TYPES.includes(type)) {
        problems.push({ path: `${at}/type`, message: `type must be one of ${PARAM_TYPES.join(', ')}` });
        continue;
      }
      const hasDefault = 'default' in spec;
      if (hasDefault && !hasType(spec.default, type)) {
        problems.push({ path: `${at}/default`, message: `the default of "${param}" is not a ${type}` });
      }
      params[param] = {
        type,
        required: spec.required === true || (!hasDefault && spec.required !== false),
        ...(hasDefault ? { default: spec.default } : {}),
        ...(typeof spec.description === 'string' ? { description: spec.description } : {}),
      };
    }
  }
  const fields = value.step;
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
    problems.push({
      path: '/step',
      message: 'a template needs "step": the fields it fills in, as a step has them',
    });
  }
  for (const key of Object.keys(value)) {
    if (!['kind', 'name', 'description', 'params', 'step'].includes(key)) {
      problems.push({
        path: pointerOf([key]),
        message: `unknown field "${key}" in a template: use name, description, params, step`,
      });
    }
  }
  if (problems.length > 0) return { problems };
  return {
    template: {
      name: name as string,
      description: typeof value.description === 'string' ? value.description : '',
      params,
      fields: fields as Record<string, unknown>,
      file,
    },
    problems,
  };
}

function hasType(value: unknown, type: ParamType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
  }
}

/**
 * Fills `{{params.x}}`: a string that is only the placeholder takes the value as it is (a number
 * stays a number), except in `env`, whose values are always text.
 */
function fill(value: unknown, params: Record<string, unknown>, asText = false): unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{\s*params\.([A-Za-z0-9_-]+)\s*\}\}$/.exec(value);
    if (whole && whole[1]! in params && !asText) return params[whole[1]!];
    return value.replace(/\{\{\s*params\.([A-Za-z0-9_-]+)\s*\}\}/g, (text, name: string) => {
      if (!(name in params)) return text;
      const v = params[name];
      return typeof v === 'string' ? v : JSON.stringify(v);
    });
  }
  if (Array.isArray(value)) return value.map((item) => fill(item, params, asText));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        fill(v, params, asText || k === 'env'),
      ]),
    );
  }
  return value;
}

/**
 * A step (or job) that says `uses: NAME` and `with: {...}` becomes the template's fields filled
 * with its parameters, then the step's own fields over them. `at` is the step's pointer.
 */
export function expandUses(
  step: Record<string, unknown>,
  at: string,
  registry: Map<string, Template>,
): { value: Record<string, unknown>; problems: PointedProblem[] } {
  if (!('uses' in step)) return { value: step, problems: [] };
  const problems: PointedProblem[] = [];
  const { uses, with: given = {}, ...own } = step;
  const template = typeof uses === 'string' ? registry.get(uses) : undefined;
  if (!template) {
    const known = [...registry.keys()].sort();
    problems.push({
      path: `${at}/uses`,
      message: `unknown template "${String(uses)}"; ${known.length > 0 ? `known: ${known.join(', ')}` : 'no template files were found (give their folder with --templates)'}`,
    });
    return { value: step, problems };
  }
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    problems.push({
      path: `${at}/with`,
      message: `template "${template.name}": "with" must be a map of parameter values`,
    });
    return { value: step, problems };
  }
  const values: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(given as Record<string, unknown>)) {
    const param = template.params[name];
    if (!param) {
      problems.push({
        path: `${at}/with/${name}`,
        message: `template "${template.name}" has no parameter "${name}"; its parameters: ${Object.keys(template.params).join(', ') || 'none'}`,
      });
    } else if (!hasType(value, param.type)) {
      problems.push({
        path: `${at}/with/${name}`,
        message: `template "${template.name}": parameter "${name}" must be a ${param.type}, got ${JSON.stringify(value)}`,
      });
    } else {
      values[name] = value;
    }
  }
  for (const [name, param] of Object.entries(template.params)) {
    if (name in (given as Record<string, unknown>)) continue;
    if ('default' in param) values[name] = param.default;
    else if (param.required) {
      problems.push({
        path: `${at}/with`,
        message: `template "${template.name}": missing required parameter "${name}" (${param.type})`,
      });
    }
  }
  return { value: { ...(fill(template.fields, values) as Record<string, unknown>), ...own }, problems };
}
