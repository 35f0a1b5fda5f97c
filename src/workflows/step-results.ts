import { STEPS_DIR } from '../runner/container-paths.js';
import { placeholdersIn } from './placeholders.js';
import type { StepDefinition } from './workflow-definition.js';

/**
 * How large a step's result may be where it is carried inline: the step's row, GET
 * /workflow-runs/:id, report.json, `{{steps.NAME.result}}` and `TDS_STEP_<NAME>_RESULT`. A plain
 * step's result is its run's, which the run keeps only within the bound (longer fails the run
 * `result_too_large`). A fan-out step's result is its items' results as one JSON array: within the
 * bound it is kept like any result; over it, it is not built at all (10,000 items of 64 KiB would
 * be a 640 MiB string, more than JavaScript can hold), the step's result is null and marked
 * truncated, and every item's result is in its manifest (items.jsonl), which its dependants are
 * given as a file.
 */

/** The manifest's name in a fan-out step's folder, and in its dependants' `/job/steps/<name>/`. */
export const MANIFEST_FILE = 'items.jsonl';

/** An item's result as an element of its fan-out step's result: JSON as JSON, other text as a string. */
export function itemResultValue(result: string | null): unknown {
  if (result === null) return null;
  try {
    return JSON.parse(result) as unknown;
  } catch {
    return result;
  }
}

/**
 * Whether items' results of these sizes (bytes as stored; null for none) may make a step result
 * within `maxBytes`: only then are they read to be joined. Over it the array is at least as long,
 * give or take the spaces JSON text may hold, so it is never built.
 */
export function itemResultsMayFit(sizes: readonly (number | null)[], maxBytes: number): boolean {
  let total = 0;
  for (const size of sizes) {
    total += size ?? 0;
    if (total > maxBytes) return false;
  }
  return true;
}

/** The items' results as the fan-out step's result (a JSON array, in item order), or undefined over `maxBytes`. */
export function joinItemResults(results: readonly (string | null)[], maxBytes: number): string | undefined {
  const joined = JSON.stringify(results.map(itemResultValue));
  return Buffer.byteLength(joined) <= maxBytes ? joined : undefined;
}

/** Where a dependant finds a fan-out step's manifest: `/job/steps/<name>/items.jsonl`. */
export function manifestPath(step: string): string {
  return `${STEPS_DIR}/${step}/${MANIFEST_FILE}`;
}

/** The variable naming that file in a dependant's environment: `TDS_STEP_<NAME>_MANIFEST`. */
export function manifestEnvName(step: string): string {
  return `TDS_STEP_${step.toUpperCase().replace(/-/g, '_')}_MANIFEST`;
}

/**
 * The variable naming a fan-out step's manifest in each step that depends on it directly:
 * `TDS_STEP_<NAME>_ITEMS`, whatever the size of the step's result.
 */
export function itemsEnvName(step: string): string {
  return `TDS_STEP_${step.toUpperCase().replace(/-/g, '_')}_ITEMS`;
}

/**
 * Why a step cannot start because a placeholder of its command, args or env names a step whose
 * result was over the bound (it is not pasted anywhere), or undefined when none does.
 */
export function truncatedPlaceholder(
  step: StepDefinition,
  truncated: (name: string) => boolean,
  maxBytes: number,
): string | undefined {
  const { command, args, env } = step.spec;
  const texts = [command ?? '', ...(args === null ? [] : typeof args === 'string' ? [args] : args)];
  texts.push(...Object.values(env));
  for (const text of texts) {
    for (const placeholder of placeholdersIn(text)) {
      if (placeholder.kind !== 'step' || !truncated(placeholder.step)) continue;
      const name = placeholder.step;
      const where = step.dependsOn.includes(name)
        ? `read ${manifestPath(name)} (named by $${manifestEnvName(name)}), one JSON line per item with its result`
        : `make "${name}" a dependency (depends_on) to be given its manifest as a file, or read GET /workflow-runs/:id/steps/${name}/items`;
      return `{{steps.${name}.result}}: the result of fan-out step "${name}" (its items' results as one array) came to more than ${maxBytes} bytes (TDS_MAX_RESULT_BYTES), so it is kept only in its manifest and pasted nowhere; ${where}`;
    }
  }
  return undefined;
}
