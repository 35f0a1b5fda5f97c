import type { QueueRoom } from '../runs/queue-room.js';
import { isDeepStrictEqual } from 'node:util';
import type { ObjectStore } from '../../services/aws/object-store.js';
import type { Database, SqlExecutor } from '../../services/db/database.js';
import type { ContainerEngine } from '../../services/docker/container-engine.js';
import type { ClaimingOffer } from '../fleet/worker-registry.js';
import type { AuditEntry, AuditTrail } from '../audit/audit-trail.js';
import type { BucketCheck } from '../definitions/bucket-check.js';
import { anyone, jobDefinition, type Authorise } from '../definitions/definition-rules.js';
import { dryRunDefinition, replaceDefinition, submitDefinition } from '../definitions/definition-store.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import {
  findJobByKey,
  getJob,
  insertJobIfAbsent,
  insertJobWithRun,
  newJobId,
  listJobVersions,
  listJobsOfUser,
  updateJobSpec,
  type Job,
} from './job-repository.js';
import {
  normaliseJobRequest,
  requiredTags,
  type JobDefaults,
  type JobRequest,
  type JobSpec,
} from './job-spec.js';
import { definitionPageAfter } from './page-cursor.js';
import { isUuid } from '../ids.js';
import {
  getRun,
  listRunEvents,
  listRunsOfJob,
  newRunId,
  requestCancel,
  type Run,
  type RunEvent,
} from '../runs/run-repository.js';
import { isTerminal } from '../runs/run-states.js';
import { cancelQueued } from '../runs/transitions.js';
import { SecretMasker } from '../secrets/secret-masker.js';
import type { SecretService } from '../secrets/secret-service.js';
import type { Signals } from '../signals.js';
import { keyProblems, type FollowChange } from '../versions/new-version.js';
import { versionPageOf, type VersionPageRequest } from '../versions/version-page.js';

/**
 * Jobs: the job shape of the one definition model (src/definitions), whose rules (checks, a
 * repeat, versions, schedules) it uses as workflows do; and a job's runs, read and cancelled.
 */

/**
 * Where a job's schedule follows its stored definition, in the transaction that stores it (added,
 * changed with its next fire times recomputed from now, a pause kept, or removed without cron):
 * the definitions' side provides it, so that jobs need nothing of the scheduler.
 */
export interface ScheduleRegistry {
  sync(tx: SqlExecutor, jobId: string, spec: JobSpec): Promise<void>;
}

export interface JobServiceDeps {
  db: Database;
  /** Jobs created and updated and runs cancelled are recorded in their transaction. */
  audit: Pick<AuditTrail, 'record' | 'write' | 'rowOf'>;
  store: ObjectStore;
  engine: ContainerEngine;
  defaults: JobDefaults;
  schedules: ScheduleRegistry;
  /** Whether a definition's bucket can serve it (shared with workflows). */
  buckets: BucketCheck;
  /** Whether a user may queue one more run (shared with workflows). */
  queue: QueueRoom;
  /** Tells of runs queued, cancels requested and schedules registered, so the parts in this process act at once. */
  signals: Pick<Signals, 'runQueued' | 'cancelRequested' | 'scheduleChanged' | 'runFinished'>;
  /** The values of a run's secrets, masked in its live log (the stored logs are masked already). */
  secrets: Pick<SecretService, 'maskFor'>;
  /** The most of each stream GET /runs/:id/logs reads from a running container (TDS_LIVE_LOG_BYTES). */
  liveLogBytes: number;
  /** A worker silent for this long claims nothing (TDS_LEASE_MS): the submit's answer reads those that claim. */
  leaseMs: number;
}

export interface SubmitResult {
  job: Job;
  run: Run | undefined;
  created: boolean;
  /** The offers of the workers claiming as the run was queued, read with it (a new job's run only). */
  claimingOffers?: ClaimingOffer[];
}

export interface ReplaceResult<F = undefined> {
  job: Job;
  changed: boolean;
  /** What `follow` answered, when the definition changed. */
  followed?: F;
}

export interface RunLogs {
  source: 'live' | 'stored' | 'none';
  stdout: string;
  stderr: string;
}

