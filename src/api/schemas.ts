import Type, { type Static } from 'typebox';
import { RUN_STATES } from '../runs/run-states.js';
import { TriggerRequestSchema } from '../definitions/trigger-overrides.js';
import type { BackfillAnswer } from '../definitions/definition-schedules.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);
const Timestamp = Nullable(Type.String({ format: 'date-time' }));

export const ErrorSchema = Type.Object(
  {
    error: Type.String({
      description:
        'a stable code: invalid_request, unauthorized, forbidden, not_found, conflict, unprocessable, too_large, unsupported_media_type, rate_limited, internal_error',
    }),
    message: Type.String({ description: 'what is wrong and what to do about it' }),
    details: Type.Optional(Type.Array(Type.String())),
    problems: Type.Optional(
      Type.Array(
        Type.Object({
          path: Type.String({
            description: 'a JSON Pointer into the request body ("" for the body as a whole)',
          }),
          message: Type.String(),
        }),
        { description: 'every problem found, each at the field it concerns' },
      ),
    ),
  },
  { $id: 'Error' },
);

export const SpecSchema = Type.Object({
  userId: Type.String(),
  uniqueId: Type.String(),
  s3_bucket: Type.String(),
  source_s3_prefix: Type.String(),
  destination_s3_prefix: Type.String(),
  command: Nullable(Type.String({ description: 'the shell command; null when the job runs an image' })),
  image: Nullable(Type.String({ description: 'the prebuilt image the job runs; null for a command' })),
  args: Nullable(Type.Union([Type.Array(Type.String()), Type.String()])),
  step_inputs: Type.Array(
    Type.Object({
      name: Type.String(),
      bucket: Type.String(),
      prefix: Type.String(),
      file: Type.Optional(
        Type.String({
          description: "only this object under prefix (a fan-out step's manifest, items.jsonl)",
        }),
      ),
    }),
    { description: "files from a workflow's earlier steps, staged under /job/steps/<name>/" },
  ),
  capture_result: Type.Boolean(),
  linux_dependencies: Type.Array(Type.String()),
  cron: Nullable(Type.String()),
  timezone: Type.String(),
  overlap_policy: Type.String(),
  catch_up_policy: Type.String(),
  catch_up_window_seconds: Type.Integer(),
  catch_up_limit: Type.Integer(),
  max_attempts: Type.Integer(),
  retry_on_exit_code: Type.Boolean(),
  retry_backoff_seconds: Type.Integer(),
  timeout_seconds: Type.Integer(),
  cpus: Type.Number(),
  memory_mb: Type.Integer(),
  gpus: Type.Optional(
    Type.Union([Type.Integer(), Type.Literal('all')], {
      description: 'GPUs the container is given, a count or "all" (absent: none)',
    }),
  ),
  disk_mb: Type.Optional(
    Type.Integer({
      description: 'disk in MiB the run may fill in /job/output (absent: TDS_DEFAULT_DISK_MB)',
    }),
  ),
  env: Type.Record(Type.String(), Type.String()),
  item_problem: Type.Optional(
    Type.String({
      description:
        "a fan-out item's run only: why it could not run (a {{item.FIELD}} the item lacks, or a refused image filled from it), found when it was queued; the run failed with it (input_error) without running",
    }),
  ),
  secrets: Type.Optional(
    Type.Array(Type.String(), {
      description:
        "names of the user's secrets given to the command as environment variables (never their values)",
    }),
  ),
  base_image: Type.String(),
  metrics_interval_seconds: Type.Number(),
  network: Type.Optional(Type.String({ description: 'none or bridge' })),
  notify_url: Type.Optional(Type.String()),
  requires: Type.Optional(Type.Array(Type.String(), { description: 'tags the worker must hold' })),
});

/** What a trigger changed of its definition for one run (src/definitions/trigger-overrides.ts). */
export const RunOverridesSchema = Type.Object(
  {
    env: Type.Optional(
      Type.Record(Type.String(), Type.String(), { description: "merged over the definition's env" }),
    ),
    source_s3_prefix: Type.Optional(Type.String({ description: "used instead of the definition's" })),
  },
  { description: 'what the trigger changed of the definition for this run; null when it ran as defined' },
);

