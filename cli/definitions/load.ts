import path from 'node:path';
import { pointerOf, type FileProblem, type Locate } from './problems.ts';
import { readSourceFile } from './source-files.ts';
import type { SourceDocument } from './yaml-text.ts';
import { SERVICE_FILLED, substituteAll } from './substitutions.ts';
import { isTaskList } from './task-list.ts';
import { tasksToWorkflow } from './tasks-file.ts';
import { graphStandIn } from './graph-stand-in.ts';
import { expandUses, readTemplate, type PointedProblem, type Template } from './templates.ts';

export type DefinitionKind = 'job' | 'workflow';

/** A job or workflow as the API takes it, with where it came from. */
export interface Definition {
  kind: DefinitionKind;
  userId: string;
  uniqueId: string;
  body: Record<string, unknown>;
  file: string;
  locate: Locate;
  /** Where the body's fields are in the document (a task list's steps are its tasks). */
  mapPointer: (pointer: string) => string;
  /**
   * What the service's dry run checks: the body, with each workflow step whose template could not
   * be expanded replaced by its place in the graph (graphStandIn), so that the workflow's graph is
   * still checked, and nothing the template would have given is reported.
   */
  checkBody: Record<string, unknown>;
}

export interface LoadOptions {
  /** Built-in values and those of --env. */
  values: Record<string, string>;
  /** Fills in a userId a definition lacks. */
  userId?: string;
  /** `--set key=value`, applied over every definition. */
  set?: Record<string, unknown>;
  readStdin?: () => Promise<string>;
}

export interface Loaded {
  definitions: Definition[];
  templates: Map<string, Template>;
  problems: FileProblem[];
}

function at(
  doc: SourceDocument,
  problem: PointedProblem,
  map: (p: string) => string = (p) => p,
): FileProblem {
  const { line, column } = doc.locate(map(problem.path));
  return { file: doc.file, line, column, message: problem.message };
}

/** `a.b.0.c=value`: the value parsed as JSON when it is JSON (numbers, true, lists), else text. */
export function parseSet(assignments: string[]): { values: Record<string, unknown>; problems: string[] } {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const assignment of assignments) {
    const equals = assignment.indexOf('=');
    if (equals <= 0) {
      problems.push(`--set ${assignment}: use --set key=value`);
      continue;
    }
    const raw = assignment.slice(equals + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    values[assignment.slice(0, equals)] = value;
  }
  return { values, problems };
}

function applySet(body: Record<string, unknown>, set: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(set)) {
    const parts = key.split('.');
    let target: Record<string, unknown> = body;
    for (const part of parts.slice(0, -1)) {
      if (target[part] === null || typeof target[part] !== 'object') target[part] = {};
      target = target[part] as Record<string, unknown>;
    }
    target[parts.at(-1)!] = value;
  }
}

/**
 * Reads definition files: templates first (from every file given), then every job and workflow,
 * substitutions made and templates expanded. Every problem found is returned with its place.
 */
