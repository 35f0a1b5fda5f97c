import Type, { type Static, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { describeIssues } from '../schema-issues.js';
import { RequestError, ValidationError, type Problem } from '../errors.js';
import {
  JobRequestSchema,
  normaliseJobRequest,
  readStoredSpec,
  type JobDefaults,
  type JobRequest,
  type JobSpec,
} from '../jobs/job-spec.js';
import { findCycle, startOrder } from './workflow-graph.js';
import {
  fillPlaceholders,
  missingItemField,
  placeholdersIn,
  replaceItemPlaceholders,
  type Placeholder,
} from './placeholders.js';
import {
  ParamsSchema,
  readParamDeclarations,
  requiredParams,
  type ParamDeclarations,
} from '../definitions/params.js';
import { IMAGE_PATTERN, imageReferenceProblem } from '../jobs/image-reference.js';

/**
 * A workflow as posted: the job's shared fields and step defaults, `max_parallel`, and its steps.
 * Validation lists every problem found, each with the JSON Pointer of the field it concerns, and
 * turns a valid request into the definition that is stored: one normalised job spec per step.
 */

export const MAX_STEPS = 500;
export const MAX_ITEMS = 10_000;
export const STEP_NAME_PATTERN = '^[A-Za-z][A-Za-z0-9_-]{0,62}$';
export const RUN_IF = ['all_succeeded', 'all_done', 'any_failed'] as const;
export type RunIf = (typeof RUN_IF)[number];

const job = JobRequestSchema.properties;

/** The job fields a step may override: what it runs, its limits, packages and environment. */
const STEP_FIELDS = {
  command: job.command,
  image: Type.Optional(
    Type.String({
      pattern: IMAGE_PATTERN,
      description: `${(job.image as { description?: string }).description ?? ''}. In a step with for_each it may be filled from the item, {{item}} or {{item.FIELD}} (e.g. "{{item.image}}"): each item's image is then held to the same rules when the item is queued`,
    }),
  ),
  args: job.args,
  linux_dependencies: job.linux_dependencies,
  base_image: job.base_image,
  timeout_seconds: job.timeout_seconds,
  cpus: job.cpus,
  memory_mb: job.memory_mb,
  disk_mb: job.disk_mb,
  gpus: job.gpus,
  env: job.env,
  secrets: job.secrets,
  network: job.network,
  max_attempts: job.max_attempts,
  retry_on_exit_code: job.retry_on_exit_code,
  retry_backoff_seconds: job.retry_backoff_seconds,
  metrics_interval_seconds: job.metrics_interval_seconds,
  requires: job.requires,
};

export const StepSchema = Type.Object(
  {
    name: Type.String({
      pattern: STEP_NAME_PATTERN,
      description:
        'the step\'s name, unique in the workflow: a letter, then letters, digits, "_" or "-" (up to 63)',
    }),
    ...STEP_FIELDS,
    depends_on: Type.Optional(
      Type.Array(Type.String({ maxLength: 63 }), {
        maxItems: MAX_STEPS,
        description:
          'steps that must end before this one starts; omitted, the steps its {{steps.NAME.result}} placeholders name',
      }),
    ),
    run_if: Type.Optional(
      Type.Union([Type.Literal('all_succeeded'), Type.Literal('all_done'), Type.Literal('any_failed')], {
        description:
          'when the step runs: all_succeeded (default; otherwise it is skipped naming the dependency), all_done (once every dependency ended, however), any_failed (only if a dependency failed)',
      }),
    ),
    for_each: Type.Optional(
      Type.Union([Type.Array(Type.Unknown(), { maxItems: MAX_ITEMS }), Type.String({ maxLength: 200 })], {
        description: `run the step once per item (up to ${MAX_ITEMS}): a JSON array, or "{{steps.NAME.result}}" of a step whose result is one; each item sees {{item}}, {{index}}, TDS_ITEM and TDS_INDEX`,
      }),
    ),
    max_failures: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^(100|[0-9]{1,2})%$' })], {
        description:
          'how many failed items a fan-out step tolerates: a count, or a percent such as "10%" (default 0)',
      }),
    ),
  },
  { additionalProperties: false },
);

const { command: _c, image: _i, args: _a, capture_result: _r, ...shared } = job;

