import Type, { type Static } from 'typebox';
import { ValidationError, type Problem } from '../errors.js';
import { CronSchedule } from '../cron/cron-schedule.js';
import { GPU_TAG, MAX_TAGS, TAG_PATTERN, tagSet } from '../fleet/tags.js';
import { forbiddenImageProblem, IMAGE_PATTERN } from './image-reference.js';

export const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$';
/** A plain package name, optionally pinned to a version (`pkg=1.2-3`): nothing a shell would read as syntax. */
export const PACKAGE_PATTERN = '^[A-Za-z0-9][A-Za-z0-9+._-]{0,127}(=[A-Za-z0-9.+:~_-]{1,128})?$';
/** S3's bucket naming rules (lowercase letters, digits, dots and hyphens; 3 to 63 characters). */
export const BUCKET_PATTERN = '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$';
export { IMAGE_PATTERN } from './image-reference.js';
export const ENV_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]{0,127}$';
/** A secret is given to the container as the environment variable of its name: the same rules. */
export const SECRET_NAME_PATTERN = ENV_NAME_PATTERN;
/** The most secrets one job (or one workflow step) may use. */
export const MAX_JOB_SECRETS = 100;
export const MAX_COMMAND_LENGTH = 16_384;
/** `none`: only loopback. `bridge`: Docker's default bridge, with a way out to the internet. */
export const JOB_NETWORKS = ['none', 'bridge'] as const;
export type JobNetwork = (typeof JOB_NETWORKS)[number];
/** The most GPUs a count may name (the operator's TDS_USER_MAX_GPUS is the ceiling that applies). */
export const MAX_GPUS = 1024;
/** The longest `results_retention_days` (100 years; 0 keeps results for ever). */
export const MAX_RESULTS_RETENTION_DAYS = 36_500;
/** GPUs a run's container is given: a count, or every GPU of the worker's engine. */
export type Gpus = number | 'all';

