import type { QueueRoom } from '../runs/queue-room.js';
import type { Database, SqlExecutor } from '../../services/db/database.js';
import type { AuditEntry, AuditTrail } from '../audit/audit-trail.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { ScheduleRequest, ScheduleSettings } from '../jobs/job-spec.js';
import {
  deleteSchedule,
  getSchedule,
  lockSchedule,
  setPaused,
  type Schedule,
  type ScheduleOwner,
} from '../scheduler/schedule-repository.js';
import type { Signals } from '../signals.js';
import { nextFireAfterNow, scheduleDetails, syncSchedule } from './schedule-sync.js';
import { databaseNow } from '../clock.js';
import { CronSchedule } from '../cron/cron-schedule.js';
import { backfillFireTimes, backfillPeriod, type BackfillRequest } from './backfill.js';
import {
  overridesSummary,
  resolveOverrides,
  type OverrideTarget,
  type RunOverrides,
  type TriggerRequest,
} from './trigger-overrides.js';

/**
 * What follows a stored definition, the same for a job and a workflow: pause, resume, trigger now,
 * change the schedule, delete, and reading its schedule. Each kind says only what is its own
 * (`DefinitionKind`: how it is read and stored, what a run of it is, what its deletion ends);
 * the rules (404 or 409, which schedule may be paused, waiting for a fire being decided, the next
 * fire times) are written once, here.
 */

export type ScheduleChange = ScheduleRequest;

/** What every stored definition has: whose it is, and whether it was deleted. */
export interface StoredDefinition {
  id: string;
  userId: string;
  deletedAt: Date | null;
}

/** What the lifecycle needs of a kind of definition (`T`) whose runs started by hand are `S`. */
export interface DefinitionKind<T extends StoredDefinition, S> {
  noun: 'job' | 'workflow';
  /** Added to the 409 for pausing one without a schedule. */
  addCronHint: string;
  /** The definition, deleted or not; undefined when there is none. */
  read(db: SqlExecutor, id: string): Promise<T | undefined>;
  owner(id: string): ScheduleOwner;
  /** The user whose definition it is. */
  userOf(item: T): string;
  /** Its schedule settings after `change` (validated as a new definition's are). */
  changed(item: T, change: ScheduleChange): ScheduleSettings & { cron: string | null };
  /** Stores the changed settings as a new version, in `tx`. */
  saveSettings(tx: SqlExecutor, item: T, settings: ScheduleSettings): Promise<T>;
  scheduleOf(item: T): ScheduleSettings;
  /** What a trigger's overrides are checked against: its secrets, and a workflow's params. */
  overrideTarget(item: T): OverrideTarget;
  /** Starts a run now, in `tx` (the schedule locked); `announce` tells the parts in this process. */
  startNow(tx: SqlExecutor, item: T, start: RunStart): Promise<{ started: S; announce: () => void }>;
  /** The id of a started run (a run's, or a workflow run's). */
  idOf(started: S): string;
  /** Ends what must not run once it is deleted (its queued runs) and marks it deleted, in `tx`. */
  remove(tx: SqlExecutor, id: string): Promise<{ item: T; announce: () => void }>;
}

/** How a run started by hand starts: a trigger (with its overrides), or one fire time of a backfill. */
export interface RunStart {
  trigger: 'manual' | 'backfill';
  overrides?: RunOverrides;
  scheduledFor?: Date;
  waitsForPrevious?: boolean;
}

export interface DefinitionSchedulesDeps {
  db: Database;
  /** TDS_BACKFILL_MAX_RUNS: the most fire times one backfill queues. */
  backfillMaxRuns: number;
  /** Whether a user may queue one more run: a trigger starts one. */
  queue: Pick<QueueRoom, 'assertRoom'>;
  signals: Pick<Signals, 'scheduleChanged'>;
  /** Every change here is recorded in its transaction. */
  audit: Pick<AuditTrail, 'record' | 'write'>;
}

/** The audit record of a lifecycle change of a definition. */
function lifecycleEntry(
  noun: 'job' | 'workflow',
  change: 'paused' | 'resumed' | 'triggered' | 'backfilled' | 'schedule_changed' | 'deleted',
  item: StoredDefinition,
  summary: Record<string, unknown> = {},
): AuditEntry {
  return { action: `${noun}.${change}`, target: { kind: noun, id: item.id }, ownerId: item.userId, summary };
}

