import type { Job } from '../jobs/job-repository.js';
import type { Run, RunEvent } from '../runs/run-repository.js';
import { describeCron } from '../cron/cron-schedule.js';
import type { ScheduleDetails } from '../scheduler/schedule-service.js';
import type { JobView, RunView } from './schemas.js';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export const RESULT_FILES = [
  'stdout.log',
  'stderr.log',
  'output/',
  'metrics.csv',
  'metrics.json',
  'run.json',
];

export function runView(run: Run, history?: RunEvent[]): RunView {
  const view: RunView = {
    id: run.id,
    jobId: run.jobId,
    state: run.state,
    trigger: run.trigger,
    scheduledFor: iso(run.scheduledFor),
    attempt: run.attempt,
    retryOf: run.retryOf,
    notBefore: iso(run.notBefore),
    exitCode: run.exitCode,
    failure: run.failureReason ? { reason: run.failureReason, message: run.failureMessage ?? '' } : null,
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
      files: run.failureReason === 'build_error' ? ['build.log', 'run.json'] : RESULT_FILES,
    },
  };
  if (history)
    view.history = history.map((e) => ({ state: e.state, at: e.at.toISOString(), detail: e.detail }));
  return view;
}

/** A job; with `details` (GET /jobs/:id) its schedule shows next fire times and recent fires. */
export function jobView(job: Job, details?: ScheduleDetails): JobView {
  const { spec } = job;
  let schedule: JobView['schedule'] = null;
  if (spec.cron) {
    schedule = {
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
        detail: f.detail,
      }));
    }
  }
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
