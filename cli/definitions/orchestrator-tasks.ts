import type { PointedProblem } from './templates.ts';

/**
 * The orchestrator's task list, `{"tasks": [{"name": TEMPLATE, "args": {...}}]}`, as a workflow:
 * each task runs the registered template it names with `args` as the template's parameters, in
 * list order, each depending on the one before it (so a failure skips the rest). The tasks become
 * steps that say `uses` and `with`, expanded and checked as every other templated step is.
 */

/** The two shapes a `tasks` entry may have, told apart by their fields. */
export type TaskShape = 'task-list' | 'orchestrator';

const TASK_LIST_FIELDS = ['type', 'arguments', 'dependencies'];
const ORCHESTRATOR_FIELDS = ['args'];

export const BOTH_SHAPES =
  'a task is either {name, type, arguments, dependencies} (a command: type exec or eval) or ' +
  '{name, args} (a registered template, args its parameters)';

/**
 * Which shape one entry has: the task list's when it has `type`, `arguments` or `dependencies`;
 * the orchestrator's when it has `args`; either when it has only a `name` (a template without
 * arguments, or a task of the other format that lacks its type); none (undefined) when it is not a
 * map with a name, or mixes the two.
 */
export function shapeOfTask(raw: unknown): TaskShape | 'either' | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const keys = Object.keys(raw);
  const listed = keys.some((k) => TASK_LIST_FIELDS.includes(k));
  const orchestrated = keys.some((k) => ORCHESTRATOR_FIELDS.includes(k));
  if (listed && orchestrated) return undefined;
  if (listed) return 'task-list';
  if (orchestrated) return 'orchestrator';
  return 'name' in raw ? 'either' : undefined;
}

/** What an entry that fits neither shape is told. */
export function neitherShapeProblem(raw: unknown, at: string): PointedProblem {
  const record = raw !== null && typeof raw === 'object' && !Array.isArray(raw);
  const keys = record ? Object.keys(raw) : [];
  const mixed = keys.some((k) => TASK_LIST_FIELDS.includes(k)) && keys.includes('args');
  return {
    path: at,
    message: mixed
      ? `this task mixes the two task shapes (${keys.join(', ')}): ${BOTH_SHAPES}`
      : `this task fits neither task shape: ${BOTH_SHAPES}`,
  };
}

/** A step name from a template's name: what a step name may not hold becomes "-". */
function stepNameOf(template: string): string {
  const cleaned = template.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 60);
  return /^[A-Za-z]/.test(cleaned) ? cleaned : `task-${cleaned}`.slice(0, 60);
}

/**
 * The workflow the tasks make. Step names are the template names, the second and later uses of
 * one suffixed `-2`, `-3`, ... (a name already taken is skipped). Problems are pointers into the
 * file's document (`/tasks/1/args`).
 */
export function orchestratorToWorkflow(value: { tasks: unknown[] } & Record<string, unknown>): {
  body: Record<string, unknown>;
  problems: PointedProblem[];
  /** Tasks whose args could not be read: not expanded, only their place in the graph checked. */
  refused: number[];
} {
  const problems: PointedProblem[] = [];
  const refused: number[] = [];
  const { tasks, ...rest } = value;
  const taken = new Set<string>();
  let previous: string | undefined;
  const steps = tasks.map((raw, index) => {
    const at = `/tasks/${index}`;
    const task = raw as Record<string, unknown>;
    const template = task.name;
    let name = `task-${index + 1}`;
    if (typeof template !== 'string' || template === '') {
      problems.push({ path: `${at}/name`, message: 'a task needs a name: the template it runs' });
    } else {
      const base = stepNameOf(template);
      name = base;
      for (let n = 2; taken.has(name); n += 1) name = `${base}-${n}`;
    }
    taken.add(name);
    let args = task.args ?? {};
    if (args === null || typeof args !== 'object' || Array.isArray(args)) {
      problems.push({
        path: `${at}/args`,
        message: `args must be a map of the template's parameters (name = value), got ${JSON.stringify(args)}`,
      });
      refused.push(index);
      args = {};
    }
    for (const key of Object.keys(task)) {
      if (key !== 'name' && key !== 'args')
        problems.push({
          path: `${at}/${key}`,
          message: `unknown field "${key}" in a task: use name (a template) and args (its parameters)`,
        });
    }
    const step: Record<string, unknown> = {
      name,
      depends_on: previous === undefined ? [] : [previous],
      uses: template,
      with: args,
    };
    previous = name;
    return step;
  });
  return { body: { ...rest, steps }, problems, refused };
}

/** Where a pointer into the workflow sent is in the orchestrator's file. */
export function orchestratorPointer(pointer: string): string {
  return pointer.replace(
    /^\/steps\/(\d+)(\/(?:uses|with|name|depends_on))?/,
    (_m, i: string, field?: string) =>
      `/tasks/${i}${field === '/uses' || field === '/name' ? '/name' : field === '/with' ? '/args' : ''}`,
  );
}