/** The most lines GET /runs/:id/logs asks the engine for, of each stream of a running container. */
const LIVE_LOG_LINES = 10_000;

/** The last `maxBytes` of a text (a character cut at the start shows as U+FFFD). */
function lastBytes(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text);
  return bytes.length > maxBytes ? bytes.subarray(bytes.length - maxBytes).toString() : text;
}

function requireUuid(kind: string, id: string): void {
  if (!isUuid(id)) throw new NotFoundError(kind, id);
}

/** The answer to a repeated post: the stored job and its latest run, or 409 when it differs or was deleted. */
async function answerStoredJob(db: Database, spec: JobSpec, job: Job): Promise<SubmitResult> {
  if (job.deletedAt) {
    throw new ConflictError(
      `uniqueId "${spec.uniqueId}" belonged to job ${job.id}, deleted at ${job.deletedAt.toISOString()}; use a new uniqueId`,
    );
  }
  // A job stored before `requires` existed required nothing.
  if (!isDeepStrictEqual({ ...job.spec, requires: requiredTags(job.spec) }, spec)) {
    throw new ConflictError(
      `uniqueId "${spec.uniqueId}" is already used by job ${job.id} of user "${spec.userId}" with a different definition; use a new uniqueId for a new job`,
    );
  }
  const [latest] = await listRunsOfJob(db, job.id, 1);
  return { job, run: latest, created: false };
}

/**
 * Stores a new job: one that runs once with its first run queued, in one statement; one with a
 * cron schedule with its schedule, in a transaction. `stored` when (userId, uniqueId) was stored
 * by another request meanwhile.
 */
async function storeNewJob(
  deps: JobServiceDeps,
  spec: JobSpec,
): Promise<{ answer: SubmitResult } | { stored: Job }> {
  const { db } = deps;
  if (spec.cron === null) {
    const ids = { jobId: newJobId(), runId: newRunId() };
    const job = { id: ids.jobId, userId: spec.userId, uniqueId: spec.uniqueId };
    const entry = jobEntry('job.created', job, { runId: ids.runId });
    const inserted = await insertJobWithRun(db, spec, ids, deps.audit.rowOf(entry), deps.leaseMs);
    if (inserted) return { answer: { ...inserted, created: true } };
    return { stored: (await findJobByKey(db, spec.userId, spec.uniqueId))! };
  }
  const { job, created } = await db.transaction(async (tx) => {
    const result = await insertJobIfAbsent(tx, spec);
    if (result.created) {
      await deps.schedules.sync(tx, result.job.id, spec);
      await deps.audit.record(tx, jobEntry('job.created', result.job, { cron: spec.cron }));
    }
    return result;
  });
  return created ? { answer: { job, run: undefined, created: true } } : { stored: job };
}

/**
 * Stores the job and queues its first run (a job without `cron` runs once, now). Posting the same
 * userId + uniqueId again returns the existing job; with a different body it is refused.
 */
export async function submitJob(
  deps: JobServiceDeps,
  request: JobRequest,
  authorise: Authorise = anyone,
): Promise<SubmitResult> {
  const { db } = deps;
  const spec = normaliseJobRequest(request, deps.defaults);
  const result = await submitDefinition<Job, SubmitResult>({
    definition: jobDefinition(spec),
    authorise,
    buckets: deps.buckets,
    queue: deps.queue,
    findStored: () => findJobByKey(db, spec.userId, spec.uniqueId),
    answerStored: (job) => answerStoredJob(db, spec, job),
    store: () => storeNewJob(deps, spec),
  });
  if (result.created && result.run) deps.signals.runQueued.notify();
  if (result.created && spec.cron !== null) deps.signals.scheduleChanged.notify();
  return result;
}

/** Validates a job as submit does (schema aside: the route checks that), bucket included; stores nothing. */
export async function dryRunJob(
  deps: JobServiceDeps,
  request: JobRequest,
  authorise: Authorise = anyone,
): Promise<JobSpec> {
  const spec = normaliseJobRequest(request, deps.defaults);
  await dryRunDefinition(deps.buckets, jobDefinition(spec), authorise);
  return spec;
}

