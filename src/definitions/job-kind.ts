import { isUuid } from '../ids.js';
import { getJob, markJobDeleted, updateJobSpec, type Job } from '../jobs/job-repository.js';
import {
  normaliseJobRequest,
  SCHEDULE_FIELDS,
  specAsRequest,
  type JobDefaults,
  type JobRequest,
  type JobSpec,
} from '../jobs/job-spec.js';
import { insertRun } from '../runs/queue-runs.js';
import { specWithOverrides } from './trigger-overrides.js';
import { listUnfinishedRunsOfJob, newRunId, type Run } from '../runs/run-repository.js';
import { cancelQueued } from '../runs/transitions.js';
import type { Signals } from '../signals.js';
import {
  definitionSchedules,
  type DefinitionKind,
  type DefinitionSchedulesDeps,
} from './definition-schedules.js';

/** A job as a kind of definition: a workflow of one step, whose run started by hand is a run. */

/** A stored spec as the request that would produce it, so a change is validated like a new job. */
function asRequest(spec: JobSpec): JobRequest {
  const { cron } = spec;
  const rest = specAsRequest(spec);
  if (cron !== null) return { ...rest, cron };
  const request: JobRequest = { ...rest };
  for (const field of SCHEDULE_FIELDS) delete request[field];
  return request;
}

export function jobKind(
  defaults: JobDefaults,
  signals: Pick<Signals, 'runQueued' | 'runFinished'>,
): DefinitionKind<Job, Run> {
  return {
    noun: 'job',
    addCronHint: '',
    read: async (db, id) => (isUuid(id) ? getJob(db, id) : undefined),
    owner: (id) => ({ jobId: id }),
    userOf: (job) => job.spec.userId,
    changed: (job, change) => normaliseJobRequest({ ...asRequest(job.spec), ...change }, defaults),
    saveSettings: (tx, job, settings) => updateJobSpec(tx, job.id, { ...job.spec, ...settings }),
    scheduleOf: (job) => job.spec,
    overrideTarget: (job) => ({ noun: 'job', secrets: job.spec.secrets }),
    async startNow(tx, job, start) {
      const run = await insertRun(tx, {
        id: newRunId(),
        jobId: job.id,
        trigger: start.trigger,
        spec: specWithOverrides(job.spec, start.overrides),
        ...(start.overrides ? { overrides: start.overrides } : {}),
        ...(start.scheduledFor ? { scheduledFor: start.scheduledFor } : {}),
        ...(start.waitsForPrevious ? { waitsForPrevious: true } : {}),
      });
      return { started: run, announce: () => signals.runQueued.notify() };
    },
    idOf: (run) => run.id,
    async remove(tx, id) {
      const ended: Run[] = [];
      for (const run of await listUnfinishedRunsOfJob(tx, id)) {
        const cancelled = await cancelQueued(tx, run.id, 'the job was deleted before this run started');
        if (cancelled) ended.push(cancelled);
      }
      const job = await markJobDeleted(tx, id);
      return { item: job, announce: () => ended.forEach((run) => signals.runFinished.notify(run)) };
    },
  };
}

export interface JobSchedulesDeps extends DefinitionSchedulesDeps {
  defaults: JobDefaults;
  signals: Pick<Signals, 'scheduleChanged' | 'runQueued' | 'runFinished'>;
}

/** Managing stored jobs: pause, resume, trigger now, change the schedule, delete. */
export function createJobSchedules(deps: JobSchedulesDeps) {
  return definitionSchedules(deps, jobKind(deps.defaults, deps.signals));
}

export type JobSchedules = ReturnType<typeof createJobSchedules>;