export const JobRequestSchema = Type.Object(
  {
    userId: Type.String({
      pattern: NAME_PATTERN,
      description: 'who owns the job: letters, digits, ".", "_", "@" and "-", up to 128 characters',
    }),
    uniqueId: Type.String({
      pattern: NAME_PATTERN,
      description:
        "the caller's idempotency key within userId (letters, digits, '.', '_', '@', '-'; up to 128 characters); posting the same job again returns the existing one",
    }),
    s3_bucket: Type.String({
      pattern: BUCKET_PATTERN,
      description: 'the bucket inputs are read from and results are written to (S3 bucket naming rules)',
    }),
    source_s3_prefix: Type.String({
      maxLength: 1024,
      description:
        'folder of the bucket whose objects become the inputs under /job/input/ ("" for the whole bucket; a leading "/" is dropped; ".." is refused)',
    }),
    destination_s3_prefix: Type.String({
      maxLength: 1024,
      description:
        'folder of the bucket that receives results, as <prefix>/<uniqueId>/<runId>/ (a leading "/" is dropped; ".." is refused)',
    }),
    command: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: MAX_COMMAND_LENGTH,
        description: `the shell command to run in /job with /bin/sh, exactly as written (at most ${MAX_COMMAND_LENGTH} characters) but for \${TODAY} and \${NOW}, which each run gets filled in with the date and time of its fire (as in args and env values); give either command or image`,
      }),
    ),
    image: Type.Optional(
      Type.String({
        pattern: IMAGE_PATTERN,
        description:
          "a prebuilt image to run as it is instead of a command: its entrypoint is kept and args is its command; no packages are installed (linux_dependencies and base_image do not apply). Pulled for each run unless the operator lists it as a local image; the service's own images (tds-run, tds-packages) and image ids are refused",
      }),
    ),
    args: Type.Optional(
      Type.Union(
        [
          Type.Array(Type.String({ maxLength: MAX_COMMAND_LENGTH }), { maxItems: 1000 }),
          Type.String({ minLength: 1, maxLength: MAX_COMMAND_LENGTH }),
        ],
        {
          description:
            "with image only: the image's command, as a list of arguments, or as a string run by the image's /bin/sh -c; omitted, the image's own CMD is used",
        },
      ),
    ),
    capture_result: Type.Optional(
      Type.Boolean({
        description: `keep the last non-empty line of stdout as the run's result (at most TDS_MAX_RESULT_BYTES, 64 KiB unless the operator says otherwise), shown in the run view and run.json (default false)`,
      }),
    ),
    linux_dependencies: Type.Optional(
      Type.Array(
        Type.String({
          pattern: PACKAGE_PATTERN,
          description: 'a plain package name, optionally with "=version"',
        }),
        {
          maxItems: 200,
          description: "packages installed with the base image's package manager (apt-get, apk, dnf or yum)",
        },
      ),
    ),
    cron: Type.Optional(
      Type.String({
        maxLength: 256,
        description:
          'a cron expression (5 fields, or 6 with seconds first) to run the job on a schedule; omit to run once, now',
      }),
    ),
    timezone: Type.Optional(
      Type.String({
        maxLength: 64,
        description: 'IANA timezone the cron expression is read in, e.g. "Europe/Paris" (default UTC)',
      }),
    ),
    overlap_policy: Type.Optional(
      Type.Union(
        [Type.Literal('skip'), Type.Literal('allow'), Type.Literal('queue_one'), Type.Literal('replace')],
        {
          description:
            'when a fire time comes while the previous run is still queued or going: skip it (default, recorded), allow a second run alongside, queue_one (buffer one run to start when the previous ends), or replace (cancel the previous run)',
        },
      ),
    ),
    catch_up_policy: Type.Optional(
      Type.Union([Type.Literal('latest'), Type.Literal('all'), Type.Literal('skip')], {
        description:
          'fire times missed while the service was down: run the latest one within the catch-up window (default), all of them within the window (up to catch_up_limit, one after another), or none; each missed time is recorded',
      }),
    ),
    catch_up_window_seconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 30 * 86400,
        description: 'how far back a missed fire time may be and still be caught up (default 3600)',
      }),
    ),
    catch_up_limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1000,
        description: 'the most missed fire times caught up at once with catch_up_policy "all" (default 10)',
      }),
    ),
    max_attempts: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 10,
        description:
          'how many times a run may be attempted when it fails for infrastructure reasons (infra_error), or for a non-zero exit with retry_on_exit_code (default 3)',
      }),
    ),
    retry_on_exit_code: Type.Optional(
      Type.Boolean({ description: 'also retry when the command exits non-zero (default false)' }),
    ),
    retry_backoff_seconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 3600,
        description:
          'wait before the second attempt, doubled for each further one, at most 600 s (default 10)',
      }),
    ),
    timeout_seconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 7 * 86400,
        description: 'how long the command may run before it is stopped and the run ends timed_out',
      }),
    ),
    cpus: Type.Optional(
      Type.Number({ minimum: 0.01, maximum: 256, description: 'CPU limit in cores, e.g. 0.5' }),
    ),
    memory_mb: Type.Optional(
      Type.Integer({ minimum: 16, maximum: 1_048_576, description: 'memory limit in MiB' }),
    ),
    gpus: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1, maximum: MAX_GPUS }), Type.Literal('all')], {
        description:
          'GPUs the container is given: a count, or "all" of the worker\'s; the run is claimed only by a worker holding the "gpu" tag (its engine has the NVIDIA runtime, or its operator says so), which is added to requires; at most the service\'s TDS_USER_MAX_GPUS',
      }),
    ),
    disk_mb: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 16_777_216,
        description:
          "disk in MiB the run may fill in the folders it can write to (/job/output); a run that writes more is stopped and fails disk_limit_exceeded, with what it wrote uploaded (default: the service's TDS_DEFAULT_DISK_MB)",
      }),
    ),
    env: Type.Optional(
      Type.Record(Type.String({ pattern: ENV_NAME_PATTERN }), Type.String({ maxLength: 32_768 }), {
        maxProperties: 200,
        description: 'environment variables for the command (names starting with TDS_ are reserved)',
      }),
    ),
    secrets: Type.Optional(
      Type.Array(Type.String({ pattern: SECRET_NAME_PATTERN }), {
        maxItems: MAX_JOB_SECRETS,
        description:
          "names of the user's secrets (PUT /secrets/NAME) the command gets as environment variables of those names, opened when each run starts: the values are never stored with the job, never in its image, and masked (***) in its logs; each must exist when the job is submitted",
      }),
    ),
    base_image: Type.Optional(
      Type.String({
        pattern: IMAGE_PATTERN,
        description:
          "the base image of the job image (default: the service's TDS_BASE_IMAGE); pulled for each run unless the operator lists it as a local image, as for image",
      }),
    ),
    metrics_interval_seconds: Type.Optional(
      Type.Number({
        minimum: 0.1,
        maximum: 3600,
        description: 'how often CPU and memory are sampled into metrics.csv',
      }),
    ),
    network: Type.Optional(
      Type.Union([Type.Literal('none'), Type.Literal('bridge')], {
        description:
          'the network the container is on: "none" (loopback only: no way in or out) or "bridge" (can reach the internet); default: the service\'s TDS_DEFAULT_NETWORK',
      }),
    ),
    notify_url: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 2048,
        description:
          "an http(s) URL told when each of the job's runs ends (run.succeeded, run.failed, run.cancelled, run.timed_out), signed as webhooks are; its whsec_ secret is in the answer that creates the job, and only there",
      }),
    ),
    results_retention_days: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_RESULTS_RETENTION_DAYS,
        description: `days after a run ends that its results folder in S3 (logs, outputs, metrics, run.json) is deleted, a whole number up to ${MAX_RESULTS_RETENTION_DAYS}; 0 keeps them for ever; omitted, the service's TDS_RESULTS_RETENTION_DAYS (default 0). Never later than the service's TDS_RETENTION_DAYS, when that is not 0. A workflow's value is its steps'`,
      }),
    ),
    requires: Type.Optional(
      Type.Array(Type.String({ pattern: TAG_PATTERN }), {
        maxItems: MAX_TAGS,
        description:
          'tags a worker must hold, every one of them, to run this job (a worker holds its TDS_WORKER_TAGS and its platform, e.g. "linux/arm64"); runs that no live worker can take stay queued and say what they wait for',
      }),
    ),
  },
  // What the job runs: a command, or a prebuilt image (both at once is refused in normaliseJobRequest).
  { additionalProperties: false, anyOf: [{ required: ['command'] }, { required: ['image'] }] },
);

