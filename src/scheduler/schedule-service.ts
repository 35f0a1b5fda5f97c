import type { Database, SqlExecutor } from '../../services/db/database.js';
import { databaseNow } from '../clock.js';
import { CronSchedule, describeCron } from '../cron/cron-schedule.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { isUuid } from '../ids.js';
import { getJob, markJobDeleted, updateJobSpec, type Job } from '../jobs/job-repository.js';
import type { ScheduleRegistry } from '../jobs/job-service.js';
import {
  normaliseJobRequest,
  type JobDefaults,
  type JobRequest,
  type JobSpec,
  type ScheduleRequest,
  SCHEDULE_FIELDS,
  specAsRequest,
} from '../jobs/job-spec.js';
import { insertRun } from '../runs/queue-runs.js';
import { listUnfinishedRunsOfJob, newRunId, type Run } from '../runs/run-repository.js';
import { cancelQueued } from '../runs/transitions.js';
import type { Signals } from '../signals.js';
import {
  deleteSchedule,
  getSchedule,
  listRecentFires,
  lockSchedule,
  setPaused,
  upsertSchedule,
  type Schedule,
  type ScheduleFire,
} from './schedule-repository.js';

export interface ScheduleDetails {
  schedule: Schedule;
  description: string;
  nextFireTimes: Date[];
  recentFires: ScheduleFire[];
}

export type ScheduleChange = ScheduleRequest;

export interface ScheduleServiceDeps {
  db: Database;
  defaults: JobDefaults;
  /** Tells of schedules changed and runs queued, so a scheduler and a worker in this process act at once. */
  signals: Pick<Signals, 'scheduleChanged' | 'runQueued' | 'runFinished'>;
}

export type ScheduleService = ReturnType<typeof createScheduleService>;

/** A stored spec as the request that would produce it, so a change is validated like a new job. */
function asRequest(spec: JobSpec): JobRequest {
  const { cron } = spec;
  const rest = specAsRequest(spec);
  if (cron !== null) return { ...rest, cron };
  const request: JobRequest = { ...rest };
  for (const field of SCHEDULE_FIELDS) delete request[field];
  return request;
}

/** The first fire time of a schedule after now, by the database's clock; null when it never fires again. */
export async function nextFireAfterNow(
  tx: SqlExecutor,
  cron: string,
  timezone: string,
): Promise<Date | null> {
  return CronSchedule.parse(cron, timezone).nextAfter(await databaseNow(tx)) ?? null;
}

/**
 * The schedule of a job or a workflow (by its id) with its description, next fire times and what
 * became of recent ones; undefined when it has none.
 */
export async function scheduleDetails(
  db: SqlExecutor,
  id: string,
  upcoming = 5,
  recent = 20,
): Promise<ScheduleDetails | undefined> {
  const schedule = await getSchedule(db, id);
  if (!schedule) return undefined;
  const cron = CronSchedule.parse(schedule.cron, schedule.timezone);
  const now = await databaseNow(db);
  return {
    schedule,
    description: describeCron(schedule.cron, schedule.timezone),
    nextFireTimes: schedule.paused ? [] : cron.upcoming(new Date(now.getTime() - 1), upcoming),
    recentFires: await listRecentFires(db, id, recent),
  };
}

/**
 * Managing recurring jobs: register a new one's schedule (the ScheduleRegistry the job service
 * stores recurring jobs through), pause, resume, trigger now, change the schedule, delete.
 */
