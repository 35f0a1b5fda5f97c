import type { QueueRoom } from '../runs/queue-room.js';
import { isDeepStrictEqual } from 'node:util';
import type { Database } from '../../services/db/database.js';
import type { AuditEntry, AuditTrail } from '../audit/audit-trail.js';
import type { BucketCheck } from '../definitions/bucket-check.js';
import {
  anyone,
  stepResultProblems,
  workflowDefinition,
  type Authorise,
} from '../definitions/definition-rules.js';
import { dryRunDefinition, replaceDefinition, submitDefinition } from '../definitions/definition-store.js';
import { syncSchedule } from '../definitions/schedule-sync.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { isUuid } from '../ids.js';
import type { JobDefaults } from '../jobs/job-spec.js';
import { definitionPageAfter } from '../jobs/page-cursor.js';
import type { Signals } from '../signals.js';
import { keyProblems, type FollowChange } from '../versions/new-version.js';
import { versionPageOf, type VersionPageRequest } from '../versions/version-page.js';
import type { StepResultLimits } from './advance.js';
import {
  InvalidDefinitionError,
  parseWorkflowRequest,
  planOf,
  type Plan,
  type WorkflowDefinition,
} from './workflow-definition.js';
import {
  findWorkflowByKey,
  getWorkflow,
  insertWorkflowIfAbsent,
  latestWorkflowRunIds,
  listWorkflowsOfUser,
  toWorkflow,
  type Workflow,
} from './workflow-repository.js';
import { listWorkflowVersions, updateWorkflowDefinition } from './workflow-versions.js';
import { startWorkflowRun } from './workflow-start.js';
import { requiredParams } from '../definitions/params.js';

/**
 * Workflows: the workflow shape of the one definition model (src/definitions): validation, dry
 * run, submit, update (versions), reading and listing, with the rules jobs have.
 */

export interface WorkflowDefinitionsDeps {
  db: Database;
  defaults: JobDefaults;
  /** Whether a definition's bucket can serve it (shared with jobs). */
  buckets: BucketCheck;
  /** Whether a user may queue one more run (shared with jobs). */
  queue: QueueRoom;
  /** The bound of a step's result carried inline (TDS_MAX_RESULT_BYTES). */
  limits: StepResultLimits;
  signals: Pick<Signals, 'runQueued' | 'scheduleChanged'>;
  /** Workflows created and updated, and workflow runs cancelled or retried, recorded in their transaction. */
  audit: Pick<AuditTrail, 'record'>;
}

/** The audit record of a workflow created or updated. */
function workflowEntry(
  action: 'workflow.created' | 'workflow.updated',
  workflow: Workflow,
  summary: Record<string, unknown>,
): AuditEntry {
  return {
    action,
    target: { kind: 'workflow', id: workflow.id },
    ownerId: workflow.userId,
    summary: { uniqueId: workflow.uniqueId, ...summary },
  };
}

export interface SubmittedWorkflow {
  workflow: Workflow;
  workflowRunId: string | null;
  created: boolean;
}

/** The definition as stored (and as read back): plain JSON. */
const asStored = (definition: WorkflowDefinition) =>
  JSON.parse(JSON.stringify(definition)) as WorkflowDefinition;

/** A workflow request's definition: its shape, then the definition rules of its steps (400 either way). */
function parseWorkflow(body: unknown, defaults: JobDefaults): WorkflowDefinition {
  const definition = parseWorkflowRequest(body, defaults);
  const problems = stepResultProblems(definition);
  if (problems.length > 0) throw new InvalidDefinitionError(problems);
  return definition;
}

/** Validates a workflow's shape and answers its plan (the checks that need a caller: dryRunWorkflow). */
export function validateWorkflow(
  deps: Pick<WorkflowDefinitionsDeps, 'defaults'>,
  body: unknown,
): { definition: WorkflowDefinition; plan: Plan } {
  const definition = parseWorkflow(body, deps.defaults);
  return { definition, plan: planOf(definition) };
}

