import {
  neitherShapeProblem,
  orchestratorPointer,
  orchestratorToWorkflow,
  shapeOfTask,
  type TaskShape,
} from './orchestrator-tasks.ts';
import { taskListToWorkflow } from './task-list.ts';
import type { PointedProblem } from './templates.ts';

const SHAPE_NAMES: Record<TaskShape, string> = {
  'task-list': '{name, type, arguments, dependencies}',
  orchestrator: '{name, args}',
};

/** The task list's pointers: a step is its task, `depends_on` its `dependencies`. */
function taskListPointer(pointer: string): string {
  return pointer.replace(
    /^\/steps\/(\d+)(\/depends_on)?/,
    (_m, i: string, d?: string) => `/tasks/${i}${d ? '/dependencies' : ''}`,
  );
}

/**
 * A `{"tasks": [...]}` file as a workflow. Its two formats are told apart by their tasks' fields
 * (shapeOfTask): the first task that has a shape gives the file's; a task of the other shape, one
 * that fits neither or one that mixes them is a problem at that task, and stands in the graph only
 * by its place (`standIns`, for graphStandIn), so that its own fields raise nothing more.
 */
export function tasksToWorkflow(value: { tasks: unknown[] } & Record<string, unknown>): {
  body: Record<string, unknown>;
  problems: PointedProblem[];
  mapPointer: (pointer: string) => string;
  standIns: Set<number>;
  shape: TaskShape;
} {
  const shapes = value.tasks.map(shapeOfTask);
  const shape: TaskShape =
    shapes.find((s) => s === 'task-list' || s === 'orchestrator') ??
    (shapes.includes('either') ? 'orchestrator' : 'task-list');
  const problems: PointedProblem[] = [];
  const standIns = new Set<number>();
  shapes.forEach((found, index) => {
    const at = `/tasks/${index}`;
    if (found === undefined) problems.push(neitherShapeProblem(value.tasks[index], at));
    else if (found !== shape && found !== 'either')
      problems.push({
        path: at,
        message: `this task has the shape ${SHAPE_NAMES[found]} but the file's first task has ${SHAPE_NAMES[shape]}: the tasks of one file share one shape`,
      });
    else return;
    standIns.add(index);
  });
  // A task that was refused gives nothing but its place: an object with its name, if any.
  const tasks = value.tasks.map((raw, index) => (standIns.has(index) ? nameOnly(raw, shape) : raw));
  const converted =
    shape === 'orchestrator'
      ? orchestratorToWorkflow({ ...value, tasks })
      : { ...taskListToWorkflow({ ...value, tasks }), refused: [] };
  const own = converted.problems.filter((p) => !standIns.has(Number(/^\/tasks\/(\d+)/.exec(p.path)?.[1])));
  for (const index of converted.refused) standIns.add(index);
  return {
    body: converted.body,
    problems: [...problems, ...own],
    mapPointer: shape === 'orchestrator' ? orchestratorPointer : taskListPointer,
    standIns,
    shape,
  };
}

function nameOnly(raw: unknown, shape: TaskShape): Record<string, unknown> {
  const name = (raw as { name?: unknown } | null)?.name;
  const kept = typeof name === 'string' ? { name } : {};
  return shape === 'task-list' ? { ...kept, type: 'exec', arguments: 'true' } : kept;
}