export const WorkflowRequestSchema = Type.Object(
  {
    ...shared,
    params: Type.Optional(ParamsSchema),
    max_parallel: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1000,
        description:
          "steps (or fan-out items) running at once within one workflow run (default 4); the user's ceilings still hold",
      }),
    ),
    steps: Type.Array(StepSchema, { minItems: 1, description: `the steps, at most ${MAX_STEPS}` }),
  },
  { additionalProperties: false },
);

export type WorkflowRequest = Static<typeof WorkflowRequestSchema>;
export type StepRequest = Static<typeof StepSchema>;

/** One problem of a request: the JSON Pointer of the field, and what is wrong with it. */
/** A request refused for the problems listed (400, every problem with its path). */
export class InvalidDefinitionError extends ValidationError {
  constructor(problems: Problem[]) {
    super(
      `the workflow has ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${problems
        .slice(0, 5)
        .map((p) => `${p.path || '/'}: ${p.message}`)
        .join('; ')}${problems.length > 5 ? '; …' : ''}`,
      problems.map((p) => `${p.path || '/'}: ${p.message}`),
      problems,
    );
    this.name = 'InvalidDefinitionError';
  }
}

/** How a fan-out step gets its items. */
export type ForEach =
  | { kind: 'none' }
  | { kind: 'static'; items: unknown[] }
  | { kind: 'dynamic'; step: string }
  /** The items are a `list` param's value for the run (the trigger's, else its default). */
  | { kind: 'param'; param: string };

/** A step as stored: its job spec (placeholders still in it), and how it fits in the graph. */
export interface StepDefinition {
  name: string;
  dependsOn: string[];
  runIf: RunIf;
  forEach: ForEach;
  /** Failed items tolerated: a count, or a percent of the items. */
  maxFailures: { count: number } | { percent: number };
  spec: JobSpec;
}

/** A workflow as stored. */
export interface WorkflowDefinition {
  /** The shared job fields (userId, uniqueId, bucket, prefixes, cron and its policies). */
  shared: Omit<JobSpec, 'command' | 'image' | 'args' | 'step_inputs' | 'capture_result'>;
  maxParallel: number;
  steps: StepDefinition[];
  /** The step names in a valid start order. */
  order: string[];
  /** Declared params (src/definitions/params.ts); absent when none are declared. */
  params?: ParamDeclarations;
}

export interface Plan {
  steps: {
    name: string;
    dependsOn: string[];
    runIf: RunIf;
    forEach: 'none' | 'static' | 'dynamic' | 'param';
    items?: number;
  }[];
  order: string[];
}

const checkSchema = Compile(WorkflowRequestSchema as TSchema);

