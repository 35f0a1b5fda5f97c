import { placeholdersIn } from '../../src/workflows/placeholders.ts';

type Fields = Record<string, unknown>;

/** The fields that place a step in its workflow's graph. */
const GRAPH_FIELDS = ['name', 'depends_on', 'run_if', 'for_each', 'max_failures'] as const;

/** Whether a value still holds a template parameter that was not filled in. */
const unfilled = (value: unknown): boolean => JSON.stringify(value ?? null).includes('{{params.');

/** Every string inside a value. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

/**
 * What a workflow step whose template could not be expanded is checked as by the service: only
 * its place in the graph (name, depends_on, run_if, for_each, max_failures) and the placeholders
 * it still holds, so that the service finds every problem of the graph (an unknown dependency, a
 * cycle, a placeholder naming a step that is not an ancestor, a name used twice) and none of the
 * fields the template would have given. `step` is the step as far as it was expanded (the step as
 * written when its template is unknown); `shared` the workflow's own fields, to run the
 * placeholders as `args` when the workflow runs a prebuilt image and as `command` otherwise.
 */
export function graphStandIn(step: Fields, shared: Fields): Fields {
  const standIn: Fields = {};
  for (const field of GRAPH_FIELDS) {
    // A graph field the template filled from a missing parameter is not the step's: left out.
    if (field in step && !unfilled(step[field])) standIn[field] = step[field];
  }
  const sources = [step.command, step.args, step.env, ...('with' in step ? [step.with] : [])];
  // A placeholder built from a parameter that was not filled in is not one the step will have.
  const found = strings(sources)
    .flatMap(placeholdersIn)
    .filter((p) => !unfilled(p.text));
  // A fan-out whose for_each was left out: its {{item}} and {{index}} would be false problems.
  const fanOutLeftOut = 'for_each' in step && !('for_each' in standIn);
  const texts = [
    ...new Set(
      found.filter((p) => !(fanOutLeftOut && (p.kind === 'item' || p.kind === 'index'))).map((p) => p.text),
    ),
  ];
  if ('image' in shared && !('command' in shared)) standIn.args = texts.length > 0 ? texts : ['true'];
  else standIn.command = texts.length > 0 ? texts.join(' ') : 'true';
  return standIn;
}
