import { table } from './output.ts';

/**
 * What `tds get` prints for a person: a job, a workflow, a run or a workflow run in a few lines
 * (state, times, failure, results, steps), as the API answers it; `--output json` prints the
 * answer itself. Fields the answer lacks are left out, never guessed.
 */

type Fields = Record<string, unknown>;

interface Schedule {
  cron?: string;
  timezone?: string;
  description?: string;
  paused?: boolean;
  nextFireTimes?: string[];
}

interface Timings {
  queuedAt?: string | null;
  startedAt?: string | null;
  endedAt?: string | null;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;

/** Seconds between two instants, as `12.3s` or `4m 05s`; undefined unless both are known. */
export function duration(from: string | null | undefined, to: string | null | undefined): string | undefined {
  if (!from || !to) return undefined;
  const seconds = (Date.parse(to) - Date.parse(from)) / 1000;
  if (!Number.isFinite(seconds) || seconds < 0) return undefined;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  return minutes < 60
    ? `${minutes}m ${String(rest).padStart(2, '0')}s`
    : `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** `label  value` pairs, aligned; pairs without a value are left out. */
/** What a trigger changed, on one line: env names, the input folder, param values as JSON (escaped). */
function overridesText(overrides: unknown, params?: unknown): string | undefined {
  const parts: string[] = [];
  const given = (overrides ?? {}) as { env?: Record<string, unknown>; source_s3_prefix?: unknown };
  if (given.env)
    parts.push(
      `env ${Object.keys(given.env)
        .map((n) => JSON.stringify(n))
        .join(', ')}`,
    );
  if (typeof given.source_s3_prefix === 'string')
    parts.push(`inputs ${JSON.stringify(given.source_s3_prefix)}`);
  if (params && typeof params === 'object')
    parts.push(
      ...Object.entries(params as Record<string, unknown>).map(
        ([n, v]) => `${JSON.stringify(n)}=${JSON.stringify(v)}`,
      ),
    );
  return parts.length > 0 ? parts.join('; ') : undefined;
}

function pairs(rows: [string, string | undefined][]): string[] {
  return table(rows.filter((row): row is [string, string] => row[1] !== undefined));
}

function timeRows(timings: Timings | undefined): [string, string | undefined][] {
  return [
    ['Queued', text(timings?.queuedAt)],
    ['Started', text(timings?.startedAt)],
    ['Ended', text(timings?.endedAt)],
    ['Took', duration(timings?.startedAt, timings?.endedAt)],
  ];
}

function failureText(failure: unknown): string | undefined {
  if (!failure || typeof failure !== 'object') return undefined;
  const { reason, message, step } = failure as Fields;
  const where = text(step) ? ` (step ${text(step)})` : '';
  return `${text(reason) ?? 'failed'}${where}${text(message) ? `: ${text(message)}` : ''}`;
}

function scheduleText(schedule: Schedule | null | undefined): [string, string | undefined][] {
  if (!schedule?.cron) return [['Schedule', 'none (runs when triggered)']];
  const next = schedule.paused ? 'paused' : schedule.nextFireTimes?.[0];
  return [
    [
      'Schedule',
      `${schedule.cron} (${schedule.timezone ?? 'UTC'})${schedule.description ? `: ${schedule.description}` : ''}`,
    ],
    ['Next fire', next],
  ];
}

/** A run: one job run, a workflow step's, or a fan-out item's. */
export function runSummary(run: Fields): string[] {
  const timings = run.timings as Timings | undefined;
  const results = run.results as { uri?: string; files?: string[] } | undefined;
  const part = text(run.workflowRunId)
    ? `step ${text(run.stepName) ?? '?'}${typeof run.itemIndex === 'number' ? ` item ${run.itemIndex}` : ''} of workflow run ${text(run.workflowRunId)}`
    : undefined;
  return [
    `run ${text(run.id) ?? '?'}: ${text(run.state) ?? 'unknown'}`,
    ...pairs([
      ['Job', text(run.jobId)],
      ['Part of', part],
      ['Trigger', text(run.trigger)],
      ['Overrides', overridesText(run.overrides)],
      ['Scheduled for', text(run.scheduledFor)],
      [
        'Attempt',
        typeof run.attempt === 'number' && run.attempt > 1
          ? `${run.attempt} (retry of ${text(run.retryOf) ?? '?'})`
          : undefined,
      ],
      ...timeRows(timings),
      ['Exit code', text(run.exitCode)],
      ['Failure', failureText(run.failure)],
      ['Result', text(run.result)],
      ['Worker', text(run.workerId)],
      ['Image', text(run.image)],
      ['Results', results?.uri],
      ['Files', results?.files?.length ? results.files.join(', ') : undefined],
      ['Cancel', run.cancelRequested === true ? 'requested' : undefined],
    ]).map((line) => `  ${line}`),
  ];
}

/** A run as one row of a listing: id, state, exit code, queued and how long it took. */
function runRows(runs: Fields[]): string[] {
  if (runs.length === 0) return ['  no runs yet'];
  return table([
    ['RUN', 'STATE', 'EXIT', 'QUEUED', 'TOOK'],
    ...runs.map((r) => {
      const timings = r.timings as Timings | undefined;
      return [
        text(r.id) ?? '-',
        text(r.state) ?? '-',
        text(r.exitCode) ?? '-',
        text(timings?.queuedAt) ?? '-',
        duration(timings?.startedAt, timings?.endedAt) ?? '-',
      ];
    }),
  ]).map((line) => `  ${line}`);
}

/** A job and its latest runs. */
export function jobSummary(answer: { job?: Fields; runs?: Fields[] }): string[] {
  const job = answer.job ?? {};
  const spec = (job.spec ?? {}) as Fields;
  const what =
    text(spec.command) ??
    (Array.isArray(spec.args) ? `${text(spec.image) ?? ''} ${spec.args.join(' ')}`.trim() : text(spec.image));
  return [
    `job ${text(job.uniqueId) ?? '?'} (${text(job.id) ?? '?'})${job.deletedAt ? ' deleted' : ''}`,
    ...pairs([
      ['User', text(job.userId)],
      ['Runs', what],
      ['Base image', text(spec.base_image)],
      ...scheduleText(job.schedule as Schedule | null | undefined),
      ['Version', text(job.version)],
      ['Updated', text(job.updatedAt)],
    ]).map((line) => `  ${line}`),
    'Latest runs:',
    ...runRows(answer.runs ?? []),
  ];
}

/** A workflow, its steps and its latest workflow runs. */
export function workflowSummary(answer: { workflow?: Fields; runs?: Fields[] }): string[] {
  const workflow = answer.workflow ?? {};
  const steps = ((workflow.definition as Fields | undefined)?.steps ?? []) as Fields[];
  return [
    `workflow ${text(workflow.uniqueId) ?? '?'} (${text(workflow.id) ?? '?'})${workflow.deletedAt ? ' deleted' : ''}`,
    ...pairs([
      ['User', text(workflow.userId)],
      ['Steps', steps.map((s) => text(s.name) ?? '?').join(', ') || undefined],
      ...scheduleText(workflow.schedule as Schedule | null | undefined),
      ['Version', text(workflow.version)],
    ]).map((line) => `  ${line}`),
    'Latest runs:',
    ...runRows(answer.runs ?? []),
  ];
}

/** A workflow run and each of its steps. */
export function workflowRunSummary(run: Fields): string[] {
  const timings = run.timings as Timings | undefined;
  const results = run.results as { uri?: string } | undefined;
  const steps = (run.steps ?? []) as Fields[];
  return [
    `workflow run ${text(run.id) ?? '?'} of ${text(run.uniqueId) ?? '?'}: ${text(run.state) ?? 'unknown'}`,
    ...pairs([
      ['Workflow', text(run.workflowId)],
      ['Trigger', text(run.trigger)],
      ['Overrides', overridesText(run.overrides)],
      ['Params', overridesText(undefined, run.params)],
      ['Scheduled for', text(run.scheduledFor)],
      ...timeRows(timings),
      ['Failure', failureText(run.failure)],
      ['Results', results?.uri],
    ]).map((line) => `  ${line}`),
    'Steps:',
    ...table([
      ['STEP', 'STATE', 'EXIT', 'TOOK', 'RUN', 'WHY'],
      ...steps.map((s) => [
        text(s.name) ?? '?',
        text(s.state) ?? '-',
        text(s.exitCode) ?? '-',
        duration(s.startedAt as string | null, s.endedAt as string | null) ?? '-',
        text(s.runId) ?? '-',
        text(s.reason) ?? '',
      ]),
    ]).map((line) => `  ${line}`),
  ];
}

/** What `tds get` prints for whatever the id turned out to be. */
export function getSummary(kind: string, value: unknown): string[] {
  const fields = (value ?? {}) as Fields;
  switch (kind) {
    case 'job':
      return jobSummary(fields as { job?: Fields; runs?: Fields[] });
    case 'workflow':
      return workflowSummary(fields as { workflow?: Fields; runs?: Fields[] });
    case 'workflow run':
      return workflowRunSummary(fields);
    default:
      return runSummary(fields);
  }
}