export type JobRequest = Static<typeof JobRequestSchema>;

export type OverlapPolicy = 'skip' | 'allow' | 'queue_one' | 'replace';
export type CatchUpPolicy = 'latest' | 'all' | 'skip';

/** The fields that only mean something for a job with a cron schedule. */
export const SCHEDULE_FIELDS = [
  'timezone',
  'overlap_policy',
  'catch_up_policy',
  'catch_up_window_seconds',
  'catch_up_limit',
] as const;

/** What makes a schedule (a recurring job's, or a recurring workflow's), defaults applied. */
export type ScheduleSettings = Pick<JobSpec, 'cron' | (typeof SCHEDULE_FIELDS)[number]>;

/** The schedule fields of a request, or of a change to a schedule, as given. */
export type ScheduleRequest = Pick<JobRequest, 'cron' | (typeof SCHEDULE_FIELDS)[number]>;

/** A job as stored: every field present, prefixes normalised, defaults applied. */
export interface JobSpec {
  userId: string;
  uniqueId: string;
  s3_bucket: string;
  source_s3_prefix: string;
  destination_s3_prefix: string;
  /** The shell command; null when the job runs a prebuilt `image` instead. */
  command: string | null;
  /** A prebuilt image run as it is (its entrypoint kept), instead of `command`. */
  image: string | null;
  /** The prebuilt image's command: a list of arguments, or a string for its /bin/sh -c. */
  args: string[] | string | null;
  /** Files from earlier steps of a workflow, staged read-only under /job/steps/<name>/. */
  step_inputs: StepInput[];
  /** Whether the last non-empty line of stdout is kept as the run's result. */
  capture_result: boolean;
  linux_dependencies: string[];
  cron: string | null;
  timezone: string;
  overlap_policy: OverlapPolicy;
  catch_up_policy: CatchUpPolicy;
  catch_up_window_seconds: number;
  catch_up_limit: number;
  max_attempts: number;
  retry_on_exit_code: boolean;
  retry_backoff_seconds: number;
  timeout_seconds: number;
  cpus: number;
  memory_mb: number;
  /** Absent from jobs stored before it existed: the worker's TDS_DEFAULT_DISK_MB applies. */
  disk_mb: number;
  /** GPUs the container is given (a count, or all of the worker's); absent when it asks for none. */
  gpus?: Gpus;
  env: Record<string, string>;
  /** Names of the user's secrets given to the container as environment variables; sorted, no repeats. */
  secrets: string[];
  base_image: string;
  metrics_interval_seconds: number;
  network: JobNetwork;
  /** Told when each run ends (a webhook endpoint of the job's own); absent when not given. */
  notify_url?: string;
  /** Tags the worker must hold, sorted, no repeats. */
  requires: string[];
  /** Days after a run ends that its results folder is deleted (0: never); absent: the service's default. */
  results_retention_days?: number;
  /**
   * Why a fan-out item's run cannot run (its `{{item.FIELD}}` names a field the item lacks, or the
   * image filled from it is refused), found when it was queued: the run fails with it, running nothing.
   */
  item_problem?: string;
}