/**
 * Replaces a stored job's definition with a whole new one (same userId and uniqueId): a new
 * version, the earlier kept; a recurring job's next fire times recomputed. Runs already queued or
 * under way keep the definition they were queued with. An unchanged definition changes nothing.
 */
export async function replaceJob<F = undefined>(
  deps: JobServiceDeps,
  id: string,
  request: JobRequest,
  authorise: Authorise = anyone,
  /** What else follows a changed definition, in its transaction. */
  follow?: FollowChange<JobSpec, F>,
): Promise<ReplaceResult<F>> {
  const { db } = deps;
  requireUuid('job', id);
  const spec = normaliseJobRequest(request, deps.defaults);
  const job = await getJob(db, id);
  if (!job) throw new NotFoundError('job', id);
  if (job.deletedAt) throw new ConflictError(`job ${id} was deleted at ${job.deletedAt.toISOString()}`);
  const problems = keyProblems('job', job, spec);
  if (problems.length > 0) throw ValidationError.of(problems);
  const { item, changed, followed } = await replaceDefinition({
    db,
    buckets: deps.buckets,
    authorise,
    current: job,
    before: job.spec,
    after: spec,
    definition: jobDefinition(spec),
    save: async (tx) => {
      const saved = await updateJobSpec(tx, id, spec);
      await deps.schedules.sync(tx, id, spec);
      await deps.audit.record(tx, jobEntry('job.updated', saved, { version: saved.version }));
      return saved;
    },
    follow,
    stored: () => deps.signals.scheduleChanged.notify(),
  });
  return { job: item, changed, followed };
}

/** A page of the definitions the job has had, newest first. */
export async function jobVersions(deps: JobServiceDeps, id: string, page: VersionPageRequest) {
  requireUuid('job', id);
  const rows = await listJobVersions(deps.db, id, page);
  // Past the last page a job still has versions: only one that is not there answers 404.
  if (rows.length === 0 && (page.before === undefined || !(await getJob(deps.db, id)))) {
    throw new NotFoundError('job', id);
  }
  return versionPageOf(rows, page.limit);
}

/** A job, deleted or not, and its latest runs. */
export async function readJob(deps: JobServiceDeps, id: string): Promise<{ job: Job; runs: Run[] }> {
  requireUuid('job', id);
  const job = await getJob(deps.db, id);
  if (!job) throw new NotFoundError('job', id);
  return { job, runs: await listRunsOfJob(deps.db, id, 10) };
}

/** A page of a user's jobs, newest first. */
export async function listJobs(
  deps: JobServiceDeps,
  userId: string,
  limit: number,
  cursor: string | undefined,
) {
  return listJobsOfUser(deps.db, userId, limit, definitionPageAfter(cursor));
}

/** A run and its history. */
export async function readRun(deps: JobServiceDeps, id: string): Promise<{ run: Run; history: RunEvent[] }> {
  requireUuid('run', id);
  const run = await getRun(deps.db, id);
  if (!run) throw new NotFoundError('run', id);
  return { run, history: await listRunEvents(deps.db, id) };
}

function jobEntry(
  action: 'job.created' | 'job.updated',
  job: Pick<Job, 'id' | 'userId' | 'uniqueId'>,
  summary: Record<string, unknown>,
): AuditEntry {
  return {
    action,
    target: { kind: 'job', id: job.id },
    ownerId: job.userId,
    summary: { uniqueId: job.uniqueId, ...summary },
  };
}

/** A run cancelled on request: its state when asked (a queued one ends at once). */
function runCancelEntry(run: Run, stateWhenAsked: string): AuditEntry {
  return {
    action: 'run.cancelled',
    target: { kind: 'run', id: run.id },
    ownerId: run.spec.userId,
    summary: { jobId: run.jobId, state: stateWhenAsked },
  };
}

