import type { SqlExecutor } from '../../services/db/database.js';
import { ValidationError } from '../errors.js';
import { isUuid } from '../ids.js';
import { decodePageCursor, pageKeySql, pageOf } from '../jobs/page-cursor.js';
import { ITEM_STATES, readStepItems, type ItemState, type StepItem } from './step-items.js';
import { toWorkflowRunHeader, type RunShared, type WorkflowRunHeader } from './workflow-run-header.js';
import { parseStateList } from '../runs/run-listing.js';
import { WORKFLOW_RUN_STATES, type WorkflowRunState } from './workflow-states.js';
import { runDefinitionSql } from './workflow-versions.js';

/**
 * Pages of workflow runs (newest first, keyset pagination as run listings have) and of a fan-out
 * step's items (in index order). A listed workflow run is a summary: GET /workflow-runs/:id has
 * its steps in full.
 */

export interface WorkflowRunSummary extends WorkflowRunHeader {
  /** How many of its steps are in each state. */
  stepCounts: Record<string, number>;
}

export interface WorkflowRunFilter {
  userId?: string;
  workflowId?: string;
  states?: readonly WorkflowRunState[];
}

function badCursor(): ValidationError {
  return new ValidationError(
    'cursor is not one this service returned; pass nextCursor from the previous page, with the same filters',
  );
}

/** The states named by a `state` parameter (comma-separated); undefined when none is given. */
export function parseWorkflowRunStates(value: string | undefined): WorkflowRunState[] | undefined {
  return parseStateList(value, WORKFLOW_RUN_STATES, 'a workflow run state');
}

/** The item states named by a `state` parameter (comma-separated); undefined when none is given. */
export function parseItemStates(value: string | undefined): ItemState[] | undefined {
  return parseStateList(value, ITEM_STATES, 'an item state');
}

function toSummary(row: Record<string, unknown>): WorkflowRunSummary {
  const counts = typeof row.step_counts === 'string' ? JSON.parse(row.step_counts) : row.step_counts;
  return {
    ...toWorkflowRunHeader(row, row.shared as RunShared),
    stepCounts: (counts as Record<string, number> | null) ?? {},
  };
}

/** One page of workflow runs, newest first by queue time (then id), after `cursor`. */
export async function pageWorkflowRuns(
  db: SqlExecutor,
  filter: WorkflowRunFilter,
  limit: number,
  cursor: string | undefined,
): Promise<{ workflowRuns: WorkflowRunSummary[]; nextCursor: string | null }> {
  const after = cursor === undefined ? undefined : decodePageCursor(cursor);
  if (cursor !== undefined && !after) throw badCursor();
  const params: unknown[] = [];
  const param = (value: unknown, cast: string) => `$${params.push(value)}::${cast}`;
  const where: string[] = [];
  if (filter.userId !== undefined) where.push(`r.user_id = ${param(filter.userId, 'text')}`);
  if (filter.workflowId !== undefined) where.push(`r.workflow_id = ${param(filter.workflowId, 'uuid')}`);
  if (filter.states) where.push(`r.state = ANY (${param(filter.states, 'text[]')})`);
  if (after) {
    const at = param(after.at, 'timestamptz');
    where.push(`r.queued_at <= ${at}`, `(r.queued_at, r.id) < (${at}, ${param(after.id, 'uuid')})`);
  }
  const rows = await db.query(
    `SELECT r.*, w.unique_id, ${runDefinitionSql('r')} -> 'shared' AS shared,
            (SELECT jsonb_object_agg(state, n) FROM (
               SELECT state, count(*)::int AS n FROM workflow_steps WHERE workflow_run_id = r.id GROUP BY state
             ) counted) AS step_counts,
            ${pageKeySql('r.queued_at')} AS page_key
     FROM workflow_runs r JOIN workflows w ON w.id = r.workflow_id
     ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY r.queued_at DESC, r.id DESC
     LIMIT ${param(limit + 1, 'int')}`,
    params,
  );
  const page = pageOf(rows, limit, toSummary);
  return { workflowRuns: page.items, nextCursor: page.nextCursor };
}

/** A page of a workflow's runs; undefined when there is no such workflow. */
export async function pageRunsOfWorkflow(
  db: SqlExecutor,
  workflowId: string,
  limit: number,
  cursor: string | undefined,
): Promise<{ workflowRuns: WorkflowRunSummary[]; nextCursor: string | null } | undefined> {
  if (!isUuid(workflowId)) return undefined;
  const [workflow] = await db.query('SELECT 1 FROM workflows WHERE id = $1::uuid AND deleted_at IS NULL', [
    workflowId,
  ]);
  if (!workflow) return undefined;
  return pageWorkflowRuns(db, { workflowId }, limit, cursor);
}

const ITEM_CURSOR = /^item:(\d{1,5})$/;

/**
 * A page of a fan-out step's items in index order, after `cursor`, only those in `states`.
 * Undefined when the workflow run has no such step; a ValidationError for a step without for_each.
 */
export async function pageStepItems(
  db: SqlExecutor,
  workflowRunId: string,
  step: string,
  options: { states?: readonly ItemState[]; limit: number; cursor?: string },
): Promise<{ items: StepItem[]; nextCursor: string | null } | undefined> {
  let afterIndex = -1;
  if (options.cursor !== undefined) {
    const match = ITEM_CURSOR.exec(Buffer.from(options.cursor, 'base64url').toString('utf8'));
    if (!match) throw badCursor();
    afterIndex = Number(match[1]);
  }
  const [found] = await db.query<{ for_each: string | null }>(
    `SELECT (SELECT d -> 'forEach' ->> 'kind' FROM jsonb_array_elements(${runDefinitionSql('r')} -> 'steps') d
             WHERE d ->> 'name' = s.name) AS for_each
     FROM workflow_steps s JOIN workflow_runs r ON r.id = s.workflow_run_id
     WHERE s.workflow_run_id = $1::uuid AND s.name = $2`,
    [workflowRunId, step],
  );
  if (!found) return undefined;
  if (found.for_each === 'none') {
    throw new ValidationError(
      `step "${step}" is not a fan-out step (it has no for_each), so it has no items: its run is the step's runId in GET /workflow-runs/${workflowRunId}`,
    );
  }
  const items =
    (await readStepItems(db, workflowRunId, step, {
      states: options.states,
      afterIndex,
      limit: options.limit + 1,
    })) ?? [];
  const page = items.slice(0, options.limit);
  const last = page[page.length - 1];
  return {
    items: page,
    nextCursor:
      items.length > options.limit && last ? Buffer.from(`item:${last.index}`).toString('base64url') : null,
  };
}
