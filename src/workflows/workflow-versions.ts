import { isDeepStrictEqual } from 'node:util';
import type { SqlExecutor } from '../../services/db/database.js';
import type { VersionPageRequest } from '../versions/version-page.js';
import { readStoredDefinition, type WorkflowDefinition } from './workflow-definition.js';

/**
 * A workflow's definitions over time: `workflows.definition` is the current one (its `version`),
 * `workflow_versions` keeps every one it replaced, and each workflow run names the version it
 * started with (`workflow_runs.workflow_version`), so a run under way keeps its definition.
 */

/**
 * The definition a workflow run started with, as an SQL expression over a `workflow_runs` row
 * (alias `run`): the version an update has since replaced, else the workflow's current one.
 */
export function runDefinitionSql(run = 'r'): string {
  return `COALESCE(
    (SELECT v.definition FROM workflow_versions v
     WHERE v.workflow_id = ${run}.workflow_id AND v.version = ${run}.workflow_version),
    (SELECT w.definition FROM workflows w WHERE w.id = ${run}.workflow_id))`;
}

/**
 * Replaces a workflow's definition, keeping the one it replaces in workflow_versions, in one
 * statement. A definition equal to the stored one changes nothing (no new version). Returns the
 * workflow's row, updated or not.
 */
export async function updateWorkflowDefinition(
  db: SqlExecutor,
  id: string,
  definition: WorkflowDefinition,
): Promise<Record<string, unknown> | undefined> {
  const rows = await db.query(
    `WITH previous AS (
       SELECT id, version, definition FROM workflows
       WHERE id = $1::uuid AND deleted_at IS NULL AND definition IS DISTINCT FROM $2::jsonb
       FOR NO KEY UPDATE -- as updateJobSpec locks a job: a fire may queue a run of it meanwhile
     ), kept AS (
       INSERT INTO workflow_versions (workflow_id, version, definition) SELECT id, version, definition FROM previous
     )
     UPDATE workflows SET definition = $2::jsonb, cron = $3, timezone = $4, version = workflows.version + 1,
                          updated_at = now()
     FROM previous WHERE workflows.id = previous.id
     RETURNING workflows.*`,
    [
      id,
      JSON.stringify(definition),
      definition.shared.cron,
      definition.shared.cron ? definition.shared.timezone : null,
    ],
  );
  if (rows[0]) return rows[0];
  const [row] = await db.query('SELECT * FROM workflows WHERE id = $1::uuid AND deleted_at IS NULL', [id]);
  return row;
}

export interface WorkflowVersion {
  version: number;
  definition: WorkflowDefinition;
  current: boolean;
  /** When a later definition replaced it; null for the current one. */
  replacedAt: Date | null;
}

/**
 * A page of the definitions a workflow has had, newest first: the current one, then those it
 * replaced; one more than `limit` when there are more (see versionPageOf).
 */
export async function listWorkflowVersions(
  db: SqlExecutor,
  id: string,
  page: VersionPageRequest,
): Promise<WorkflowVersion[]> {
  const rows = await db.query(
    `SELECT * FROM (
       SELECT version, definition, true AS current, NULL::timestamptz AS replaced_at
       FROM workflows WHERE id = $1::uuid AND deleted_at IS NULL
       UNION ALL
       SELECT v.version, v.definition, false, v.replaced_at FROM workflow_versions v
       JOIN workflows w ON w.id = v.workflow_id AND w.deleted_at IS NULL
       WHERE v.workflow_id = $1::uuid
     ) v
     WHERE $2::int IS NULL OR version < $2::int
     ORDER BY version DESC
     LIMIT $3::int`,
    [id, page.before ?? null, page.limit + 1],
  );
  return rows.map((row) => ({
    version: Number(row.version),
    definition: readStoredDefinition(row.definition),
    current: row.current === true,
    replacedAt: (row.replaced_at as Date | null) ?? null,
  }));
}

/**
 * The steps of `after` whose definition is not the one they had in `before` (or that `before` did
 * not have): a retry under a newer definition runs them again rather than reuse their results.
 */
export function changedSteps(before: WorkflowDefinition, after: WorkflowDefinition): string[] {
  const earlier = new Map(before.steps.map((s) => [s.name, s]));
  return after.steps.filter((s) => !isDeepStrictEqual(earlier.get(s.name), s)).map((s) => s.name);
}