/** Validates a workflow as submit does (who may store it, its bucket), storing nothing. */
export async function dryRunWorkflow(
  deps: WorkflowDefinitionsDeps,
  body: unknown,
  authorise: Authorise = anyone,
): Promise<{ definition: WorkflowDefinition; plan: Plan }> {
  const validated = validateWorkflow(deps, body);
  await dryRunDefinition(deps.buckets, workflowDefinition(validated.definition), authorise);
  return validated;
}

/** The answer to a repeated post: the stored workflow and its latest run, or 409 when it differs or was deleted. */
async function answerStoredWorkflow(
  db: Database,
  definition: WorkflowDefinition,
  workflow: Workflow,
): Promise<SubmittedWorkflow> {
  if (workflow.deletedAt) {
    throw new ConflictError(
      `uniqueId "${workflow.uniqueId}" belonged to workflow ${workflow.id}, deleted at ${workflow.deletedAt.toISOString()}; use a new uniqueId`,
    );
  }
  if (!isDeepStrictEqual(workflow.definition, definition)) {
    throw new ConflictError(
      `uniqueId "${workflow.uniqueId}" is already used by workflow ${workflow.id} of user "${workflow.userId}" with a different definition; use a new uniqueId for a new workflow`,
    );
  }
  const [latest] = await latestWorkflowRunIds(db, workflow.id, 1);
  return { workflow, workflowRunId: latest ?? null, created: false };
}

/**
 * Stores a new workflow with its schedule (a recurring one) or its first workflow run (one that
 * runs now; none when a param has no default: a trigger gives it), in one transaction; `stored` when (userId, uniqueId) was stored meanwhile.
 */
async function storeNewWorkflow(
  deps: WorkflowDefinitionsDeps,
  definition: WorkflowDefinition,
): Promise<{ answer: SubmittedWorkflow & { queued: number } } | { stored: Workflow }> {
  const inserted = await deps.db.transaction(async (tx) => {
    const workflow = await insertWorkflowIfAbsent(tx, definition);
    if (!workflow) return undefined;
    // A recurring workflow's runs come from its schedule; another one's first run starts now.
    if (definition.shared.cron !== null) {
      await syncSchedule(tx, { workflowId: workflow.id }, workflow.definition.shared);
      await deps.audit.record(
        tx,
        workflowEntry('workflow.created', workflow, { cron: definition.shared.cron }),
      );
      return { workflow, workflowRunId: null, created: true, queued: 0 };
    }
    // Params without a default have no value until a trigger gives them one: nothing starts now.
    const waitsFor = requiredParams(definition.params);
    if (waitsFor.length > 0) {
      await deps.audit.record(tx, workflowEntry('workflow.created', workflow, { waitsForParams: waitsFor }));
      return { workflow, workflowRunId: null, created: true, queued: 0 };
    }
    const run = await startWorkflowRun(tx, workflow, { trigger: 'submit' }, deps.limits);
    await deps.audit.record(tx, workflowEntry('workflow.created', workflow, { workflowRunId: run.id }));
    return { workflow, workflowRunId: run.id, created: true, queued: run.queued };
  });
  if (inserted) return { answer: inserted };
  const { shared } = definition;
  return { stored: (await findWorkflowByKey(deps.db, shared.userId, shared.uniqueId))! };
}

/**
 * Stores the workflow and starts its first run; the same userId + uniqueId and definition again
 * returns the stored one, a different definition is refused.
 */
export async function submitWorkflow(
  deps: WorkflowDefinitionsDeps,
  body: unknown,
  authorise: Authorise = anyone,
): Promise<SubmittedWorkflow> {
  const definition = asStored(parseWorkflow(body, deps.defaults));
  const { shared } = definition;
  const result = await submitDefinition<Workflow, SubmittedWorkflow & { queued?: number }>({
    definition: workflowDefinition(definition),
    authorise,
    buckets: deps.buckets,
    queue: deps.queue,
    findStored: () => findWorkflowByKey(deps.db, shared.userId, shared.uniqueId),
    answerStored: (workflow) => answerStoredWorkflow(deps.db, definition, workflow),
    store: () => storeNewWorkflow(deps, definition),
  });
  if ((result.queued ?? 0) > 0) deps.signals.runQueued.notify();
  if (result.created && shared.cron !== null) deps.signals.scheduleChanged.notify();
  return { workflow: result.workflow, workflowRunId: result.workflowRunId, created: result.created };
}