/** A queued run is cancelled at once; a started one is stopped by its worker, logs kept. */
export async function cancelRun(deps: JobServiceDeps, id: string): Promise<Run> {
  const { db } = deps;
  requireUuid('run', id);
  const run = await getRun(db, id);
  if (!run) throw new NotFoundError('run', id);
  if (isTerminal(run.state)) throw new ConflictError(`run ${id} has already ended (${run.state})`);
  if (run.state === 'queued') {
    const cancelled = await deps.audit.write(
      db,
      (tx) => cancelQueued(tx, id, 'cancelled on request before it started'),
      (ended) => ended && runCancelEntry(ended, 'queued'),
    );
    if (cancelled) {
      deps.signals.runFinished.notify(cancelled);
      return cancelled;
    }
  }
  const requested = await deps.audit.write(
    db,
    (tx) => requestCancel(tx, id),
    (asked) => asked && runCancelEntry(asked, asked.state),
  );
  if (!requested) return (await getRun(db, id))!;
  deps.signals.cancelRequested.notify();
  return requested;
}

/** A running run's live output, its secrets masked; undefined when it cannot be read here. */
async function liveLogs(deps: JobServiceDeps, run: Run, tailBytes: number): Promise<RunLogs | undefined> {
  if (!((run.state === 'running' || run.state === 'uploading') && run.containerId)) return undefined;
  try {
    const maxBytes = Math.min(tailBytes, deps.liveLogBytes);
    // Masked before the tail is cut, so the cut never leaves part of a value: as many more bytes
    // are read as the longest value has.
    const values = await deps.secrets.maskFor({
      id: run.id,
      userId: run.spec.userId,
      names: run.spec.secrets ?? [],
    });
    const longest = values.reduce((most, value) => Math.max(most, Buffer.byteLength(value)), 0);
    const live = await deps.engine.readLogs(run.containerId, LIVE_LOG_LINES, maxBytes + longest);
    const shown = (text: string) => lastBytes(SecretMasker.maskText(values, text), maxBytes);
    return { source: 'live', stdout: shown(live.stdout), stderr: shown(live.stderr) };
  } catch {
    // The container is on another host or already removed, or the run's secrets cannot be read
    // here to mask them: fall back to what is stored (masked by the worker).
    return undefined;
  }
}

/** Live output from the container while it runs; the stored logs once it has ended. */
export async function runLogs(
  deps: JobServiceDeps,
  id: string,
  tailBytes: number,
): Promise<{ run: Run; logs: RunLogs }> {
  requireUuid('run', id);
  const run = await getRun(deps.db, id);
  if (!run) throw new NotFoundError('run', id);
  const live = await liveLogs(deps, run, tailBytes);
  if (live) return { run, logs: live };
  const [stdout, stderr] = await Promise.all([
    deps.store.getObjectText(run.resultsBucket, `${run.resultsPrefix}stdout.log`, tailBytes),
    deps.store.getObjectText(run.resultsBucket, `${run.resultsPrefix}stderr.log`, tailBytes),
  ]);
  if (stdout === undefined && stderr === undefined)
    return { run, logs: { source: 'none', stdout: '', stderr: '' } };
  return { run, logs: { source: 'stored', stdout: stdout ?? '', stderr: stderr ?? '' } };
}

/** The job service: the functions above, bound to their collaborators. */
export function createJobService(deps: JobServiceDeps) {
  return {
    submit: (request: JobRequest, authorise?: Authorise) => submitJob(deps, request, authorise),
    dryRun: (request: JobRequest, authorise?: Authorise) => dryRunJob(deps, request, authorise),
    replace: <F = undefined>(
      id: string,
      request: JobRequest,
      authorise?: Authorise,
      follow?: FollowChange<JobSpec, F>,
    ) => replaceJob(deps, id, request, authorise, follow),
    versions: (id: string, page: VersionPageRequest) => jobVersions(deps, id, page),
    getJob: (id: string) => readJob(deps, id),
    listJobs: (userId: string, limit: number, cursor: string | undefined) =>
      listJobs(deps, userId, limit, cursor),
    getRun: (id: string) => readRun(deps, id),
    cancel: (id: string) => cancelRun(deps, id),
    logs: (id: string, tailBytes: number) => runLogs(deps, id, tailBytes),
  };
}

export type JobService = ReturnType<typeof createJobService>;
