import type { SqlExecutor } from '../../services/db/database.js';
import type { JobSpec } from '../jobs/job-spec.js';
import { RUN_RESULTS } from './results-layout.js';
import { RUN_COLUMNS, toRun, type Run } from './run-repository.js';
import { sqlState } from './run-states.js';

/**
 * Where the runs a statement queues come from: a FROM clause (with any WHERE; empty for a single
 * row of parameters), and a SQL expression over it for each column of the new runs. Columns left
 * out take their defaults (no fire time, not waiting, first attempt, no backoff).
 */
export interface RunSource {
  from: string;
  /** uuid */
  id: string;
  /** uuid; NULL for a workflow's step */
  jobId: string;
  trigger: string;
  /** jsonb: the job's spec as the run runs it; its results bucket and folder come from it. */
  spec: string;
  scheduledFor?: string;
  waitsForPrevious?: string;
  /** When the run counts as queued: by default when the statement queues it. */
  queuedAt?: string;
  attempt?: string;
  retryOf?: string;
  notBefore?: string;
  /** A workflow step's run: its workflow run (uuid), step name (text) and item (int). */
  workflowRunId?: string;
  stepName?: string;
  itemIndex?: string;
  /** The results folder, when not a job run's (RUN_RESULTS). */
  resultsPrefix?: string;
  /** jsonb: what a trigger changed of the job (src/definitions/trigger-overrides.ts). */
  overrides?: string;
}

const OPTIONAL_COLUMNS = {
  scheduledFor: 'scheduled_for',
  waitsForPrevious: 'waits_for_previous',
  attempt: 'attempt',
  retryOf: 'retry_of',
  notBefore: 'not_before',
  workflowRunId: 'workflow_run_id',
  stepName: 'step_name',
  itemIndex: 'item_index',
  overrides: 'overrides',
} as const;

/** The columns of an inserted run its first event is written from. */
const EVENT_COLUMNS = 'id, state, trigger, scheduled_for, queued_at, attempt, retry_of, not_before';

/**
 * The first event of a run, recorded as it is queued: how it came (`trigger`), and for a fire
 * time, a retry or a held-back run, which and until when.
 */
const FIRST_EVENT_DETAIL = `jsonb_strip_nulls(jsonb_build_object('trigger', trigger, 'scheduledFor', scheduled_for,
      'retryOf', retry_of, 'attempt', CASE WHEN attempt > 1 THEN attempt END, 'notBefore', not_before))`;

/**
 * The one way runs are queued: two CTEs, for a statement's WITH, that insert a queued run for each
 * row of `source` (its results in the bucket and folder RUN_RESULTS names) and record each one's
 * first event, at the time it counts as queued. The first CTE, `name`, yields the runs inserted:
 * all their columns when `returnRuns` is set (for toRun), else only those the event needs.
 */
export function queueRunsSql(
  name: string,
  source: RunSource,
  options: { returnRuns?: boolean } = {},
): string {
  const columns = [
    'id',
    'job_id',
    'state',
    'trigger',
    'spec',
    'results_bucket',
    'results_prefix',
    'queued_at',
  ];
  const values = [
    source.id,
    source.jobId,
    sqlState('queued'),
    source.trigger,
    source.spec,
    `${source.spec} ->> 's3_bucket'`,
    source.resultsPrefix ?? RUN_RESULTS.sql(source.spec, { runId: `${source.id}::text` }),
    source.queuedAt ?? 'clock_timestamp()',
  ];
  for (const [field, column] of Object.entries(OPTIONAL_COLUMNS)) {
    const value = source[field as keyof typeof OPTIONAL_COLUMNS];
    if (value === undefined) continue;
    columns.push(column);
    values.push(value);
  }
  return `${name} AS (
    INSERT INTO runs (${columns.join(', ')})
    SELECT ${values.join(',\n           ')}
    ${source.from}
    RETURNING ${options.returnRuns ? RUN_COLUMNS.join(', ') : EVENT_COLUMNS}),
  ${name}_first_events AS (
    INSERT INTO run_events (run_id, state, at, detail)
    SELECT id, state, queued_at, ${FIRST_EVENT_DETAIL}
    FROM ${name})`;
}