export function createScheduleService({ db, defaults, signals }: ScheduleServiceDeps) {
  async function liveJob(id: string): Promise<Job> {
    if (!isUuid(id)) throw new NotFoundError('job', id);
    const job = await getJob(db, id);
    if (!job) throw new NotFoundError('job', id);
    if (job.deletedAt) throw new ConflictError(`job ${id} was deleted at ${job.deletedAt.toISOString()}`);
    return job;
  }

  async function scheduledJob(id: string): Promise<{ job: Job; schedule: Schedule }> {
    const job = await liveJob(id);
    const schedule = await getSchedule(db, id);
    if (!schedule)
      throw new ConflictError(`job ${id} has no cron schedule; only recurring jobs can be paused or resumed`);
    return { job, schedule };
  }

  const registry: ScheduleRegistry = {
    /** Registers a new recurring job's schedule, from its next fire time after now, in `tx`. */
    async register(tx, jobId, spec) {
      if (spec.cron === null) throw new Error(`job ${jobId} has no cron expression to schedule`);
      await upsertSchedule(tx, { jobId }, spec, await nextFireAfterNow(tx, spec.cron, spec.timezone));
    },
    async reschedule(tx, jobId, spec) {
      const previous = await getSchedule(tx, jobId);
      if (spec.cron === null) {
        if (previous) await deleteSchedule(tx, jobId);
        return;
      }
      const next = previous?.paused ? null : await nextFireAfterNow(tx, spec.cron, spec.timezone);
      await upsertSchedule(tx, { jobId }, spec, next);
      if (previous?.paused) await setPaused(tx, jobId, true, null);
    },
  };

  return {
    ...registry,

    /** A job that has not been deleted (404 when unknown, 409 when deleted). */
    async job(jobId: string): Promise<{ job: Job }> {
      return { job: await liveJob(jobId) };
    },

    /** The schedule of a job with its description, next fire times and what became of recent ones. */
    details: (jobId: string, upcoming = 5, recent = 20) => scheduleDetails(db, jobId, upcoming, recent),

    /** No fire times are acted on while paused; they are not caught up on resume. */
    async pause(jobId: string): Promise<void> {
      const { schedule } = await scheduledJob(jobId);
      if (!schedule.paused) await setPaused(db, jobId, true, null);
    },

    /** Fires again from the next fire time after now. */
    async resume(jobId: string): Promise<void> {
      const { schedule } = await scheduledJob(jobId);
      if (!schedule.paused) return;
      await setPaused(db, jobId, false, await nextFireAfterNow(db, schedule.cron, schedule.timezone));
      signals.scheduleChanged.notify();
    },

    /**
     * Queues a run now, whatever the schedule (any job, recurring or not). A fire of the job's
     * schedule being decided (up to a second before its fire time) is waited for, so that its
     * overlap policy never misses this run: the run comes after that fire.
     */
    async trigger(jobId: string): Promise<Run> {
      const job = await liveJob(jobId);
      const run = await db.transaction(async (tx) => {
        await lockSchedule(tx, jobId);
        return insertRun(tx, { id: newRunId(), jobId, trigger: 'manual', spec: job.spec });
      });
      signals.runQueued.notify();
      return run;
    },

    /** Changes the schedule's expression, timezone or policies; the next fire times are recomputed. */
    async change(jobId: string, change: ScheduleChange): Promise<Job> {
      const job = await liveJob(jobId);
      const spec = normaliseJobRequest({ ...asRequest(job.spec), ...change }, defaults);
      if (spec.cron === null)
        throw new ConflictError(`job ${jobId} has no cron schedule; send "cron" to add one`);
      const updated = await db.transaction(async (tx) => {
        const saved = await updateJobSpec(tx, jobId, spec);
        await registry.reschedule(tx, jobId, spec);
        return saved;
      });
      signals.scheduleChanged.notify();
      return updated;
    },

    /** No future runs; runs still queued are cancelled; the job and its runs stay readable. */
    async remove(jobId: string): Promise<Job> {
      await liveJob(jobId);
      const ended: Run[] = [];
      const job = await db.transaction(async (tx) => {
        ended.length = 0;
        await deleteSchedule(tx, jobId);
        for (const run of await listUnfinishedRunsOfJob(tx, jobId)) {
          const cancelled = await cancelQueued(tx, run.id, 'the job was deleted before this run started');
          if (cancelled) ended.push(cancelled);
        }
        return markJobDeleted(tx, jobId);
      });
      for (const run of ended) signals.runFinished.notify(run);
      return job;
    },
  };
}
