// How a value's schema issues read to a person: used by the API's request validation and by
// every validation of a definition, wherever it runs.
import type { TSchema } from 'typebox';
import type { Problem } from './errors.js';

export interface SchemaIssue {
  keyword: string;
  schemaPath: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

/** `/linux_dependencies/0` → `linux_dependencies[0]`. */
function fieldName(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((name, part) => (/^\d+$/.test(part) ? `${name}[${part}]` : name ? `${name}.${part}` : part), '');
}

function valueAt(value: unknown, instancePath: string): unknown {
  let current = value;
  for (const part of instancePath.split('/').slice(1)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return current;
}

function schemaAt(schema: TSchema, schemaPath: string): Record<string, unknown> | undefined {
  let current: unknown = schema;
  for (const part of schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current as Record<string, unknown> | undefined;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function pointerTo(instancePath: string, name: string): string {
  return `${instancePath}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** The field names of an anyOf whose options each require one field (`command` or `image`). */
function requiredAlternatives(options: unknown): string[] | undefined {
  if (!Array.isArray(options) || options.length === 0) return undefined;
  const names = options.map((option) => {
    const required = (option as { required?: unknown }).required;
    return Array.isArray(required) && required.length === 1 ? String(required[0]) : undefined;
  });
  return names.every((name) => name !== undefined) ? (names as string[]) : undefined;
}

/**
 * Turns schema issues into sentences a person can act on, naming the field and the rule, each
 * with a JSON Pointer to where it is in the value.
 */
export function describeIssues(
  schema: TSchema,
  value: unknown,
  issues: SchemaIssue[],
  where: string,
): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    const field = fieldName(issue.instancePath);
    const label = field ? `${field}` : where;
    const messages = {
      push: (message: string, path = issue.instancePath) => problems.push({ path, message }),
    };
    switch (issue.keyword) {
      case 'boolean':
        break; // reported by the additionalProperties issue of the same object
      case 'additionalProperties': {
        const names = (issue.params.additionalProperties as string[] | undefined) ?? [];
        for (const name of names)
          messages.push(
            `unknown field "${field ? `${field}.` : ''}${name}"`,
            pointerTo(issue.instancePath, name),
          );
        break;
      }
      case 'required': {
        // An option of an object's anyOf of required fields: the anyOf's own issue names them all.
        if (issue.schemaPath.includes('/anyOf/')) break;
        const names = (issue.params.requiredProperties as string[] | undefined) ?? [];
        for (const name of names)
          messages.push(
            `missing required field "${field ? `${field}.` : ''}${name}"`,
            pointerTo(issue.instancePath, name),
          );
        break;
      }
      case 'pattern': {
        const description = schemaAt(schema, issue.schemaPath)?.description;
        const rule =
          typeof description === 'string' ? description : `it must match ${String(issue.params.pattern)}`;
        messages.push(`${label} ${show(valueAt(value, issue.instancePath))} is not allowed: ${rule}`);
        break;
      }
      case 'const':
        // An option of a union: the union's own issue below names them all.
        if (issue.schemaPath.includes('/anyOf/')) break;
        messages.push(`${label} ${issue.message}`);
        break;
      case 'anyOf': {
        const options = schemaAt(schema, issue.schemaPath)?.anyOf;
        const alternatives = requiredAlternatives(options);
        if (alternatives) {
          const [first, ...others] = alternatives;
          messages.push(
            `missing required field "${field ? `${field}.` : ''}${first}"; or give ${others.map((name) => `"${name}"`).join(' or ')} instead`,
            pointerTo(issue.instancePath, first!),
          );
          break;
        }
        const values = Array.isArray(options) ? options.map((o) => (o as { const?: unknown }).const) : [];
        if (values.length > 0 && values.every((v) => v !== undefined)) {
          messages.push(
            `${label} ${show(valueAt(value, issue.instancePath))} is not allowed: use one of ${values.map((v) => JSON.stringify(v)).join(', ')}`,
          );
        } else {
          messages.push(`${label} ${issue.message}`);
        }
        break;
      }
      case 'enum': {
        const at = schemaAt(schema, issue.schemaPath);
        const allowed = Array.isArray(at) ? at : (at?.enum ?? issue.params.allowedValues);
        messages.push(
          Array.isArray(allowed)
            ? `${label} ${show(valueAt(value, issue.instancePath))} is not allowed: use one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`
            : `${label} ${issue.message}`,
        );
        break;
      }
      case 'maxLength':
        messages.push(`${label} is too long: at most ${String(issue.params.limit)} characters`);
        break;
      default:
        messages.push(`${label} ${issue.message}`);
    }
  }
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\n${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