export interface NewRun {
  id: string;
  /** The job; null for a workflow's step (then `step` says which). */
  jobId: string | null;
  step?: { workflowRunId: string; name: string; itemIndex: number | null; resultsPrefix: string };
  trigger: Run['trigger'];
  spec: JobSpec;
  scheduledFor?: Date;
  waitsForPrevious?: boolean;
  attempt?: number;
  /** The run this one retries. */
  retryOf?: string;
  /** Held back this long (a retry's backoff), by the database's clock. */
  delaySeconds?: number;
  /** What a trigger changed of the job; `spec` is already the changed one. */
  overrides?: Run['overrides'];
}

/** Queues one run, with its first event. */
export async function insertRun(db: SqlExecutor, run: NewRun): Promise<Run> {
  const rows = await db.query(
    `WITH ${queueRunsSql(
      'inserted',
      {
        from: '',
        id: '$1::uuid',
        jobId: '$2::uuid',
        trigger: '$3::text',
        spec: '$4::jsonb',
        scheduledFor: '$5::timestamptz',
        waitsForPrevious: '$6::boolean',
        attempt: '$7::int',
        retryOf: '$8::uuid',
        notBefore:
          'CASE WHEN $9::float8 IS NULL THEN NULL ELSE clock_timestamp() + make_interval(secs => $9::float8) END',
        workflowRunId: '$10::uuid',
        stepName: '$11::text',
        itemIndex: '$12::int',
        resultsPrefix: `COALESCE($13::text, ${RUN_RESULTS.sql('$4::jsonb', { runId: '$1::uuid::text' })})`,
        overrides: '$14::jsonb',
      },
      { returnRuns: true },
    )}
     SELECT * FROM inserted`,
    [
      run.id,
      run.jobId,
      run.trigger,
      JSON.stringify(run.spec),
      run.scheduledFor ?? null,
      run.waitsForPrevious ?? false,
      run.attempt ?? 1,
      run.retryOf ?? null,
      run.delaySeconds ?? null,
      run.step?.workflowRunId ?? null,
      run.step?.name ?? null,
      run.step?.itemIndex ?? null,
      run.step?.resultsPrefix ?? null,
      run.overrides ? JSON.stringify(run.overrides) : null,
    ],
  );
  return toRun(rows[0]!);
}

/** Queues many runs in one statement, each with its first event. */
export async function insertRuns(db: SqlExecutor, runs: NewRun[]): Promise<void> {
  if (runs.length === 0) return;
  await db.query(
    `WITH ${queueRunsSql('inserted', {
      from: `FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[], $5::timestamptz[], $6::boolean[],
                         $7::uuid[], $8::text[], $9::int[], $10::text[])
               AS u(id, job_id, trigger, spec, scheduled_for, waits, workflow_run_id, step_name, item_index,
                    results_prefix)`,
      id: 'u.id',
      jobId: 'u.job_id',
      trigger: 'u.trigger',
      spec: 'u.spec',
      scheduledFor: 'u.scheduled_for',
      waitsForPrevious: 'u.waits',
      workflowRunId: 'u.workflow_run_id',
      stepName: 'u.step_name',
      itemIndex: 'u.item_index',
      resultsPrefix: `COALESCE(u.results_prefix, ${RUN_RESULTS.sql('u.spec', { runId: 'u.id::text' })})`,
    })}
     SELECT count(*) FROM inserted`,
    [
      runs.map((r) => r.id),
      runs.map((r) => r.jobId),
      runs.map((r) => r.trigger),
      runs.map((r) => JSON.stringify(r.spec)),
      runs.map((r) => r.scheduledFor ?? null),
      runs.map((r) => r.waitsForPrevious ?? false),
      runs.map((r) => r.step?.workflowRunId ?? null),
      runs.map((r) => r.step?.name ?? null),
      runs.map((r) => r.step?.itemIndex ?? null),
      runs.map((r) => r.step?.resultsPrefix ?? null),
    ],
  );
}
