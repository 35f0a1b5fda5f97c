import type { QueueRoom } from '../runs/queue-room.js';
import type { Database, SqlExecutor } from '../../services/db/database.js';
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

/**
 * What follows a stored definition, the same for a job and a workflow: pause, resume, trigger now,
 * change the schedule, delete, and reading its schedule. Each kind says only what is its own
 * (`DefinitionKind`: how it is read and stored, what a run of it is, what its deletion ends);
 * the rules (404 or 409, which schedule may be paused, waiting for a fire being decided, the next
 * fire times) are written once, here.
 */

export type ScheduleChange = ScheduleRequest;

/** What the lifecycle needs of a kind of definition (`T`) whose runs started by hand are `S`. */
export interface DefinitionKind<T extends { deletedAt: Date | null }, S> {
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
  /** Starts a run now, in `tx` (the schedule locked); `announce` tells the parts in this process. */
  startNow(tx: SqlExecutor, item: T): Promise<{ started: S; announce: () => void }>;
  /** Ends what must not run once it is deleted (its queued runs) and marks it deleted, in `tx`. */
  remove(tx: SqlExecutor, id: string): Promise<{ item: T; announce: () => void }>;
}

export interface DefinitionSchedulesDeps {
  db: Database;
  /** Whether a user may queue one more run: a trigger starts one. */
  queue: Pick<QueueRoom, 'assertRoom'>;
  signals: Pick<Signals, 'scheduleChanged'>;
}

/** A definition that has not been deleted: 404 when unknown, 409 when deleted. */
async function liveDefinition<T extends { deletedAt: Date | null }, S>(
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

async function scheduleToPause<T extends { deletedAt: Date | null }, S>(
  db: SqlExecutor,
  kind: DefinitionKind<T, S>,
  id: string,
): Promise<Schedule> {
  await liveDefinition(db, kind, id);
  const schedule = await getSchedule(db, id);
  if (!schedule) {
    throw new ConflictError(
      `${kind.noun} ${id} has no cron schedule; only recurring ${kind.noun}s can be paused or resumed${kind.addCronHint}`,
    );
  }
  return schedule;
}

/** No fire times are acted on while paused; they are not caught up on resume. */
export async function pauseDefinition<T extends { deletedAt: Date | null }, S>(
  deps: DefinitionSchedulesDeps,
  kind: DefinitionKind<T, S>,
  id: string,
): Promise<void> {
  const schedule = await scheduleToPause(deps.db, kind, id);
  if (!schedule.paused) await setPaused(deps.db, id, true, null);
}

/** Fires again from the next fire time after now. */
export async function resumeDefinition<T extends { deletedAt: Date | null }, S>(
  deps: DefinitionSchedulesDeps,
  kind: DefinitionKind<T, S>,
  id: string,
): Promise<void> {
  const schedule = await scheduleToPause(deps.db, kind, id);
  if (!schedule.paused) return;
  await setPaused(deps.db, id, false, await nextFireAfterNow(deps.db, schedule.cron, schedule.timezone));
  deps.signals.scheduleChanged.notify();
}

/**
 * Starts a run now, whatever the schedule (recurring or not). A fire of the schedule being decided
 * (up to a second before its fire time) is waited for, so that its overlap policy never misses
 * this run: the run comes after that fire.
 */
export async function triggerDefinition<T extends { deletedAt: Date | null }, S>(
  deps: DefinitionSchedulesDeps,
  kind: DefinitionKind<T, S>,
  id: string,
): Promise<S> {
  const item = await liveDefinition(deps.db, kind, id);
  await deps.queue.assertRoom(kind.userOf(item));
  const { started, announce } = await deps.db.transaction(async (tx) => {
    await lockSchedule(tx, id);
    return kind.startNow(tx, item);
  });
  announce();
  return started;
}

/**
 * Changes the schedule's expression, timezone or policies, validated as a new definition's are
 * (adding "cron" makes it recurring): a new version, the next fire times recomputed from now.
 */
export async function changeSchedule<T extends { deletedAt: Date | null }, S>(
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
    return saved;
  });
  deps.signals.scheduleChanged.notify();
  return updated;
}

/** No future runs; queued ones are cancelled (those under way finish); it and its runs stay readable. */
export async function removeDefinition<T extends { deletedAt: Date | null }, S>(
  deps: DefinitionSchedulesDeps,
  kind: DefinitionKind<T, S>,
  id: string,
): Promise<T> {
  await liveDefinition(deps.db, kind, id);
  const { item, announce } = await deps.db.transaction(async (tx) => {
    await deleteSchedule(tx, id);
    return kind.remove(tx, id);
  });
  announce();
  return item;
}

/** The lifecycle of one kind of definition, as its routes call it. */
export function definitionSchedules<T extends { deletedAt: Date | null }, S>(
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
    trigger: (id: string) => triggerDefinition(deps, kind, id),
    change: (id: string, change: ScheduleChange) => changeSchedule(deps, kind, id, change),
    remove: (id: string) => removeDefinition(deps, kind, id),
  };
}

export type DefinitionSchedules<T extends { deletedAt: Date | null }, S> = ReturnType<
  typeof definitionSchedules<T, S>
>;