export const RunSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    jobId: Nullable(
      Type.String({ format: 'uuid', description: "the run's job; null for a workflow's step" }),
    ),
    workflowRunId: Nullable(
      Type.String({ format: 'uuid', description: 'the workflow run a step belongs to; null for a job run' }),
    ),
    stepName: Nullable(Type.String({ description: 'the workflow step this run is; null for a job run' })),
    itemIndex: Nullable(Type.Integer({ description: "a fan-out step's item this run is; null otherwise" })),
    state: Type.Enum([...RUN_STATES]),
    trigger: Type.String({ description: 'submit, schedule, catch_up, manual, retry, workflow or backfill' }),
    scheduledFor: Timestamp,
    overrides: Nullable(RunOverridesSchema),
    attempt: Type.Integer({ description: 'which attempt of the job this is: 1, or more for a retry' }),
    retryOf: Nullable(Type.String({ description: 'the failed run this one retries' })),
    notBefore: Nullable(Type.String({ format: 'date-time', description: 'a retry waits until then' })),
    exitCode: Nullable(Type.Integer()),
    failure: Nullable(
      Type.Object({
        reason: Type.String({
          description:
            'input_error, build_error, image_error, exit_code, timeout, limit_exceeded, disk_limit_exceeded, result_too_large, upload_error, infra_error, not_allowed or cancelled',
        }),
        message: Type.String(),
      }),
    ),
    result: Nullable(
      Type.String({
        description:
          'with capture_result: the last non-empty line of stdout (a trailing carriage return left out); null otherwise',
      }),
    ),
    cancelRequested: Type.Boolean(),
    workerId: Nullable(Type.String()),
    image: Nullable(Type.String()),
    timings: Type.Object({
      queuedAt: Timestamp,
      claimedAt: Timestamp,
      startedAt: Timestamp,
      endedAt: Timestamp,
      finishedAt: Timestamp,
      deadlineAt: Timestamp,
    }),
    results: Type.Object({
      bucket: Type.String(),
      prefix: Type.String(),
      uri: Type.String({ description: "s3:// address of the folder holding this run's results" }),
      files: Type.Array(Type.String(), {
        description: 'the files a run writes there (output/ holds the outputs); none once they expired',
      }),
      expiredAt: Nullable(
        Type.String({
          format: 'date-time',
          description:
            "when the folder was deleted, its results period (the job's or workflow's results_retention_days, else TDS_RESULTS_RETENTION_DAYS) over; null while it is kept",
        }),
      ),
    }),
    waiting_for: Type.Optional(
      Nullable(
        Type.Array(Type.String(), {
          description:
            'only for a run whose job has `requires`: while it is queued and no live, undrained worker can take it, the required tags the closest such worker lacks (all of them when no worker is claiming); null otherwise',
        }),
      ),
    ),
    waiting_reason: Type.Optional(
      Nullable(
        Type.String({
          description:
            'only while the run is queued: when it asks for more CPUs (`cpus`) or memory (`memory_mb`) than any live, undrained worker able to take it offers in all (TDS_WORKER_CPUS, TDS_WORKER_MEMORY_MB), says so; null otherwise',
        }),
      ),
    ),
    history: Type.Optional(
      Type.Array(
        Type.Object({
          state: Type.String(),
          at: Type.String({ format: 'date-time' }),
          detail: Type.Unknown(),
        }),
      ),
    ),
  },
  { $id: 'Run' },
);

export const ScheduleSchema = Type.Object({
  cron: Type.String(),
  timezone: Type.String(),
  description: Type.String({ description: 'the schedule in words' }),
  overlapPolicy: Type.String(),
  catchUpPolicy: Type.String(),
  catchUpWindowSeconds: Type.Integer(),
  catchUpLimit: Type.Integer(),
  paused: Type.Optional(Type.Boolean()),
  nextFireTimes: Type.Optional(Type.Array(Type.String({ format: 'date-time' }))),
  lastFireAt: Type.Optional(Timestamp),
  recentFires: Type.Optional(
    Type.Array(
      Type.Object({
        fireAt: Type.String({ format: 'date-time' }),
        outcome: Type.String({
          description: 'queued, caught_up, skipped_overlap, skipped_buffer_full or missed',
        }),
        runId: Nullable(Type.String()),
        workflowRunId: Type.Optional(
          Type.String({ description: "a workflow's fire time: the workflow run it started" }),
        ),
        detail: Nullable(Type.String()),
      }),
    ),
  ),
});

export const JobSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    userId: Type.String(),
    uniqueId: Type.String(),
    spec: SpecSchema,
    schedule: Nullable(ScheduleSchema),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    deletedAt: Timestamp,
    version: Type.Integer({
      description: 'how many definitions the job has had: 1, then one more for each change (PUT, PATCH)',
    }),
  },
  { $id: 'Job' },
);

export type RunView = Static<typeof RunSchema>;
export type JobView = Static<typeof JobSchema>;

export const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** A job's or workflow's own endpoint, made for its notify_url: the only answer with its secret. */
export function notifySchema(description: string) {
  return Type.Optional(
    Type.Object(
      {
        webhookId: Type.String(),
        secret: Type.String({ description: "the notify_url's whsec_ signing secret: shown here only" }),
      },
      { description },
    ),
  );
}

/** The body of POST /jobs/:id/trigger and POST /workflows/:id/trigger: optional (none runs it as defined). */
export const TriggerBodySchema = Type.Union([TriggerRequestSchema, Type.Null()]);

/** POST /jobs/:id/backfill and POST /workflows/:id/backfill. */
export const BackfillQuerySchema = Type.Object(
  {
    dry_run: Type.Optional(
      Type.Boolean({ description: 'list the fire times of the period without queuing anything (200)' }),
    ),
  },
  { additionalProperties: false },
);

export const BackfillAnswerSchema = Type.Object({
  dryRun: Type.Boolean(),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  count: Type.Integer({ description: 'fire times in [from, to)' }),
  runs: Type.Array(
    Type.Object({
      id: Nullable(
        Type.String({
          description:
            'the run (of a job) or workflow run (of a workflow) queued for this fire time; null in a dry run',
        }),
      ),
      scheduledFor: Type.String({ format: 'date-time', description: 'the fire time, its scheduledFor' }),
    }),
    { description: 'one per fire time, oldest first' },
  ),
});

export function backfillView(answer: BackfillAnswer) {
  return {
    dryRun: answer.dryRun,
    from: answer.from.toISOString(),
    to: answer.to.toISOString(),
    count: answer.runs.length,
    runs: answer.runs.map((r) => ({ id: r.id, scheduledFor: r.scheduledFor.toISOString() })),
  };
}
