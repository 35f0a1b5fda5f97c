/**
 * What the summaries of jobs and of workflows (GET /job-summaries, GET /workflow-summaries) share:
 * the name filter, and the fields read from a row that joins the job's or workflow's schedule
 * (`cron`, `timezone`, `paused`, `next_fire_at`) and its latest run (`run_id`, `run_state`,
 * `run_queued_at`, `run_ended_at`).
 */

export interface SummaryFields {
  id: string;
  userId: string;
  uniqueId: string;
  cron: string | null;
  timezone: string | null;
  paused: boolean | null;
  /** Null while paused. */
  nextFireAt: string | null;
}

export interface LastRunFields<S extends string> {
  id: string;
  state: S;
  queuedAt: string;
  endedAt: string | null;
}

export const iso = (value: unknown) => (value ? new Date(value as string).toISOString() : null);

/** An ILIKE pattern matching `name` anywhere in a uniqueId (its wildcards taken literally); null for none. */
export function uniqueIdPattern(name: string | undefined): string | null {
  return name ? `%${name.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
}

export function summaryFieldsOf(row: Record<string, unknown>): SummaryFields {
  return {
    id: row.id as string,
    userId: row.user_id as string,
    uniqueId: row.unique_id as string,
    cron: (row.cron as string | null) ?? null,
    timezone: (row.timezone as string | null) ?? null,
    paused: (row.paused as boolean | null) ?? null,
    nextFireAt: row.paused ? null : iso(row.next_fire_at),
  };
}

/** The latest run's fields; null when there has been none. */
export function lastRunOf<S extends string>(row: Record<string, unknown>): LastRunFields<S> | null {
  if (!row.run_id) return null;
  return {
    id: row.run_id as string,
    state: row.run_state as S,
    queuedAt: iso(row.run_queued_at)!,
    endedAt: iso(row.run_ended_at),
  };
}
