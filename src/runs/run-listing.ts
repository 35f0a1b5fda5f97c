import type { SqlExecutor } from '../../services/db/database.js';
import { ValidationError } from '../errors.js';
import { isUuid } from '../ids.js';
import { decodePageCursor, pageKeySql, pageOf, type PageCursor } from '../jobs/page-cursor.js';
import { toRun, type Run } from './run-repository.js';
import { RUN_STATES, type RunState } from './run-states.js';

/** Which runs a listing holds, besides whose. */
export interface RunFilter {
  /** Only runs in one of these states. */
  states?: readonly RunState[];
  /** Only runs queued at or after this time (ISO 8601). */
  since?: string;
  /** Only runs queued before this time (ISO 8601). */
  until?: string;
}

export interface RunPage {
  runs: Run[];
  /** Pass it back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** The cursor a page of runs ended with; a ValidationError naming `cursor` for anything else. */
export function decodeRunCursor(cursor: string): PageCursor {
  const decoded = decodePageCursor(cursor);
  if (!decoded) {
    throw new ValidationError(
      'cursor is not one this service returned; pass nextCursor from the previous page, with the same filters',
    );
  }
  return decoded;
}

/**
 * The states named by a `state` parameter: comma-separated (`state=failed,timed_out`), repeated
 * (`state=failed&state=timed_out`), or both. Undefined when none is given.
 */
export function parseStates(value: string | readonly string[] | undefined): RunState[] | undefined {
  return parseStateList(value, RUN_STATES, 'a run state');
}

/** The states of `known` named by a `state` parameter, as parseStates reads it; `what` names one. */
export function parseStateList<S extends string>(
  value: string | readonly string[] | undefined,
  known: readonly S[],
  what: string,
): S[] | undefined {
  if (value === undefined) return undefined;
  const names = (typeof value === 'string' ? [value] : value).flatMap((v) => v.split(','));
  const states = new Set<S>();
  for (const name of names) {
    if (!(known as readonly string[]).includes(name)) {
      throw new ValidationError(
        `state ${JSON.stringify(name.length > 40 ? `${name.slice(0, 37)}...` : name)} is not ${what}: use one or more of ${known.join(', ')}, separated by commas`,
      );
    }
    states.add(name as S);
  }
  return [...states];
}

/**
 * A `since` or `until` parameter as a time Postgres reads exactly as JavaScript does (years 1 to
 * 9999; to the millisecond); a ValidationError naming the parameter otherwise.
 */
export function parseTime(name: 'since' | 'until', value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const time = new Date(value);
  const year = time.getUTCFullYear();
  if (Number.isNaN(time.getTime()) || year < 1 || year > 9999) {
    throw new ValidationError(
      `${name} ${JSON.stringify(value.slice(0, 40))} is not a time: use an ISO 8601 date-time such as 2025-01-31T09:00:00Z`,
    );
  }
  return time.toISOString();
}

/** Checks a filter's times against each other. */
export function checkFilter(filter: RunFilter): void {
  if (filter.since !== undefined && filter.until !== undefined && filter.since >= filter.until) {
    throw new ValidationError(`since (${filter.since}) must be before until (${filter.until})`);
  }
}

/**
 * One page of runs, newest first by queue time (then id), after `cursor`: keyset pagination, so a
 * page costs the same wherever it is and runs queued meanwhile neither shift nor repeat it.
 */
async function page(
  db: SqlExecutor,
  scope: { column: 'job_id' | 'user_id'; value: string } | undefined,
  filter: RunFilter,
  limit: number,
  cursor: PageCursor | undefined,
): Promise<RunPage> {
  const params: unknown[] = [];
  const param = (value: unknown, cast: string) => `$${params.push(value)}::${cast}`;
  const where: string[] = [];
  if (scope)
    where.push(`${scope.column} = ${param(scope.value, scope.column === 'job_id' ? 'uuid' : 'text')}`);
  if (filter.states) where.push(`state = ANY(${param(filter.states, 'text[]')})`);
  if (filter.since !== undefined) where.push(`queued_at >= ${param(filter.since, 'timestamptz')}`);
  if (filter.until !== undefined) where.push(`queued_at < ${param(filter.until, 'timestamptz')}`);
  if (cursor) {
    const at = param(cursor.at, 'timestamptz');
    // The first condition is the one an index on queue time can start its scan from.
    where.push(`queued_at <= ${at}`, `(queued_at, id) < (${at}, ${param(cursor.id, 'uuid')})`);
  }
  const rows = await db.query(
    `SELECT *, ${pageKeySql('queued_at')} AS page_key
     FROM runs
     ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY queued_at DESC, id DESC
     LIMIT ${param(limit + 1, 'int')}`,
    params,
  );
  const { items, nextCursor } = pageOf(rows, limit, toRun);
  return { runs: items, nextCursor };
}

/** A page of a job's runs; undefined when there is no such job. */
export async function pageRunsOfJob(
  db: SqlExecutor,
  jobId: string,
  filter: RunFilter,
  limit: number,
  cursor?: PageCursor,
): Promise<RunPage | undefined> {
  if (!isUuid(jobId)) return undefined;
  const result = await page(db, { column: 'job_id', value: jobId }, filter, limit, cursor);
  if (result.runs.length > 0) return result;
  const [job] = await db.query('SELECT 1 FROM jobs WHERE id = $1::uuid', [jobId]);
  return job ? result : undefined;
}

/** A page of one user's runs, across their jobs; of every user's when `userId` is undefined. */
export async function pageRuns(
  db: SqlExecutor,
  userId: string | undefined,
  filter: RunFilter,
  limit: number,
  cursor?: PageCursor,
): Promise<RunPage> {
  return page(
    db,
    userId === undefined ? undefined : { column: 'user_id', value: userId },
    filter,
    limit,
    cursor,
  );
}