function pointer(...parts: (string | number)[]): string {
  return parts.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** The environment variable a step's result is given in: `TDS_STEP_<NAME>_RESULT`, "-" as "_". */
export function resultEnvName(step: string): string {
  return `TDS_STEP_${step.toUpperCase().replace(/-/g, '_')}_RESULT`;
}

/** Schema problems, each with its path (the schema's own sentences, one per issue). */
function schemaProblems(body: unknown): Problem[] {
  if (checkSchema.Check(body)) return [];
  const issues = [...checkSchema.Errors(body)] as unknown as Parameters<typeof describeIssues>[2];
  return describeIssues(WorkflowRequestSchema, body, issues, 'the request body');
}

/** Problems listed at most for this many items of a literal for_each: the rest are counted. */
const MAX_ITEM_PROBLEMS = 20;

/** Whether a step's image is filled from its items (`{{item}}` or `{{item.FIELD}}` in a fan-out step). */
function imageFromItems(step: StepRequest | undefined): step is StepRequest & { image: string } {
  return (
    step?.for_each !== undefined &&
    typeof step.image === 'string' &&
    placeholdersIn(step.image).some((p) => p.kind === 'item')
  );
}

/** An image filled from items as it is checked before any item is known: each item placeholder as `x`. */
function imageWithStandIns(image: string): string {
  return replaceItemPlaceholders(image, 'x');
}

/** The texts of a step that may hold placeholders, with their paths. */
function placeholderFields(step: StepRequest, at: string): { path: string; text: string }[] {
  const fields: { path: string; text: string }[] = [];
  if (imageFromItems(step)) fields.push({ path: `${at}/image`, text: step.image });
  if (step.command !== undefined) fields.push({ path: `${at}/command`, text: step.command });
  if (typeof step.args === 'string') fields.push({ path: `${at}/args`, text: step.args });
  if (Array.isArray(step.args))
    step.args.forEach((text, i) => fields.push({ path: `${at}/args/${i}`, text }));
  for (const [name, text] of Object.entries(step.env ?? {}))
    fields.push({ path: `${at}/env${pointer(name)}`, text });
  return fields;
}

type Record_ = (path: string, message: string) => unknown;
type Steps = (StepRequest | undefined)[];

/** Step names: valid and unique, and giving distinct result variables. */
function checkNames(
  steps: Steps,
  record: Record_,
): { index: Map<string, number>; names: (string | undefined)[] } {
  // Names: valid and unique.
  const index = new Map<string, number>();
  const names = steps.map((s) => (typeof s?.name === 'string' ? s.name : undefined));
  const envNames = new Map<string, string>();
  names.forEach((name, i) => {
    if (name === undefined) return;
    if (index.has(name)) {
      record(
        pointer('steps', i, 'name'),
        `step name "${name}" is also the name of step ${index.get(name)}; names must be unique`,
      );
      return;
    }
    index.set(name, i);
    const env = resultEnvName(name);
    const clash = envNames.get(env);
    if (clash !== undefined) {
      record(
        pointer('steps', i, 'name'),
        `step names "${clash}" and "${name}" both give their result as ${env}; rename one`,
      );
    }
    envNames.set(env, name);
  });
  return { index, names };
}

/** Each step's placeholders and dependencies (its depends_on, or the steps its placeholders name). */
function readDependencies(
  steps: Steps,
  index: Map<string, number>,
  declared: ParamDeclarations | undefined,
  record: Record_,
): { placeholders: Placeholder[][]; dependsOn: string[][] } {
  // Placeholders and dependencies.
  const placeholders: Placeholder[][] = steps.map(() => []);
  const dependsOn: string[][] = steps.map(() => []);
  steps.forEach((step, i) => {
    if (!step) return;
    const at = pointer('steps', i);
    const fanOut = step.for_each !== undefined;
    for (const field of placeholderFields(step, at)) {
      const found = placeholdersIn(field.text);
      for (const p of found) {
        if (p.kind === 'malformed') record(field.path, p.message);
        else if ((p.kind === 'item' || p.kind === 'index') && !fanOut)
          record(
            field.path,
            `${p.kind === 'item' && p.field !== undefined ? p.text : `{{${p.kind}}}`} is only given to a step with for_each`,
          );
        else if (p.kind === 'step' && field.path.endsWith('/image'))
          record(
            field.path,
            `${p.text}: an image may be filled from a fan-out's item ({{item}}, {{item.FIELD}}), not from a step's result`,
          );
        else if (p.kind === 'param' && !Object.hasOwn(declared ?? {}, p.param))
          record(
            field.path,
            `placeholder ${p.text} names no declared param; declare it under "params" (NAME: { type, default })`,
          );
        else placeholders[i]!.push({ ...p, path: field.path });
      }
    }
    if (Array.isArray(step.for_each)) checkLiteralItems(step, step.for_each, at, record);
    if (typeof step.for_each === 'string') {
      const found = placeholdersIn(step.for_each);
      const one = found.length === 1 && step.for_each.trim() === found[0]!.text ? found[0]! : undefined;
      if (one?.kind === 'param') {
        const type = declared?.[one.param]?.type;
        if (type !== 'list')
          record(
            `${at}/for_each`,
            type === undefined
              ? `placeholder ${one.text} names no declared param; declare it under "params" with type "list"`
              : `for_each: param "${one.param}" is a ${type}; a fan-out's items come from a "list" param`,
          );
        else placeholders[i]!.push({ ...one, path: `${at}/for_each` });
      } else if (one?.kind !== 'step') {
        record(
          `${at}/for_each`,
          'for_each is a JSON array, or exactly one placeholder: "{{steps.NAME.result}}" or a list param\'s "{{params.NAME}}"',
        );
      } else placeholders[i]!.push({ ...one, path: `${at}/for_each` });
    }
    const named = [...new Set(placeholders[i]!.flatMap((p) => (p.kind === 'step' ? [p.step] : [])))];
    for (const p of placeholders[i]!) {
      if (p.kind === 'step' && !index.has(p.step))
        record(p.path ?? at, `placeholder ${p.text} names no step of this workflow`);
    }
    if (step.depends_on === undefined) {
      dependsOn[i] = named.filter((n) => index.has(n) && n !== step.name);
    } else {
      const seen = new Set<string>();
      step.depends_on.forEach((dep, j) => {
        if (typeof dep !== 'string') return;
        if (dep === step.name) record(`${at}/depends_on/${j}`, `step "${dep}" cannot depend on itself`);
        else if (!index.has(dep))
          record(`${at}/depends_on/${j}`, `depends on "${dep}", which is not a step of this workflow`);
        else if (seen.has(dep)) record(`${at}/depends_on/${j}`, `"${dep}" is listed twice`);
        else dependsOn[i]!.push(dep);
        seen.add(dep);
      });
    }
  });
  return { placeholders, dependsOn };
}

/**
 * A literal for_each is checked item by item before anything runs: each item has every field the
 * step's `{{item.FIELD}}` placeholders name, and an image filled from it is one a job may name.
 * (Items known only when the step starts, from a step's result, are checked then: such an item fails.)
 */
function checkLiteralItems(step: StepRequest, items: unknown[], at: string, record: Record_): void {
  const texts = placeholderFields(step, at).map((f) => f.text);
  let found = 0;
  items.forEach((item, j) => {
    const missing = missingItemField(texts, item);
    const image =
      missing === undefined &&
      imageFromItems(step) &&
      imageReferenceProblem(imageWithStandIns(step.image)) === undefined
        ? imageReferenceProblem(
            fillPlaceholders(step.image, {
              results: {},
              item: typeof item === 'string' ? item : JSON.stringify(item),
              itemValue: item,
            }),
          )
        : undefined;
    const problem =
      missing ??
      (image === undefined ? undefined : `image ${JSON.stringify(step.image)} of this item: ${image}`);
    if (problem === undefined) return;
    found++;
    if (found <= MAX_ITEM_PROBLEMS) record(`${at}/for_each/${j}`, problem);
  });
  if (found > MAX_ITEM_PROBLEMS)
    record(
      `${at}/for_each`,
      `${found - MAX_ITEM_PROBLEMS} more items have problems (the first ${MAX_ITEM_PROBLEMS} are listed)`,
    );
}

/** The dependency graph, and a cycle in it if there is one (a problem). */
function checkCycle(
  names: (string | undefined)[],
  index: Map<string, number>,
  dependsOn: string[][],
  record: Record_,
): { graphNames: string[]; edges: Map<string, string[]>; cycle: string[] | undefined } {
  // Cycles: named as the path a → b → a.
  const graphNames = names.map((n, i) => n ?? `#${i}`);
  const edges = new Map<string, string[]>();
  graphNames.forEach((n, i) => {
    if (!edges.has(n)) edges.set(n, dependsOn[i]!);
  });
  const cycle = findCycle(graphNames, edges);
  if (cycle) {
    const first = index.get(cycle[0]!) ?? 0;
    record(
      pointer('steps', first, 'depends_on'),
      `the steps depend on each other in a cycle: ${cycle.join(' → ')}`,
    );
  }
  return { graphNames, edges, cycle: cycle ?? undefined };
}

/** With depends_on given, a step's placeholders name only its dependencies or their ancestors. */
function checkAncestry(
  steps: Steps,
  index: Map<string, number>,
  placeholders: Placeholder[][],
  edges: Map<string, string[]>,
  cycle: string[] | undefined,
  record: Record_,
): void {
  // A placeholder names a dependency or one of their ancestors (when depends_on is given).
  if (!cycle) {
    const ancestors = new Map<string, Set<string>>();
    const ancestorsOf = (name: string): Set<string> => {
      const known = ancestors.get(name);
      if (known) return known;
      const found = new Set<string>();
      for (const dep of edges.get(name) ?? []) {
        found.add(dep);
        for (const a of ancestorsOf(dep)) found.add(a);
      }
      ancestors.set(name, found);
      return found;
    };
    steps.forEach((step, i) => {
      if (!step?.name || step.depends_on === undefined) return;
      const allowed = ancestorsOf(step.name);
      for (const p of placeholders[i]!) {
        if (p.kind === 'step' && index.has(p.step) && !allowed.has(p.step))
          record(
            p.path ?? pointer('steps', i),
            `placeholder ${p.text} names step "${p.step}", which is not among this step's dependencies or their ancestors; add it to depends_on`,
          );
      }
    });
  }
}

/** Each step's job spec by the job's own rules; a problem is the step's or the workflow's by its field. */
function stepSpecs(
  request: WorkflowRequest,
  steps: Steps,
  defaults: JobDefaults,
  problems: Problem[],
  record: Record_,
): (JobSpec | undefined)[] {
  // Each step as a job: the job's own rules (command or image, env, prefixes, cron…).
  const specs: (JobSpec | undefined)[] = steps.map((step, i) => {
    if (!step) return undefined;
    try {
      // An image filled from items is checked as the image it is with stand-ins, and kept as written.
      if (imageFromItems(step)) {
        const standIn = imageReferenceProblem(imageWithStandIns(step.image));
        if (standIn !== undefined)
          record(
            pointer('steps', i, 'image'),
            `${JSON.stringify(step.image)}, its item placeholders aside: ${standIn}`,
          );
        const spec = normaliseJobRequest(
          stepAsJob(request, { ...step, image: imageWithStandIns(step.image) }),
          defaults,
        );
        return { ...spec, image: step.image };
      }
      return normaliseJobRequest(stepAsJob(request, step), defaults);
    } catch (error) {
      if (!(error instanceof RequestError)) throw error;
      const found =
        error instanceof ValidationError ? error.problems : [{ path: '', message: error.message }];
      for (const problem of found) {
        // A field the step sets is the step's problem; one it takes from the workflow is the workflow's.
        const field = /^\/([^/]+)/.exec(problem.path)?.[1]?.replace(/~1/g, '/').replace(/~0/g, '~');
        const path =
          field !== undefined && !(field in step) ? problem.path : `${pointer('steps', i)}${problem.path}`;
        if (!problems.some((p) => p.path === path && p.message === problem.message)) {
          record(path, problem.message);
        }
      }
      return undefined;
    }
  });
  return specs;
}

/** The definition stored for a valid request. */
function definitionOf(
  request: WorkflowRequest,
  steps: Steps,
  placeholders: Placeholder[][],
  dependsOn: string[][],
  specs: (JobSpec | undefined)[],
  order: string[],
): WorkflowDefinition {
  const definitions: StepDefinition[] = steps.map((step, i) => ({
    name: step!.name,
    dependsOn: dependsOn[i]!,
    runIf: step!.run_if ?? 'all_succeeded',
    forEach:
      step!.for_each === undefined
        ? { kind: 'none' }
        : Array.isArray(step!.for_each)
          ? { kind: 'static', items: step!.for_each }
          : forEachOf(placeholders[i]!),
    maxFailures:
      typeof step!.max_failures === 'string'
        ? { percent: Number(step!.max_failures.slice(0, -1)) }
        : { count: step!.max_failures ?? 0 },
    spec: { ...specs[i]!, capture_result: true, cron: null },
  }));
  const first = specs[0]!;
  const {
    command: _command,
    image: _image,
    args: _args,
    step_inputs: _inputs,
    capture_result: _capture,
    ...sharedSpec
  } = first;
  const shared = {
    ...sharedSpec,
    ...(request.notify_url !== undefined ? { notify_url: request.notify_url } : {}),
  };
  return { shared, maxParallel: request.max_parallel ?? 4, steps: definitions, order };
}

/**
 * Validates a workflow request whole and returns its definition; throws InvalidDefinitionError
 * listing every problem found (schema, per-step job rules, names, dependencies, cycles,
 * placeholders, the step limit) when there is any.
 */
export function parseWorkflowRequest(body: unknown, defaults: JobDefaults): WorkflowDefinition {
  const problems: Problem[] = [];
  const record = (path: string, message: string) => problems.push({ path, message });
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidDefinitionError([{ path: '', message: 'the request body must be a JSON object' }]);
  }
  const raw = body as Record<string, unknown>;
  const rawSteps = Array.isArray(raw.steps) ? (raw.steps as unknown[]) : [];
  if (rawSteps.length > MAX_STEPS) {
    // Checked first, and alone: a larger workflow is not read further.
    throw new InvalidDefinitionError([
      {
        path: '/steps',
        message: `a workflow has at most ${MAX_STEPS} steps; this one has ${rawSteps.length}`,
      },
    ]);
  }
  const request = raw as unknown as WorkflowRequest;
  const steps = rawSteps.map((s) => (s !== null && typeof s === 'object' ? (s as StepRequest) : undefined));
  // An image filled from items is not a reference yet: it is checked with stand-ins (stepSpecs).
  problems.push(
    ...schemaProblems(body).filter((p) => {
      const at = /^\/steps\/(\d+)\/image$/.exec(p.path);
      return !(at && imageFromItems(steps[Number(at[1])]));
    }),
  );
  const { index, names } = checkNames(steps, record);
  const params = readParamDeclarations(request.params, problems);
  if (typeof request.cron === 'string' && request.cron.trim() !== '') {
    for (const name of requiredParams(params))
      record(
        `/params/${name}`,
        `param "${name}" has no default, but a scheduled fire gives no params: give it a default, or drop "cron"`,
      );
  }
  const { placeholders, dependsOn } = readDependencies(steps, index, params, record);
  const { graphNames, edges, cycle } = checkCycle(names, index, dependsOn, record);
  checkAncestry(steps, index, placeholders, edges, cycle, record);
  const specs = stepSpecs(request, steps, defaults, problems, record);
  if (problems.length > 0) throw new InvalidDefinitionError(problems);
  const definition = definitionOf(
    request,
    steps,
    placeholders,
    dependsOn,
    specs,
    startOrder(graphNames, edges),
  );
  // Left out when not given, so that workflows stored before params existed compare equal to a repost.
  return params === undefined ? definition : { ...definition, params };
}

