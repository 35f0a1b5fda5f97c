import type { Job } from '../jobs/job-repository.js';
import type { Run, RunEvent } from '../jobs/run-repository.js';
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

export function jobView(job: Job): JobView {
  return {
    id: job.id,
    userId: job.userId,
    uniqueId: job.uniqueId,
    spec: job.spec,
    schedule: job.spec.cron ? { cron: job.spec.cron, timezone: job.spec.timezone } : null,
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
  };
}
