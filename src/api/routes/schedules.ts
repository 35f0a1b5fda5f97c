import type { Job } from '../../jobs/job-repository.js';
import type { Run } from '../../runs/run-repository.js';
import { JobSchema, RunSchema } from '../schemas.js';
import { jobView, runView } from '../views.js';
import type { ScheduleRouteKind } from './definition-schedules.js';

/** Managing jobs after they are submitted, recurring ones above all: what the routes say of a job. */
export const jobScheduleRoutes: ScheduleRouteKind<Job, Run> = {
  noun: 'job',
  path: '/jobs',
  tag: 'schedules',
  schema: JobSchema,
  view: jobView,
  startedSchema: RunSchema,
  startedView: async (run) => runView(run),
  text: {
    change: {
      summary: "Change a job's schedule: cron expression, timezone, overlap or catch-up policy",
      description:
        'The next fire times are recomputed from now. Runs already queued or under way are left as they are.',
    },
    pause: { summary: 'Pause a recurring job: no fire time is acted on until it is resumed' },
    resume: {
      summary: 'Resume a paused job from its next fire time (fire times while paused are not caught up)',
    },
    trigger: {
      summary:
        'Run a job now, whatever its schedule; optionally with other env values or another input prefix',
      description:
        "The body is optional: `env` is merged over the job's for this run, `source_s3_prefix` replaces its input folder. Checked as a submitted job's fields are (400 naming the field); the run records them as `overrides`.",
    },
    backfill: {
      summary: "Queue a run for each fire time of a recurring job's cron in a past period [from, to)",
      description:
        "Each run has its fire time as `scheduledFor` (its ${TODAY}, TDS_SCHEDULED_FOR and TDS_RUN_DATE are that fire's). Under overlap policy `allow` they run side by side, otherwise one after another. At most TDS_BACKFILL_MAX_RUNS fire times; `to` may not be after now. `?dry_run=true` lists the fire times and queues nothing.",
    },
    remove: { summary: 'Delete a job: no future runs, queued runs cancelled, its history kept and readable' },
  },
};