/** Every object under `bucket`/`prefix` is staged under /job/steps/<name>/ before the run. */
export interface StepInput {
  /** A step's name, or `<step>/<index>` for one item of a fan-out step. */
  name: string;
  bucket: string;
  prefix: string;
  /** Only this object under `prefix` (a fan-out step's manifest, `items.jsonl`); every object when absent. */
  file?: string;
}

/** The fields added to JobSpec after jobs were first stored, with the value they have when absent. */
const LATER_FIELDS = {
  image: null,
  args: null,
  step_inputs: [],
  capture_result: false,
  requires: [],
  secrets: [],
} as const;

/**
 * A spec as read from the database: specs stored before a field existed read as having its
 * default, so a stored job compares equal to the same body posted again.
 */
export function readStoredSpec(stored: unknown): JobSpec {
  const spec = stored as Partial<JobSpec>;
  if (Object.keys(LATER_FIELDS).every((field) => field in spec)) return spec as JobSpec;
  return {
    ...LATER_FIELDS,
    ...spec,
    step_inputs: spec.step_inputs ?? [],
    requires: spec.requires ?? [],
    secrets: spec.secrets ?? [],
  } as JobSpec;
}

/** A stored spec as the request that would produce it (the schedule fields left to the caller). */
export function specAsRequest(spec: JobSpec): JobRequest {
  const { command, image, args, step_inputs: _stepInputs, cron: _cron, ...rest } = spec;
  if (image === null) return { ...rest, command: command ?? '' };
  const { base_image: _baseImage, linux_dependencies: _packages, ...shared } = rest;
  return { ...shared, image, ...(args === null ? {} : { args }) };
}

/** The tags a stored spec requires (none for a job stored before tags existed). */
export function requiredTags(spec: JobSpec): string[] {
  return (spec as Partial<JobSpec>).requires ?? [];
}

export interface JobDefaults {
  timeoutSeconds: number;
  cpus: number;
  memoryMb: number;
  diskMb: number;
  metricsIntervalSeconds: number;
  baseImage: string;
  network: JobNetwork;
}

/**
 * Makes a prefix a folder: leading slashes dropped, a trailing slash added unless empty.
 * Refuses `..` segments and control characters, which could make keys escape the folder.
 */
export function normalisePrefix(field: string, raw: string): string {
  // A workflow's steps are read by the job's rules even when the schema found the field missing:
  // the same problem then, never a TypeError (a 500).
  if (typeof raw !== 'string') throw new ValidationError(`missing required field "${field}"`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(raw)) {
    throw new ValidationError(`${field} must not contain control characters or backslashes`);
  }
  const trimmed = raw.replace(/^\/+/, '');
  if (trimmed === '') return '';
  const segments = trimmed.split('/');
  if (segments.some((s) => s === '..' || s === '.')) {
    throw new ValidationError(`${field} "${raw}" must not contain "." or ".." segments`);
  }
  return trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}

/** Timezone names already found valid: building a DateTimeFormat to check one is costly. */
const knownTimezones = new Set<string>(['UTC']);

export function validateTimezone(timezone: string): void {
  if (knownTimezones.has(timezone)) return;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    // Bounded: the runtime accepts the same name in any letter case, so the set must not grow freely.
    if (knownTimezones.size < 1000) knownTimezones.add(timezone);
  } catch {
    throw new ValidationError(
      `timezone "${timezone}" is not an IANA timezone name such as "Europe/Paris" or "UTC"`,
    );
  }
}

