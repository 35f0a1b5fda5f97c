import type { Static } from 'typebox';
import type { Job } from '../jobs/job-repository.js';
import type { Run, RunEvent } from '../runs/run-repository.js';
import { describeCron } from '../cron/cron-schedule.js';
import type { ScheduleSettings } from '../jobs/job-spec.js';
import type { ScheduleDetails } from '../definitions/schedule-sync.js';
import type { JobView, RunView, ScheduleSchema } from './schemas.js';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export const RESULT_FILES = [
  'stdout.log',
  'stderr.log',
  'output/',
  'metrics.csv',
  'metrics.json',
  'run.json',
];

/** Runs that failed before their container ran leave only the build's log and run.json. */
const EARLY_FAILURES = new Set(['build_error', 'image_error']);

export function runView(run: Run, history?: RunEvent[]): RunView {
  const view: RunView = {
    id: run.id,
    jobId: run.jobId,
    workflowRunId: run.workflowRunId,
    stepName: run.stepName,
    itemIndex: run.itemIndex,
    state: run.state,
    trigger: run.trigger,
    scheduledFor: iso(run.scheduledFor),
    overrides: run.overrides,
    attempt: run.attempt,
    retryOf: run.retryOf,
    notBefore: iso(run.notBefore),
    exitCode: run.exitCode,
    failure: run.failureReason ? { reason: run.failureReason, message: run.failureMessage ?? '' } : null,
    result: run.result,
    cancelRequested: run.cancelRequestedAt !== null,
    workerId: run.workerId,
    image: run.image,
    timings: {
      queuedAt: iso(run.queuedAt),
      claimedAt: iso(run.claimedAt),
      startedAt: iso(run.startedAt),
      endedAt: iso(run.endedAt),
      finishedAt: iso(run.finishedAt),
      deadlineAt: iso(run.deadlineAt),
    },
    results: {
      bucket: run.resultsBucket,
      prefix: run.resultsPrefix,
      uri: `s3://${run.resultsBucket}/${run.resultsPrefix}`,
      files:
        run.failureReason === 'not_allowed' || run.resultsExpiredAt !== null
          ? []
          : EARLY_FAILURES.has(run.failureReason ?? '')
            ? ['build.log', 'run.json']
            : RESULT_FILES,
      expiredAt: iso(run.resultsExpiredAt),
    },
  };
  if (history)
    view.history = history.map((e) => ({ state: e.state, at: e.at.toISOString(), detail: e.detail }));
  return view;
}

/**
 * A schedule (a job's or a workflow's) from its settings; with `details` (GET of the job or the
 * workflow) it shows paused or not, next fire times and what became of recent ones.
 */
export function scheduleView(
  spec: ScheduleSettings,
  details?: ScheduleDetails,
): Static<typeof ScheduleSchema> | null {
  if (!spec.cron) return null;
  const schedule: Static<typeof ScheduleSchema> = {
    cron: spec.cron,
    timezone: spec.timezone,
    description: describeCron(spec.cron, spec.timezone),
    overlapPolicy: spec.overlap_policy,
    catchUpPolicy: spec.catch_up_policy,
    catchUpWindowSeconds: spec.catch_up_window_seconds,
    catchUpLimit: spec.catch_up_limit,
  };
  if (details) {
    schedule.paused = details.schedule.paused;
    schedule.nextFireTimes = details.nextFireTimes.map((t) => t.toISOString());
    schedule.lastFireAt = iso(details.schedule.lastFireAt);
    schedule.recentFires = details.recentFires.map((f) => ({
      fireAt: f.fireAt.toISOString(),
      outcome: f.outcome,
      runId: f.runId,
      ...(f.workflowRunId ? { workflowRunId: f.workflowRunId } : {}),
      detail: f.detail,
    }));
  }
  return schedule;
}

/** A job; with `details` (GET /jobs/:id) its schedule shows next fire times and recent fires. */
export function jobView(job: Job, details?: ScheduleDetails): JobView {
  const { spec } = job;
  const schedule = scheduleView(spec, details);
  return {
    id: job.id,
    userId: job.userId,
    uniqueId: job.uniqueId,
    spec,
    schedule,
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
    deletedAt: iso(job.deletedAt),
    version: job.version,
  };
}

/** `notify: { webhookId, secret }` when a notify_url's endpoint was just made; nothing otherwise. */
export function notifyView(made: { endpoint: { id: string }; secret: string } | undefined) {
  return made ? { notify: { webhookId: made.endpoint.id, secret: made.secret } } : {};
}
