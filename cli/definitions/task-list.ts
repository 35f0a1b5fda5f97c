/**
 * The simple task-list format, `{"tasks": [{"name", "type": "exec" | "eval", "arguments",
 * "dependencies"}]}`, as a workflow's steps: `exec` runs its arguments as a shell command, `eval`
 * runs them as a Python snippet with `python3 -c` (python3 added to the step's packages; an
 * exception exits non-zero and fails the step).
 */
export interface PointedProblem {
  path: string;
  message: string;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function argumentsText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(' ');
  return undefined;
}

export function isTaskList(value: unknown): value is { tasks: unknown[] } {
  return (
    value !== null &&
    typeof value === 'object' &&
    !('kind' in value) &&
    Array.isArray((value as { tasks?: unknown }).tasks)
  );
}

export function taskListToWorkflow(value: { tasks: unknown[] } & Record<string, unknown>): {
  body: Record<string, unknown>;
  problems: PointedProblem[];
} {
  const problems: PointedProblem[] = [];
  const { tasks, ...rest } = value;
  const names = new Set<string>();
  const steps = tasks.map((raw, index) => {
    const at = `/tasks/${index}`;
    const task = (raw ?? {}) as Record<string, unknown>;
    const name = task.name;
    if (typeof name !== 'string' || name === '')
      problems.push({ path: `${at}/name`, message: 'a task needs a name' });
    else if (names.has(name))
      problems.push({ path: `${at}/name`, message: `task name "${name}" is used twice` });
    else names.add(name);
    const text = argumentsText(task.arguments);
    if (text === undefined || text.trim() === '')
      problems.push({
        path: `${at}/arguments`,
        message: 'arguments must be a command (a string, or a list of words)',
      });
    const dependencies = task.dependencies ?? [];
    if (!Array.isArray(dependencies) || !dependencies.every((d) => typeof d === 'string'))
      problems.push({ path: `${at}/dependencies`, message: 'dependencies must be a list of task names' });
    const step: Record<string, unknown> = { name, depends_on: dependencies };
    if (task.type === 'exec') {
      step.command = text;
    } else if (task.type === 'eval') {
      step.command = `python3 -c ${shellQuote(text ?? '')}`;
      step.linux_dependencies = ['python3'];
    } else {
      problems.push({
        path: `${at}/type`,
        message: `type must be "exec" (a shell command) or "eval" (Python), got ${JSON.stringify(task.type)}`,
      });
    }
    for (const key of Object.keys(task)) {
      if (!['name', 'type', 'arguments', 'dependencies'].includes(key))
        problems.push({
          path: `${at}/${key}`,
          message: `unknown field "${key}" in a task: use name, type, arguments, dependencies`,
        });
    }
    return step;
  });
  return { body: { ...rest, steps }, problems };
}