export function validateCron(expression: string, timezone: string): void {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    throw new ValidationError(
      `cron "${expression}" has ${fields.length} fields; use 5 (minute hour day-of-month month day-of-week) or 6 (seconds first)`,
    );
  }
  let schedule: CronSchedule;
  try {
    schedule = CronSchedule.parse(expression, timezone);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ValidationError(`cron "${expression}" is not a valid cron expression: ${reason}`);
  }
  if (!schedule.nextAfter(new Date())) {
    throw new ValidationError(`cron "${expression}" never fires`);
  }
}

/**
 * What the job runs: exactly one of a shell command or a prebuilt image (with its args). Problems
 * are added to `problems`, each at its field.
 */
function runnable(
  request: JobRequest,
  problems: Problem[],
): { command: string | null; image: string | null } {
  const { command, image } = request;
  if (command !== undefined && image !== undefined) {
    problems.push({
      path: '/image',
      message:
        'give either "command" or "image", not both: an image runs its own entrypoint, with "args" as its command',
    });
    return { command, image: null };
  }
  if (command !== undefined) {
    if (request.args !== undefined) {
      problems.push({
        path: '/args',
        message: '"args" is the command of a prebuilt "image"; with "command", drop "args"',
      });
    }
    if (command.trim() === '') problems.push({ path: '/command', message: 'command must not be blank' });
    return { command, image: null };
  }
  if (image === undefined) {
    problems.push({
      path: '',
      message:
        'missing required field "command" (a shell command to run); or give "image" (a prebuilt image to run) instead',
    });
    return { command: null, image: null };
  }
  if ((request.linux_dependencies ?? []).length > 0) {
    problems.push({
      path: '/linux_dependencies',
      message:
        'linux_dependencies cannot be installed on a prebuilt "image", which runs as it is: install them in the image, or use "command" with "base_image"',
    });
  }
  if (request.base_image !== undefined) {
    problems.push({
      path: '/base_image',
      message:
        '"base_image" is what a "command" runs on; a prebuilt "image" runs as it is: drop "base_image"',
    });
  }
  if (typeof request.args === 'string' && request.args.trim() === '') {
    problems.push({ path: '/args', message: 'args must not be blank' });
  }
  return { command: null, image };
}

/** Runs one check; a ValidationError it throws becomes a problem at `path` instead. */
function check(problems: Problem[], path: string, run: () => void): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    problems.push({ path, message: error.message });
  }
}

/**
 * The schedule fields of a request (a job's, a workflow's, or a change to either's schedule)
 * with their defaults; what is wrong with them is added to `problems`, each at its field.
 */
function scheduleOf(request: ScheduleRequest, problems: Problem[]): ScheduleSettings {
  const timezone = request.timezone ?? 'UTC';
  let timezoneValid = true;
  check(problems, '/timezone', () => {
    try {
      validateTimezone(timezone);
    } catch (error) {
      timezoneValid = false;
      throw error;
    }
  });
  const cron = request.cron?.trim() || null;
  if (cron !== null && timezoneValid) check(problems, '/cron', () => validateCron(cron, timezone));
  if (cron === null) {
    const stray = SCHEDULE_FIELDS.filter((field) => request[field] !== undefined);
    for (const field of stray) {
      problems.push({
        path: `/${field}`,
        message: `${field} only applies to a job with a cron schedule; add "cron" or drop it`,
      });
    }
  }
  return {
    cron,
    timezone,
    overlap_policy: request.overlap_policy ?? 'skip',
    catch_up_policy: request.catch_up_policy ?? 'latest',
    catch_up_window_seconds: request.catch_up_window_seconds ?? 3600,
    catch_up_limit: request.catch_up_limit ?? 10,
  };
}

/** Validates schedule fields alone, as a job's are; every problem is reported together. */
export function normaliseSchedule(request: ScheduleRequest): ScheduleSettings {
  const problems: Problem[] = [];
  const schedule = scheduleOf(request, problems);
  if (problems.length > 0) throw ValidationError.of(problems);
  return schedule;
}

/**
 * The env names a definition (or a trigger's env overrides) may not use: TDS_ names are the
 * service's own, given to every run (TDS_SCHEDULED_FOR, a step's TDS_STEP_<NAME>_RESULT…); with
 * `secrets`, a name that is also a secret's (the container can have only one of them).
 */
