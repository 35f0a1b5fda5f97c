// Pure: what differs between a stored job or workflow and the one a definition would store. The
// plan of `tds apply --dry-run` and of the dashboard's definition editor are made here.

/** Two JSON values alike: the same keys with alike values, the same items in the same order. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => sameValue(item, other[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  return (
    keys.length === Object.keys(right).length &&
    keys.every((key) => Object.hasOwn(right, key) && sameValue(left[key], right[key]))
  );
}

/** A value as a plan shows it: JSON, or `(none)`. */
export const showValue = (value: unknown): string => (value === undefined ? '(none)' : JSON.stringify(value));

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
    .filter((field) => !sameValue(stored[field], wanted[field]))
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
  if (!sameValue(stored.maxParallel, wanted.maxParallel))
    changes.push({ field: 'max_parallel', from: stored.maxParallel, to: wanted.maxParallel });
  if (!sameValue(stored.params, wanted.params))
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
      if (!(key in shared) || !sameValue(value, shared[key])) fields[key] = value;
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
  if (changes.length === 0 && !sameValue(orderBefore, orderAfter))
    changes.push({ field: 'steps', from: orderBefore, to: orderAfter });
  if (changes.length === 0 && !sameValue(stored, wanted))
    changes.push({ field: '(definition)', from: '(as stored)', to: '(as in the file)' });
  return changes;
}
