import { v7 as uuidv7 } from 'uuid';
import type { SqlExecutor } from '../../services/db/database.js';
import { isUuid } from '../ids.js';
import { pageKeySql, pageOf, type PageCursor } from '../jobs/page-cursor.js';
import { readStoredDefinition, type WorkflowDefinition } from './workflow-definition.js';

/** The workflow definitions' statements (the `workflows` table), as job-repository.ts has the jobs'. */

export interface Workflow {
  id: string;
  userId: string;
  uniqueId: string;
  definition: WorkflowDefinition;
  /** Counts the definitions the workflow has had (PUT /workflows/:id adds one). */
  version: number;
  createdAt: Date;
  /** Set once deleted: no more runs; it and its runs stay readable. */
  deletedAt: Date | null;
}

type Row = Record<string, unknown>;

export function toWorkflow(row: Row): Workflow {
  return {
    id: row.id as string,
    userId: row.user_id as string,
    uniqueId: row.unique_id as string,
    definition: readStoredDefinition(row.definition),
    version: Number(row.version ?? 1),
    createdAt: row.created_at as Date,
    deletedAt: (row.deleted_at as Date | null) ?? null,
  };
}

/** A stored workflow, deleted or not; undefined for an id that is not one. */
export async function getWorkflow(db: SqlExecutor, id: string): Promise<Workflow | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.query('SELECT * FROM workflows WHERE id = $1::uuid', [id]);
  return row ? toWorkflow(row) : undefined;
}

export async function findWorkflowByKey(
  db: SqlExecutor,
  userId: string,
  uniqueId: string,
): Promise<Workflow | undefined> {
  const [row] = await db.query('SELECT * FROM workflows WHERE user_id = $1 AND unique_id = $2', [
    userId,
    uniqueId,
  ]);
  return row ? toWorkflow(row) : undefined;
}

/** Inserts the workflow unless (userId, uniqueId) is stored; undefined when it is. */
export async function insertWorkflowIfAbsent(
  tx: SqlExecutor,
  definition: WorkflowDefinition,
): Promise<Workflow | undefined> {
  const [inserted] = await tx.query(
    `INSERT INTO workflows (id, user_id, unique_id, definition, cron, timezone)
     VALUES ($1::uuid, $2, $3, $4::jsonb, $5, $6)
     ON CONFLICT (user_id, unique_id) DO NOTHING RETURNING *`,
    [
      uuidv7(),
      definition.shared.userId,
      definition.shared.uniqueId,
      JSON.stringify(definition),
      definition.shared.cron,
      definition.shared.timezone,
    ],
  );
  return inserted ? toWorkflow(inserted) : undefined;
}

export async function markWorkflowDeleted(tx: SqlExecutor, id: string): Promise<Workflow> {
  const [row] = await tx.query(
    'UPDATE workflows SET deleted_at = now(), updated_at = now() WHERE id = $1::uuid RETURNING *',
    [id],
  );
  return toWorkflow(row!);
}

/** A page of a user's workflows (not deleted), newest first, after `after`. */
export async function listWorkflowsOfUser(
  db: SqlExecutor,
  userId: string,
  limit: number,
  after: PageCursor | undefined,
): Promise<{ workflows: Workflow[]; nextCursor: string | null }> {
  const rows = await db.query(
    `SELECT *, ${pageKeySql('created_at')} AS page_key FROM workflows
     WHERE user_id = $1 AND deleted_at IS NULL
       AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
     ORDER BY created_at DESC, id DESC LIMIT $4`,
    [userId, after?.at ?? null, after?.id ?? null, limit + 1],
  );
  const page = pageOf(rows, limit, toWorkflow);
  return { workflows: page.items, nextCursor: page.nextCursor };
}

/** The ids of a workflow's latest workflow runs, newest first. */
export async function latestWorkflowRunIds(
  db: SqlExecutor,
  workflowId: string,
  limit: number,
): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    'SELECT id FROM workflow_runs WHERE workflow_id = $1::uuid ORDER BY queued_at DESC, id DESC LIMIT $2::int',
    [workflowId, limit],
  );
  return rows.map((r) => r.id);
}

/** The ids of a workflow's queued workflow runs, oldest first. */
export async function queuedWorkflowRunIds(tx: SqlExecutor, workflowId: string): Promise<string[]> {
  const rows = await tx.query<{ id: string }>(
    `SELECT id FROM workflow_runs WHERE workflow_id = $1::uuid AND state = 'queued' ORDER BY queued_at, id`,
    [workflowId],
  );
  return rows.map((r) => r.id);
}
