import { isDeepStrictEqual } from 'node:util';
import type { ObjectStore, PrefixContents } from '../../services/aws/object-store.js';
import type { Database, SqlExecutor } from '../../services/db/database.js';
import type { ContainerEngine } from '../../services/docker/container-engine.js';
import {
  ConflictError,
  NotFoundError,
  UnprocessableError,
  ValidationError,
  errorMessage,
} from '../errors.js';
import {
  decodeCursor,
  findJobByKey,
  getJob,
  insertJobIfAbsent,
  insertJobWithRun,
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
import { keyProblems, storeNewVersion, type FollowChange } from '../versions/new-version.js';
import { versionPageOf, type VersionPageRequest } from '../versions/version-page.js';

/**
 * Where a recurring job's schedule is registered, in the transaction that stores the job: the
 * scheduler's side provides it, so that jobs need nothing of the scheduler.
 */
export interface ScheduleRegistry {
  register(tx: SqlExecutor, jobId: string, spec: JobSpec): Promise<void>;
  /**
   * A job's definition changed: its schedule follows (next fire times recomputed from now, a
   * pause kept), is added if it gained a cron expression, or removed if it lost it.
   */
  reschedule(tx: SqlExecutor, jobId: string, spec: JobSpec): Promise<void>;
}

export interface JobServiceDeps {
  db: Database;
  store: ObjectStore;
  engine: ContainerEngine;
  defaults: JobDefaults;
  schedules: ScheduleRegistry;
  /** Tells of runs queued, cancels requested and schedules registered, so the parts in this process act at once. */
  signals: Pick<Signals, 'runQueued' | 'cancelRequested' | 'scheduleChanged' | 'runFinished'>;
  /** The values of a run's secrets, masked in its live log (the stored logs are masked already). */
  secrets: Pick<SecretService, 'maskFor'>;
  /** The most of each stream GET /runs/:id/logs reads from a running container (TDS_LIVE_LOG_BYTES). */
  liveLogBytes: number;
}

export interface SubmitResult {
  job: Job;
  run: Run | undefined;
  created: boolean;
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

export type JobService = ReturnType<typeof createJobService>;

/**
 * How long a prefix found to hold objects is taken to still hold them, so that a frontend posting
 * job after job over the same inputs costs one request to the store every few seconds, not one
 * per job. Inputs removed meanwhile fail the run when it stages them (`input_error`), as they
 * would if removed after the check. An empty prefix or a missing bucket is never remembered: the
 * inputs may be on their way, and the next post must see them.
 */
const PREFIX_MEMORY_MS = 5_000;
const PREFIX_MEMORY_SIZE = 1_000;

/** The most lines GET /runs/:id/logs asks the engine for, of each stream of a running container. */
const LIVE_LOG_LINES = 10_000;

/** The last `maxBytes` of a text (a character cut at the start shows as U+FFFD). */
function lastBytes(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text);
  return bytes.length > maxBytes ? bytes.subarray(bytes.length - maxBytes).toString() : text;
}

export function createJobService(deps: JobServiceDeps) {
  const { db, store, engine } = deps;
  /** When each bucket and prefix was last found to hold objects. */
  const prefixesWithObjects = new Map<string, number>();

  async function probePrefix(bucket: string, prefix: string): Promise<PrefixContents> {
    const key = `${bucket}/${prefix}`;
    const seen = prefixesWithObjects.get(key);
    if (seen !== undefined && performance.now() - seen < PREFIX_MEMORY_MS) return 'objects';
    const contents = await store.probePrefix(bucket, prefix);
    if (contents === 'objects') {
      if (prefixesWithObjects.size >= PREFIX_MEMORY_SIZE) prefixesWithObjects.clear();
      prefixesWithObjects.set(key, performance.now());
    } else {
      prefixesWithObjects.delete(key);
    }
    return contents;
  }

  /**
   * Why a new job's bucket cannot serve it, or undefined when it can: the bucket must exist, and a
   * job that runs now must find its inputs. At most one request to the store.
   */
  async function bucketProblem(
    bucket: string,
    prefix: string,
    needsInputs: boolean,
  ): Promise<Error | undefined> {
    let contents: PrefixContents;
    try {
      contents = await probePrefix(bucket, prefix);
    } catch (error) {
      return new UnprocessableError(`the service cannot access bucket "${bucket}": ${errorMessage(error)}`);
    }
    if (contents === 'no-bucket') {
      return new UnprocessableError(`bucket "${bucket}" does not exist; create it or name another`);
    }
    if (needsInputs && prefix !== '' && contents === 'empty') {
      return new UnprocessableError(
        `no objects under s3://${bucket}/${prefix}; upload the inputs first, or send "source_s3_prefix": "" for a job without inputs`,
      );
    }
    return undefined;
  }

  /**
   * Stores a new job: one that runs once with its first run queued, in one statement; one with a
   * cron schedule with its schedule, in a transaction. `created` is false when (userId, uniqueId)
   * was stored by another request meanwhile.
   */
  async function storeNewJob(spec: JobSpec): Promise<SubmitResult> {
    if (spec.cron === null) {
      const stored = await insertJobWithRun(db, spec, newRunId());
      if (stored) return { ...stored, created: true };
      const job = await findJobByKey(db, spec.userId, spec.uniqueId);
      return { job: job!, run: undefined, created: false };
    }
    return db.transaction(async (tx) => {
      const { job, created } = await insertJobIfAbsent(tx, spec);
      if (created) await deps.schedules.register(tx, job.id, spec);
      return { job, run: undefined, created };
    });
  }

  function requireUuid(kind: string, id: string): void {
    if (!isUuid(id)) throw new NotFoundError(kind, id);
  }

  return {
    /**
     * Stores the job and queues its first run (a job without `cron` runs once, now). Posting the
     * same userId + uniqueId again returns the existing job; with a different body it is refused.
     */
    async submit(
      request: JobRequest,
      /** Refuses a job its caller may not submit; runs before anything is read or stored. */
      authorise: (spec: JobSpec) => Promise<void> = async () => undefined,
    ): Promise<SubmitResult> {
      const spec = normaliseJobRequest(request, deps.defaults);
      await authorise(spec);
      const existing = async (job: Job): Promise<SubmitResult> => {
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
      };
      // A repeated post is answered from what is stored, whatever has become of the bucket since:
      // the stored job is looked up when the bucket will not do, or when the insert finds it.
      const problem = await bucketProblem(spec.s3_bucket, spec.source_s3_prefix, spec.cron === null);
      if (problem) {
        const known = await findJobByKey(db, spec.userId, spec.uniqueId);
        if (known) return existing(known);
        throw problem;
      }
      const result = await storeNewJob(spec);
      if (!result.created) return existing(result.job);
      if (result.run) deps.signals.runQueued.notify();
      if (spec.cron !== null) deps.signals.scheduleChanged.notify();
      return result;
    },

    /**
     * Validates a job as submit does (schema aside: the route checks that), bucket included, and
     * returns it as it would be stored, storing nothing.
     */
    async dryRun(
      request: JobRequest,
      authorise: (spec: JobSpec) => Promise<void> = async () => undefined,
    ): Promise<JobSpec> {
      const spec = normaliseJobRequest(request, deps.defaults);
      await authorise(spec);
      const problem = await bucketProblem(spec.s3_bucket, spec.source_s3_prefix, false);
      if (problem) throw problem;
      return spec;
    },

    /**
     * Replaces a stored job's definition with a whole new one (same userId and uniqueId): a new
     * version, the earlier kept; a recurring job's next fire times recomputed. Runs already queued
     * or under way keep the definition they were queued with. An unchanged definition changes nothing.
     */
    async replace<F = undefined>(
      id: string,
      request: JobRequest,
      authorise: (spec: JobSpec) => Promise<void> = async () => undefined,
      /** What else follows a changed definition, in its transaction. */
      follow?: FollowChange<JobSpec, F>,
    ): Promise<ReplaceResult<F>> {
      requireUuid('job', id);
      const spec = normaliseJobRequest(request, deps.defaults);
      await authorise(spec);
      const job = await getJob(db, id);
      if (!job) throw new NotFoundError('job', id);
      if (job.deletedAt) throw new ConflictError(`job ${id} was deleted at ${job.deletedAt.toISOString()}`);
      const problems = keyProblems('job', job, spec);
      if (problems.length > 0) throw ValidationError.of(problems);
      const { item, changed, followed } = await storeNewVersion({
        db,
        current: job,
        before: job.spec,
        after: spec,
        check: async () => {
          const problem = await bucketProblem(spec.s3_bucket, spec.source_s3_prefix, false);
          if (problem) throw problem;
        },
        save: async (tx) => {
          const saved = await updateJobSpec(tx, id, spec);
          await deps.schedules.reschedule(tx, id, spec);
          return saved;
        },
        follow,
        stored: () => deps.signals.scheduleChanged.notify(),
      });
      return { job: item, changed, followed };
    },

    /** A page of the definitions the job has had, newest first. */
    async versions(id: string, page: VersionPageRequest) {
      requireUuid('job', id);
      const rows = await listJobVersions(db, id, page);
      // Past the last page a job still has versions: only one that is not there answers 404.
      if (rows.length === 0 && (page.before === undefined || !(await getJob(db, id)))) {
        throw new NotFoundError('job', id);
      }
      return versionPageOf(rows, page.limit);
    },

    async getJob(id: string): Promise<{ job: Job; runs: Run[] }> {
      requireUuid('job', id);
      const job = await getJob(db, id);
      if (!job) throw new NotFoundError('job', id);
      return { job, runs: await listRunsOfJob(db, id, 10) };
    },

    async listJobs(userId: string, limit: number, cursor: string | undefined) {
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      if (cursor !== undefined && !after) {
        throw new ValidationError(
          'cursor is not one this service returned; use nextCursor from the previous page',
        );
      }
      return listJobsOfUser(db, userId, limit, after);
    },

    async getRun(id: string): Promise<{ run: Run; history: RunEvent[] }> {
      requireUuid('run', id);
      const run = await getRun(db, id);
      if (!run) throw new NotFoundError('run', id);
      return { run, history: await listRunEvents(db, id) };
    },

    /** A queued run is cancelled at once; a started one is stopped by its worker, logs kept. */
    async cancel(id: string): Promise<Run> {
      requireUuid('run', id);
      const run = await getRun(db, id);
      if (!run) throw new NotFoundError('run', id);
      if (isTerminal(run.state)) throw new ConflictError(`run ${id} has already ended (${run.state})`);
      if (run.state === 'queued') {
        const cancelled = await cancelQueued(db, id, 'cancelled on request before it started');
        if (cancelled) {
          deps.signals.runFinished.notify(cancelled);
          return cancelled;
        }
      }
      const requested = await requestCancel(db, id);
      if (!requested) return (await getRun(db, id))!;
      deps.signals.cancelRequested.notify();
      return requested;
    },

    /** Live output from the container while it runs; the stored logs once it has ended. */
    async logs(id: string, tailBytes: number): Promise<{ run: Run; logs: RunLogs }> {
      requireUuid('run', id);
      const run = await getRun(db, id);
      if (!run) throw new NotFoundError('run', id);
      if ((run.state === 'running' || run.state === 'uploading') && run.containerId) {
        try {
          const maxBytes = Math.min(tailBytes, deps.liveLogBytes);
          // Masked before the tail is cut, so the cut never leaves part of a value: as many more
          // bytes are read as the longest value has.
          const values = await deps.secrets.maskFor({
            id: run.id,
            userId: run.spec.userId,
            names: run.spec.secrets ?? [],
          });
          const longest = values.reduce((most, value) => Math.max(most, Buffer.byteLength(value)), 0);
          const live = await engine.readLogs(run.containerId, LIVE_LOG_LINES, maxBytes + longest);
          const shown = (text: string) => lastBytes(SecretMasker.maskText(values, text), maxBytes);
          return { run, logs: { source: 'live', stdout: shown(live.stdout), stderr: shown(live.stderr) } };
        } catch {
          // The container is on another host or already removed, or the run's secrets cannot be
          // read here to mask them: fall back to what is stored (masked by the worker).
        }
      }
      const [stdout, stderr] = await Promise.all([
        store.getObjectText(run.resultsBucket, `${run.resultsPrefix}stdout.log`, tailBytes),
        store.getObjectText(run.resultsBucket, `${run.resultsPrefix}stderr.log`, tailBytes),
      ]);
      if (stdout === undefined && stderr === undefined)
        return { run, logs: { source: 'none', stdout: '', stderr: '' } };
      return { run, logs: { source: 'stored', stdout: stdout ?? '', stderr: stderr ?? '' } };
    },
  };
}
