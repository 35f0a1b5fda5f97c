import type { Logger } from 'pino';
import type { ObjectStore } from '../../services/aws/object-store.js';
import type { SqlExecutor } from '../../services/db/database.js';
import { TERMINAL_STATES, sqlStates } from './run-states.js';

/** How long results are kept, and how many runs' folders one pass deletes. */
export interface ResultsExpirySettings {
  /** TDS_RESULTS_RETENTION_DAYS: the period of a run whose job or workflow gives none (0: for ever). */
  defaultDays: number;
  /** TDS_RETENTION_DAYS: a run's row goes after this (0: never); its results never outlive it. */
  historyDays: number;
  /** TDS_RESULTS_EXPIRY_BATCH: the most runs' folders one pass deletes. */
  batch: number;
}

/**
 * A run's results period in days, as SQL over the runs row `r`: its spec's
 * `results_retention_days`, else the default (`$2`); capped by the history's period (`$3`) when
 * both are not 0, so that a folder goes no later than the row that records it. 0: kept for ever.
 */
const PERIOD = `(SELECT CASE WHEN own = 0 OR $3::int = 0 THEN own ELSE LEAST(own, $3::int) END
                 FROM (SELECT COALESCE((r.spec ->> 'results_retention_days')::int, $2::int) AS own) p)`;

/**
 * Runs that ended (TERMINAL_STATES) more than their results period ago and whose folder is still
 * there, oldest first, at most `$1`. Every run in this table is this installation's: its folder
 * is the one it recorded when it was queued, in the bucket it recorded.
 */
const DUE = `SELECT r.id, r.results_bucket, r.results_prefix FROM runs r
             WHERE r.state IN ${sqlStates(TERMINAL_STATES)} AND r.results_expired_at IS NULL
               AND r.finished_at IS NOT NULL
               AND ${PERIOD} > 0 AND r.finished_at < now() - make_interval(days => ${PERIOD})
             ORDER BY r.finished_at, r.id
             LIMIT $1::int`;

/**
 * Other runs' folders inside this one (a workflow step's retry attempts, `<step>/attempt-2/`,
 * lie in its first attempt's folder): their keys are theirs, and stay.
 */
const NESTED = `SELECT results_prefix FROM runs
                WHERE results_bucket = $1 AND id <> $3::uuid
                  AND length(results_prefix) > length($2)
                  AND left(results_prefix, length($2)) = $2`;

/**
 * Deletes the results folders of up to `batch` runs past their results period (see PERIOD), and
 * records when on each (`results_expired_at`); the rows stay until history retention prunes them.
 * Only keys under the run's own recorded prefix, in its recorded bucket, are deleted, never those
 * of another run's folder nested in it; a run with no prefix of its own (an empty one would be the
 * whole bucket) is recorded expired and nothing is deleted. A folder the store refuses to delete
 * is logged and tried again next pass. Returns how many runs' folders went.
 */
export async function expireResults(
  db: SqlExecutor,
  store: ObjectStore,
  logger: Logger,
  settings: ResultsExpirySettings,
): Promise<number> {
  const due = await db.query<{ id: string; results_bucket: string; results_prefix: string }>(DUE, [
    settings.batch,
    settings.defaultDays,
    settings.historyDays,
  ]);
  let expired = 0;
  for (const run of due) {
    const { id, results_bucket: bucket, results_prefix: prefix } = run;
    if (prefix !== '') {
      try {
        const nested = await db.query<{ results_prefix: string }>(NESTED, [bucket, prefix, id]);
        const keep = nested.map((n) => n.results_prefix);
        const deleted = await store.deletePrefix(bucket, prefix, keep);
        logger.info({ runId: id, bucket, prefix, objects: deleted }, "deleted a run's expired results");
      } catch (error) {
        logger.warn({ err: error, runId: id, bucket, prefix }, "could not delete a run's expired results");
        continue;
      }
    }
    await db.query('UPDATE runs SET results_expired_at = now() WHERE id = $1::uuid', [id]);
    expired += 1;
  }
  return expired;
}