/** A definition that has not been deleted: 404 when unknown, 409 when deleted. */
async function liveDefinition<T extends StoredDefinition, S>(
  db: SqlExecutor,
  kind: DefinitionKind<T, S>,
  id: string,
): Promise<T> {
  const item = await kind.read(db, id);
  if (!item) throw new NotFoundError(kind.noun, id);
  if (item.deletedAt)
    throw new ConflictError(`${kind.noun} ${id} was deleted at ${item.deletedAt.toISOString()}`);
  return item;
}

async function scheduleToPause<T extends StoredDefinition, S>(
  db: SqlExecutor,
  kind: DefinitionKind<T, S>,
  id: string,
): Promise<{ item: T; schedule: Schedule }> {
  const item = await liveDefinition(db, kind, id);
  const schedule = await getSchedule(db, id);
  if (!schedule) {
    throw new ConflictError(
      `${kind.noun} ${id} has no cron schedule; only recurring ${kind.noun}s can be paused or resumed${kind.addCronHint}`,
    );
  }
  return { item, schedule };
}

/** No fire times are acted on while paused; they are not caught up on resume. */
export async function pauseDefinition<T extends StoredDefinition, S>(
  deps: DefinitionSchedulesDeps,
  kind: DefinitionKind<T, S>,
  id: string,
): Promise<void> {
  const { item, schedule } = await scheduleToPause(deps.db, kind, id);
  if (!schedule.paused) {
    await deps.audit.write(
      deps.db,
      (tx) => setPaused(tx, id, true, null),
      () => lifecycleEntry(kind.noun, 'paused', item),
    );
  }
}

/** Fires again from the next fire time after now. */
export async function resumeDefinition<T extends StoredDefinition, S>(
  deps: DefinitionSchedulesDeps,
  kind: DefinitionKind<T, S>,
  id: string,
): Promise<void> {
  const { item, schedule } = await scheduleToPause(deps.db, kind, id);
  if (!schedule.paused) return;
  const next = await nextFireAfterNow(deps.db, schedule.cron, schedule.timezone);
  await deps.audit.write(
    deps.db,
    (tx) => setPaused(tx, id, false, next),
    () => lifecycleEntry(kind.noun, 'resumed', item, { nextFireAt: next?.toISOString() ?? null }),
  );
  deps.signals.scheduleChanged.notify();
}

/**
 * Starts a run now, whatever the schedule (recurring or not). A fire of the schedule being decided
 * (up to a second before its fire time) is waited for, so that its overlap policy never misses
 * this run: the run comes after that fire.
 */
export async function triggerDefinition<T extends StoredDefinition, S>(
  deps: DefinitionSchedulesDeps,
  kind: DefinitionKind<T, S>,
  id: string,
  body?: TriggerRequest,
): Promise<S> {
  const item = await liveDefinition(deps.db, kind, id);
  const overrides = resolveOverrides(body, kind.overrideTarget(item));
  await deps.queue.assertRoom(kind.userOf(item));
  const { started, announce } = await deps.db.transaction(async (tx) => {
    await lockSchedule(tx, id);
    const now = await kind.startNow(tx, item, { trigger: 'manual', ...(overrides ? { overrides } : {}) });
    const changed = overridesSummary(overrides);
    await deps.audit.record(
      tx,
      lifecycleEntry(kind.noun, 'triggered', item, {
        started: kind.idOf(now.started),
        ...(changed ? { overrides: changed } : {}),
      }),
    );
    return now;
  });
  announce();
  return started;
}

/** What a backfill queued (or, for a dry run, would queue): each fire time, with its run's id. */
export interface BackfillAnswer {
  dryRun: boolean;
  from: Date;
  to: Date;
  runs: { id: string | null; scheduledFor: Date }[];
}

/**
 * Queues one run per fire time of the definition's cron in `[from, to)` (src/definitions/backfill.ts),
 * oldest first, each with its fire time as `scheduledFor`, in one transaction. They are queued as
 * the scheduler queues caught-up fire times: under overlap policy `allow` side by side, under any
 * other one after another (each waits for the one before, and for a run under way). None is
 * skipped or replaces another: a backfill asks for these fire times by name. Counted against the
 * queued-runs limits as a whole: refused (429) when they would pass them.
 */