export function envNameProblems(env: Record<string, string>, secrets: readonly string[] = []): Problem[] {
  const problems: Problem[] = [];
  for (const name of Object.keys(env)) {
    if (name.startsWith('TDS_')) {
      problems.push({
        path: `/env/${name}`,
        message: `env names starting with TDS_ are reserved for the service: ${name}`,
      });
    } else if (secrets.includes(name)) {
      problems.push({
        path: `/env/${name}`,
        message: `"${name}" is one of the definition's secrets: the container can have only one of them; a trigger cannot replace a secret`,
      });
    }
  }
  return problems;
}

/**
 * Validates what the schema cannot express and returns the job as it will be stored. Every
 * problem found is reported together, each at its field.
 */
export function normaliseJobRequest(request: JobRequest, defaults: JobDefaults): JobSpec {
  const problems: Problem[] = [];
  const schedule = scheduleOf(request, problems);
  const { command, image } = runnable(request, problems);
  for (const [field, ref] of [
    ['image', image],
    ['base_image', request.base_image],
  ] as const) {
    const problem = ref === null || ref === undefined ? undefined : forbiddenImageProblem(ref);
    if (problem !== undefined) problems.push({ path: `/${field}`, message: `${field} ${problem}` });
  }
  const env = request.env ?? {};
  problems.push(...envNameProblems(env));
  const secrets = [...new Set(request.secrets ?? [])].sort();
  for (const name of secrets) {
    const at = `/secrets/${(request.secrets ?? []).indexOf(name)}`;
    if (name.startsWith('TDS_')) {
      problems.push({
        path: at,
        message: `secret names starting with TDS_ are reserved for the service: ${name}`,
      });
    } else if (Object.hasOwn(env, name)) {
      problems.push({
        path: at,
        message: `"${name}" is both in env and in secrets: the container can have only one of them; drop it from env`,
      });
    }
  }
  let source = '';
  let destination = '';
  // A workflow's steps are checked as jobs even when its own fields failed their schema: a prefix it
  // lacks is that problem again (one line, the same as the schema's), never a crash.
  for (const field of ['source_s3_prefix', 'destination_s3_prefix'] as const) {
    check(problems, `/${field}`, () => {
      const raw = request[field] as string | undefined;
      if (typeof raw !== 'string') throw new ValidationError(`missing required field "${field}"`);
      if (field === 'source_s3_prefix') source = normalisePrefix(field, raw);
      else destination = normalisePrefix(field, raw);
    });
  }
  if (problems.length > 0) throw ValidationError.of(problems);
  const packages = [...new Set(request.linux_dependencies ?? [])].sort();
  return {
    userId: request.userId,
    uniqueId: request.uniqueId,
    s3_bucket: request.s3_bucket,
    source_s3_prefix: source,
    destination_s3_prefix: destination,
    command,
    image,
    args: image === null ? null : (request.args ?? null),
    step_inputs: [],
    capture_result: request.capture_result ?? false,
    linux_dependencies: packages,
    ...schedule,
    max_attempts: request.max_attempts ?? 3,
    retry_on_exit_code: request.retry_on_exit_code ?? false,
    retry_backoff_seconds: request.retry_backoff_seconds ?? 10,
    timeout_seconds: request.timeout_seconds ?? defaults.timeoutSeconds,
    cpus: request.cpus ?? defaults.cpus,
    memory_mb: request.memory_mb ?? defaults.memoryMb,
    disk_mb: request.disk_mb ?? defaults.diskMb,
    // Left out when not given, so that jobs stored before it existed compare equal to a repost.
    ...(request.gpus !== undefined ? { gpus: request.gpus } : {}),
    env,
    secrets,
    base_image: request.base_image ?? defaults.baseImage,
    metrics_interval_seconds: request.metrics_interval_seconds ?? defaults.metricsIntervalSeconds,
    network: request.network ?? defaults.network,
    // Left out when not given, so that jobs stored before it existed compare equal to a repost.
    ...(request.notify_url !== undefined ? { notify_url: request.notify_url } : {}),
    // A run that asks for GPUs is claimed only by a worker that has them.
    requires: tagSet([...(request.requires ?? []), ...(request.gpus !== undefined ? [GPU_TAG] : [])]),
    // Left out when not given, so that jobs stored before it existed compare equal to a repost.
    ...(request.results_retention_days !== undefined
      ? { results_retention_days: request.results_retention_days }
      : {}),
  };
}