/** A stored workflow: 404 when unknown; a deleted one only `withDeleted` (else 409: it stays readable). */
export async function loadWorkflow(db: Database, id: string, withDeleted = false): Promise<Workflow> {
  const workflow = await getWorkflow(db, id);
  if (!workflow) throw new NotFoundError('workflow', id);
  if (workflow.deletedAt && !withDeleted) {
    throw new ConflictError(`workflow ${id} was deleted at ${workflow.deletedAt.toISOString()}`);
  }
  return workflow;
}

/** The definition of a workflow update, every problem (its key's among them) listed at once. */
function parseUpdate(deps: WorkflowDefinitionsDeps, workflow: Workflow, body: unknown): WorkflowDefinition {
  const moved = keyProblems('workflow', workflow, (body ?? {}) as Record<string, unknown>);
  let definition: WorkflowDefinition;
  try {
    definition = parseWorkflow(body, deps.defaults);
  } catch (error) {
    if (!(error instanceof InvalidDefinitionError) || moved.length === 0) throw error;
    const others = error.problems.filter((p) => !moved.some((k) => k.path === p.path));
    throw new InvalidDefinitionError([...moved, ...others]);
  }
  if (moved.length > 0) throw new InvalidDefinitionError(moved);
  return asStored(definition);
}

/**
 * Replaces a stored workflow's definition with a whole new one (same userId and uniqueId): a new
 * version, the earlier kept; a recurring one's schedule follows it (next fire times recomputed, a
 * pause kept). Workflow runs under way keep the definition they started with; no run is started.
 * An unchanged definition changes nothing.
 */
export async function replaceWorkflow<F = undefined>(
  deps: WorkflowDefinitionsDeps,
  id: string,
  body: unknown,
  authorise: Authorise = anyone,
  /** What else follows a changed definition, in its transaction. */
  follow?: FollowChange<WorkflowDefinition, F>,
): Promise<{ workflow: Workflow; changed: boolean; followed?: F }> {
  const workflow = await loadWorkflow(deps.db, id);
  const definition = parseUpdate(deps, workflow, body);
  const { item, changed, followed } = await replaceDefinition({
    db: deps.db,
    buckets: deps.buckets,
    authorise,
    current: workflow,
    before: workflow.definition,
    after: definition,
    definition: workflowDefinition(definition),
    save: async (tx) => {
      const row = await updateWorkflowDefinition(tx, id, definition);
      if (!row) throw new NotFoundError('workflow', id);
      const saved = toWorkflow(row);
      // A recurring workflow's next fire times follow its new cron, timezone and policies.
      await syncSchedule(tx, { workflowId: id }, saved.definition.shared);
      await deps.audit.record(tx, workflowEntry('workflow.updated', saved, { version: saved.version }));
      return saved;
    },
    follow,
    stored: () => deps.signals.scheduleChanged.notify(),
  });
  return { workflow: item, changed, followed };
}

/** A page of the definitions the workflow has had, newest first. */
export async function workflowVersions(deps: WorkflowDefinitionsDeps, id: string, page: VersionPageRequest) {
  if (!isUuid(id)) throw new NotFoundError('workflow', id);
  const rows = await listWorkflowVersions(deps.db, id, page);
  // Past the last page a workflow still has versions: only one that is not there answers 404.
  const newest = () => listWorkflowVersions(deps.db, id, { before: undefined, limit: 0 });
  if (rows.length === 0 && (page.before === undefined || (await newest()).length === 0)) {
    throw new NotFoundError('workflow', id);
  }
  return versionPageOf(rows, page.limit);
}

/** A page of a user's workflows, newest first. */
export async function listWorkflows(
  deps: Pick<WorkflowDefinitionsDeps, 'db'>,
  userId: string,
  limit: number,
  cursor: string | undefined,
) {
  return listWorkflowsOfUser(deps.db, userId, limit, definitionPageAfter(cursor));
}