export async function backfillDefinition<T extends StoredDefinition, S>(
  deps: DefinitionSchedulesDeps,
  kind: DefinitionKind<T, S>,
  id: string,
  request: BackfillRequest,
  dryRun: boolean,
): Promise<BackfillAnswer> {
  const item = await liveDefinition(deps.db, kind, id);
  const schedule = kind.scheduleOf(item);
  if (schedule.cron === null) {
    throw new ConflictError(
      `${kind.noun} ${id} has no cron schedule, so it has no fire times to backfill${kind.addCronHint}; trigger it instead to run it once`,
    );
  }
  const period = backfillPeriod(request, await databaseNow(deps.db));
  const times = backfillFireTimes(
    CronSchedule.parse(schedule.cron, schedule.timezone),
    period,
    deps.backfillMaxRuns,
  );
  if (dryRun || times.length === 0)
    return { dryRun, ...period, runs: times.map((scheduledFor) => ({ id: null, scheduledFor })) };
  await deps.queue.assertRoom(kind.userOf(item), times.length);
  const waitsForPrevious = schedule.overlap_policy !== 'allow';
  const { runs, announces } = await deps.db.transaction(async (tx) => {
    await lockSchedule(tx, id);
    const queued: BackfillAnswer['runs'] = [];
    const calls: (() => void)[] = [];
    for (const scheduledFor of times) {
      const now = await kind.startNow(tx, item, { trigger: 'backfill', scheduledFor, waitsForPrevious });
      queued.push({ id: kind.idOf(now.started), scheduledFor });
      calls.push(now.announce);
    }
    await deps.audit.record(
      tx,
      lifecycleEntry(kind.noun, 'backfilled', item, {
        from: period.from.toISOString(),
        to: period.to.toISOString(),
        runs: queued.length,
        first: queued[0]!.id,
      }),
    );
    return { runs: queued, announces: calls };
  });
  announces.forEach((announce) => announce());
  return { dryRun: false, ...period, runs };
}

/**
 * Changes the schedule's expression, timezone or policies, validated as a new definition's are
 * (adding "cron" makes it recurring): a new version, the next fire times recomputed from now.
 */
export async function changeSchedule<T extends StoredDefinition, S>(
  deps: DefinitionSchedulesDeps,
  kind: DefinitionKind<T, S>,
  id: string,
  change: ScheduleChange,
): Promise<T> {
  const item = await liveDefinition(deps.db, kind, id);
  const settings = kind.changed(item, change);
  if (settings.cron === null)
    throw new ConflictError(`${kind.noun} ${id} has no cron schedule; send "cron" to add one`);
  const updated = await deps.db.transaction(async (tx) => {
    const saved = await kind.saveSettings(tx, item, settings);
    await syncSchedule(tx, kind.owner(id), kind.scheduleOf(saved));
    await deps.audit.record(tx, lifecycleEntry(kind.noun, 'schedule_changed', item, { change }));
    return saved;
  });
  deps.signals.scheduleChanged.notify();
  return updated;
}

/** No future runs; queued ones are cancelled (those under way finish); it and its runs stay readable. */
export async function removeDefinition<T extends StoredDefinition, S>(
  deps: DefinitionSchedulesDeps,
  kind: DefinitionKind<T, S>,
  id: string,
): Promise<T> {
  await liveDefinition(deps.db, kind, id);
  const { item, announce } = await deps.db.transaction(async (tx) => {
    await deleteSchedule(tx, id);
    const removed = await kind.remove(tx, id);
    await deps.audit.record(tx, lifecycleEntry(kind.noun, 'deleted', removed.item));
    return removed;
  });
  announce();
  return item;
}

/** The lifecycle of one kind of definition, as its routes call it. */
export function definitionSchedules<T extends StoredDefinition, S>(
  deps: DefinitionSchedulesDeps,
  kind: DefinitionKind<T, S>,
) {
  return {
    /** The definition, deleted or not (404 when unknown). */
    async get(id: string): Promise<T> {
      const item = await kind.read(deps.db, id);
      if (!item) throw new NotFoundError(kind.noun, id);
      return item;
    },
    /** Its schedule with its description, next fire times and recent fires; undefined without one. */
    details: (id: string, upcoming = 5, recent = 20) => scheduleDetails(deps.db, id, upcoming, recent),
    pause: (id: string) => pauseDefinition(deps, kind, id),
    resume: (id: string) => resumeDefinition(deps, kind, id),
    trigger: (id: string, body?: TriggerRequest) => triggerDefinition(deps, kind, id, body),
    backfill: (id: string, request: BackfillRequest, dryRun = false) =>
      backfillDefinition(deps, kind, id, request, dryRun),
    change: (id: string, change: ScheduleChange) => changeSchedule(deps, kind, id, change),
    remove: (id: string) => removeDefinition(deps, kind, id),
  };
}

export type DefinitionSchedules<T extends StoredDefinition, S> = ReturnType<typeof definitionSchedules<T, S>>;
