import { isDeepStrictEqual } from 'node:util';
import { ApiError, type ApiClient } from './api-client.ts';
import { problemInFile, type Definition } from './definitions/load.ts';
import type { FileProblem } from './definitions/problems.ts';
import { CliExit } from './exit-codes.ts';

/** Which field a 422 (the bucket or the inputs not there) is about. */
function pathOf422(message: string): string {
  return /no objects under/.test(message) ? '/source_s3_prefix' : '/s3_bucket';
}

/** What the service answers a definition's dry run with. */
export interface Checked {
  definition: Definition;
  /** A job as the service would store it (defaults applied); undefined for a workflow. */
  spec?: Record<string, unknown>;
  /** A workflow as the service would store it; undefined for a job. */
  workflow?: Record<string, unknown>;
}

/**
 * The service's own validation of each definition (`?dry_run=true`), so files and API never
 * disagree: every problem it lists, at its line in the file. A refused key or an unreachable
 * service ends the command (exit 3).
 */
export async function checkWithService(
  api: ApiClient,
  definitions: Definition[],
): Promise<{ checked: Checked[]; problems: FileProblem[] }> {
  const checked: Checked[] = [];
  const problems: FileProblem[] = [];
  for (const definition of definitions) {
    const local: FileProblem[] = [];
    if (!definition.userId)
      local.push(
        problemInFile(definition, { path: '', message: 'missing userId: add it to the file or give --user' }),
      );
    if (!definition.uniqueId)
      local.push(
        problemInFile(definition, {
          path: '',
          message: 'missing uniqueId: it names the definition in the service',
        }),
      );
    if (local.length > 0) {
      problems.push(...local);
      continue;
    }
    const route = definition.kind === 'job' ? '/jobs' : '/workflows';
    try {
      const answer = await api.post<{ spec?: Record<string, unknown>; definition?: Record<string, unknown> }>(
        `${route}?dry_run=true`,
        definition.checkBody,
      );
      checked.push({ definition, spec: answer.spec, workflow: answer.definition });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 401 || error.status === 403 || error.status >= 500) {
        throw new CliExit(error.exitCode, `the service refused ${definition.uniqueId}: ${error.message}`);
      }
      if (error.status === 404 && definition.kind === 'workflow') {
        problems.push(
          problemInFile(definition, {
            path: '',
            message: 'this service has no workflow API (POST /workflows); update it',
          }),
        );
      } else if (error.status === 422) {
        problems.push(problemInFile(definition, { path: pathOf422(error.message), message: error.message }));
      } else if (error.problems.length > 0) {
        problems.push(...error.problems.map((p) => problemInFile(definition, p)));
      } else {
        problems.push(problemInFile(definition, { path: '', message: error.message }));
      }
    }
  }
  return { checked, problems };
}

/** Two definitions of the same key in the files given are a problem at the second. */
export function duplicateProblems(definitions: Definition[]): FileProblem[] {
  const seen = new Map<string, Definition>();
  const problems: FileProblem[] = [];
  for (const definition of definitions) {
    const key = `${definition.kind}:${definition.userId}/${definition.uniqueId}`;
    const earlier = seen.get(key);
    if (earlier) {
      problems.push(
        problemInFile(definition, {
          path: '/uniqueId',
          message: `${definition.kind} "${definition.uniqueId}" of user "${definition.userId}" is also defined in ${earlier.file}`,
        }),
      );
    } else {
      seen.set(key, definition);
    }
  }
  return problems;
}

export function sortProblems(problems: FileProblem[]): FileProblem[] {
  return [...problems].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

/** The fields that differ between what is stored and what the files say. */
export function diffFields(
  stored: Record<string, unknown>,
  wanted: Record<string, unknown>,
  only?: string[],
): FieldChange[] {
  const fields = only ?? [...new Set([...Object.keys(stored), ...Object.keys(wanted)])];
  return fields
    .filter((field) => !isDeepStrictEqual(stored[field], wanted[field]))
    .sort()
    .map((field) => ({ field, from: stored[field], to: wanted[field] }));
}

type Fields = Record<string, unknown>;

interface StoredStep {
  name: string;
  dependsOn?: unknown;
  runIf?: unknown;
  forEach?: unknown;
  maxFailures?: unknown;
  spec?: Fields;
}

/**
 * The fields that differ between two workflows as the service stores them: each shared field by
 * its name, `max_parallel`, `params`, and a step's own fields as `steps.NAME.FIELD` (a field a step only
 * inherits from the shared ones is shown once, as the shared field). Empty only when the two are
 * the same, so "unchanged" here is unchanged for the service too.
 */
export function diffWorkflows(stored: Fields, wanted: Fields): FieldChange[] {
  const sharedBefore = (stored.shared ?? {}) as Fields;
  const sharedAfter = (wanted.shared ?? {}) as Fields;
  const changes = diffFields(sharedBefore, sharedAfter);
  if (!isDeepStrictEqual(stored.maxParallel, wanted.maxParallel))
    changes.push({ field: 'max_parallel', from: stored.maxParallel, to: wanted.maxParallel });
  if (!isDeepStrictEqual(stored.params, wanted.params))
    changes.push({ field: 'params', from: stored.params, to: wanted.params });
  const before = new Map(((stored.steps ?? []) as StoredStep[]).map((s) => [s.name, s]));
  const after = new Map(((wanted.steps ?? []) as StoredStep[]).map((s) => [s.name, s]));
  const own = (step: StoredStep | undefined, shared: Fields) => {
    const fields: Fields = {
      depends_on: step?.dependsOn,
      run_if: step?.runIf,
      for_each: step?.forEach,
      max_failures: step?.maxFailures,
    };
    for (const [key, value] of Object.entries(step?.spec ?? {}))
      if (!(key in shared) || !isDeepStrictEqual(value, shared[key])) fields[key] = value;
    return fields;
  };
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const from = before.get(name);
    const to = after.get(name);
    if (!from || !to) {
      changes.push({
        field: `steps.${name}`,
        from: from ? '(a step)' : undefined,
        to: to ? '(a step)' : undefined,
      });
      continue;
    }
    const fromFields = own(from, sharedBefore);
    const toFields = own(to, sharedAfter);
    const keys = [...new Set([...Object.keys(fromFields), ...Object.keys(toFields)])];
    const stepChanges = diffFields(fromFields, toFields, keys).map((c) => ({
      ...c,
      field: `steps.${name}.${c.field}`,
    }));
    changes.push(...stepChanges);
  }
  const orderBefore = [...before.keys()];
  const orderAfter = [...after.keys()];
  if (changes.length === 0 && !isDeepStrictEqual(orderBefore, orderAfter))
    changes.push({ field: 'steps', from: orderBefore, to: orderAfter });
  if (changes.length === 0 && !isDeepStrictEqual(stored, wanted))
    changes.push({ field: '(definition)', from: '(as stored)', to: '(as in the file)' });
  return changes;
}
