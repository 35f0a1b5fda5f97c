import { quoteLiteral } from '../../services/db/sql-text.js';

/**
 * Where results go in the bucket. A layout is written once, as a list of parts, and rendered two
 * ways: as a path from a spec and ids (`path`), and as a SQL text expression over a jsonb spec and
 * text ids (`sql`), for the statements that queue runs in bulk. Both renderings of one layout
 * always name the same folder.
 *
 * Another kind of results folder (a workflow run's steps, say) is another layout here, built from
 * the same parts.
 */

/** The spec fields a layout may use (job-spec.ts normalises the destination to end with `/`, or to be empty). */
type SpecField = 'destination_s3_prefix' | 'uniqueId';

export type LayoutPart<Id extends string> = { spec: SpecField } | { id: Id } | { text: string };

export interface ResultsLayout<Id extends string> {
  /** The folder, from a spec and each id the layout names. */
  path(spec: Record<SpecField, string>, ids: Record<Id, string>): string;
  /** The folder as a SQL expression, from a jsonb expression for the spec and a text expression for each id. */
  sql(spec: string, ids: Record<Id, string>): string;
}

/** A layout from its parts, in order: spec fields, ids and fixed text. */
export function resultsLayout<Id extends string>(...parts: LayoutPart<Id>[]): ResultsLayout<Id> {
  return {
    path: (spec, ids) =>
      parts
        .map((part) => ('spec' in part ? spec[part.spec] : 'id' in part ? ids[part.id] : part.text))
        .join(''),
    sql: (spec, ids) =>
      parts
        .map((part) =>
          'spec' in part
            ? `(${spec} ->> ${quoteLiteral(part.spec)})`
            : 'id' in part
              ? ids[part.id]
              : quoteLiteral(part.text),
        )
        .join(' || '),
  };
}

/** A run's folder: `<destination prefix><uniqueId>/<runId>/`. */
export const RUN_RESULTS = resultsLayout<'runId'>(
  { spec: 'destination_s3_prefix' },
  { spec: 'uniqueId' },
  { text: '/' },
  { id: 'runId' },
  { text: '/' },
);

/** Where a run's results go: `<destination prefix><uniqueId>/<runId>/`. */
export function resultsPrefix(spec: Record<SpecField, string>, runId: string): string {
  return RUN_RESULTS.path(spec, { runId });
}

/** A workflow run's folder: `<destination prefix><uniqueId>/<workflowRunId>/` (its report is there). */
export const WORKFLOW_RUN_RESULTS = resultsLayout<'workflowRunId'>(
  { spec: 'destination_s3_prefix' },
  { spec: 'uniqueId' },
  { text: '/' },
  { id: 'workflowRunId' },
  { text: '/' },
);

/**
 * A workflow step's run folder: `<workflow run's folder><step>/`, `<step>/<index>/` for a fan-out
 * item, and `attempt-<n>/` under it for a retry attempt (n ≥ 2), so attempts never overwrite each other.
 */
export function stepResultsPrefix(
  spec: Record<SpecField, string>,
  ids: { workflowRunId: string; step: string; itemIndex: number | null; attempt: number },
): string {
  const step = `${WORKFLOW_RUN_RESULTS.path(spec, ids)}${ids.step}/`;
  const item = ids.itemIndex === null ? step : `${step}${ids.itemIndex}/`;
  return ids.attempt > 1 ? `${item}attempt-${ids.attempt}/` : item;
}

/** A fan-out step's manifest, in the step's folder: `<workflow run's folder><step>/items.jsonl`. */
export function stepManifestKey(
  spec: Record<SpecField, string>,
  ids: { workflowRunId: string; step: string },
): string {
  return `${stepResultsPrefix(spec, { ...ids, itemIndex: null, attempt: 1 })}items.jsonl`;
}