export async function loadDefinitions(files: string[], options: LoadOptions): Promise<Loaded> {
  const problems: FileProblem[] = [];
  const documents: SourceDocument[] = [];
  for (const file of files) {
    // HOCON resolves `${TODAY}` outside quotes itself: given back as written, for the service to fill in.
    const read = await readSourceFile(file, { ...SERVICE_FILLED, ...options.values }, options.readStdin);
    problems.push(...read.problems);
    documents.push(...read.documents);
  }

  // Values a file defines: `kind: vars` documents for the whole file, `vars` for one definition.
  const fileValues = new Map<string, Record<string, string>>();
  const kindOf = (value: unknown) =>
    value !== null && typeof value === 'object' ? (value as { kind?: unknown }).kind : undefined;
  for (const doc of documents) {
    if (kindOf(doc.value) !== 'vars') continue;
    const { kind: _kind, ...vars } = doc.value as Record<string, unknown>;
    fileValues.set(doc.file, { ...fileValues.get(doc.file), ...stringValues(vars) });
  }

  const templates = new Map<string, Template>();
  for (const doc of documents) {
    if (kindOf(doc.value) !== 'template') continue;
    const value = substituteAll(doc.value, { ...options.values, ...fileValues.get(doc.file) });
    const read = readTemplate(value as Record<string, unknown>, doc.file);
    problems.push(...read.problems.map((p) => at(doc, p)));
    if (!read.template) continue;
    const earlier = templates.get(read.template.name);
    if (earlier) {
      problems.push(
        at(doc, {
          path: '/name',
          message: `template "${read.template.name}" is also defined in ${earlier.file}`,
        }),
      );
    }
    templates.set(read.template.name, read.template);
  }

  const definitions: Definition[] = [];
  for (const doc of documents) {
    const raw = doc.value;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push(
        at(doc, { path: '', message: 'a definition must be a map with kind: job, workflow or template' }),
      );
      continue;
    }
    const kind = kindOf(raw);
    if (kind === 'template' || kind === 'vars') continue;
    const { vars, ...withoutVars } = raw as Record<string, unknown>;
    const values = { ...options.values, ...fileValues.get(doc.file), ...stringValues(vars ?? {}) };
    let value = substituteAll(withoutVars, values) as Record<string, unknown>;
    let mapPointer = (p: string) => p;
    let definitionKind: DefinitionKind;
    /** The workflow's steps whose template could not be expanded. */
    const unexpanded = new Set<number>();
    /** Tasks refused for their shape: not expanded, only their place in the graph checked. */
    let refused = new Set<number>();
    if (isTaskList(value)) {
      const converted = tasksToWorkflow(value as { tasks: unknown[] });
      problems.push(...converted.problems.map((p) => at(doc, p)));
      value = converted.body;
      definitionKind = 'workflow';
      mapPointer = converted.mapPointer;
      refused = converted.standIns;
    } else if (kind === 'job' || kind === 'workflow') {
      definitionKind = kind;
      delete value.kind;
    } else {
      problems.push(
        at(doc, {
          path: kind === undefined ? '' : '/kind',
          message:
            kind === undefined
              ? 'say what this is with kind: job, workflow or template (or give a task list: {"tasks": [...]})'
              : `kind ${JSON.stringify(kind)} is not one of job, workflow, template`,
        }),
      );
      continue;
    }
    if (definitionKind === 'job') {
      const expanded = expandUses(value, '', templates);
      problems.push(...expanded.problems.map((p) => at(doc, p)));
      value = expanded.value;
    } else if (Array.isArray(value.steps)) {
      value.steps = value.steps.map((step: unknown, index: number) => {
        if (step === null || typeof step !== 'object') return step;
        if (refused.has(index)) {
          unexpanded.add(index);
          return step;
        }
        const expanded = expandUses(step as Record<string, unknown>, pointerOf(['steps', index]), templates);
        problems.push(...expanded.problems.map((p) => at(doc, p, mapPointer)));
        if (expanded.problems.length > 0) unexpanded.add(index);
        return expanded.value;
      });
    }
    if (options.set) applySet(value, options.set);
    if (value.userId === undefined && options.userId) value.userId = options.userId;
    if (value.uniqueId === undefined && isTaskList(raw)) {
      value.uniqueId =
        path.basename(doc.file, path.extname(doc.file)).replace(/[^A-Za-z0-9._@-]/g, '-') || 'tasks';
    }
    definitions.push({
      kind: definitionKind,
      userId: String(value.userId ?? ''),
      uniqueId: String(value.uniqueId ?? ''),
      body: value,
      file: doc.file,
      locate: doc.locate,
      mapPointer,
      checkBody:
        unexpanded.size === 0
          ? value
          : {
              ...value,
              steps: (value.steps as unknown[]).map((step, index) =>
                unexpanded.has(index) ? graphStandIn(step as Record<string, unknown>, value) : step,
              ),
            },
    });
  }
  return { definitions, templates, problems };
}

function stringValues(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object') return {};
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      k,
      typeof v === 'string' ? v : JSON.stringify(v),
    ]),
  );
}

/** A problem the service found (a JSON Pointer into the body sent) at its place in the file. */
export function problemInFile(definition: Definition, problem: PointedProblem): FileProblem {
  const { line, column } = definition.locate(definition.mapPointer(problem.path));
  return { file: definition.file, line, column, message: problem.message };
}