/**
 * A definition as read from the database: steps stored before a job field existed read as having
 * its default (as jobs do, readStoredSpec), and so does the shared `secrets`, so that a stored
 * workflow compares equal to the same body posted again.
 */
export function readStoredDefinition(stored: unknown): WorkflowDefinition {
  const definition = stored as WorkflowDefinition;
  return {
    ...definition,
    shared: { ...definition.shared, secrets: definition.shared.secrets ?? [] },
    steps: definition.steps.map((step) => ({ ...step, spec: readStoredSpec(step.spec) })),
  };
}

/** A step as the job request it runs: the workflow's shared fields and defaults, then the step's own. */
function stepAsJob(request: WorkflowRequest, step: StepRequest): JobRequest {
  const { steps: _steps, max_parallel: _maxParallel, params: _params, ...sharedFields } = request;
  const {
    name: _name,
    depends_on: _dependsOn,
    run_if: _runIf,
    for_each: _forEach,
    max_failures: _maxFailures,
    ...own
  } = step;
  const merged: JobRequest = { ...sharedFields, ...own, env: { ...sharedFields.env, ...own.env } };
  // The workflow's notify_url is told of its workflow runs, not of each step's run.
  delete merged.notify_url;
  // Tags add up: the workflow's apply to every step, a step's own to that step too.
  if (sharedFields.requires !== undefined || own.requires !== undefined)
    merged.requires = [...(sharedFields.requires ?? []), ...(own.requires ?? [])];
  // Secrets add up too: the workflow's reach every step, a step's own that step only.
  if (sharedFields.secrets !== undefined || own.secrets !== undefined)
    merged.secrets = [...(sharedFields.secrets ?? []), ...(own.secrets ?? [])];
  if (own.image !== undefined) {
    // A prebuilt image runs as it is: the workflow's packages and base image are for commands.
    delete merged.linux_dependencies;
    delete merged.base_image;
  }
  return merged;
}

/** A for_each placeholder's items: a step's result, or a list param's value (read when it is found). */
function forEachOf(found: readonly Placeholder[]): ForEach {
  const at = found.find((p) => p.path?.endsWith('/for_each'));
  if (at?.kind === 'param') return { kind: 'param', param: at.param };
  if (at?.kind === 'step') return { kind: 'dynamic', step: at.step };
  return { kind: 'dynamic', step: (found.find((p) => p.kind === 'step') as { step: string }).step };
}

/** The plan a dry run answers: the steps in order, with their dependencies. */
export function planOf(definition: WorkflowDefinition): Plan {
  return {
    steps: definition.steps.map((s) => ({
      name: s.name,
      dependsOn: s.dependsOn,
      runIf: s.runIf,
      forEach: s.forEach.kind,
      ...(s.forEach.kind === 'static' ? { items: s.forEach.items.length } : {}),
    })),
    order: definition.order,
  };
}
