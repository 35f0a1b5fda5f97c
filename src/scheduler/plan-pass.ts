import { decideOverlap, type UnfinishedRun } from './overlap.js';
import { planFires } from './plan-fires.js';
import type { CronOf } from './cron-cache.js';
import type {
  FireRow,
  PreparedFire,
  Schedule,
  ScheduleAdvance,
  ScheduleOwner,
  WorkflowFireRow,
} from './schedule-repository.js';

/** At most this many due fire times are enumerated for one schedule in one pass. */
export const MAX_DUE_PER_PASS = 100_000;
/** At most this many missed fire times are recorded one by one per pass; the rest are counted. */
export const MISSED_RECORDED = 1000;

/** A stretch of missed fire times of one schedule, recorded as such. */
export interface MissedFires {
  owner: ScheduleOwner;
  times: Date[];
  detail: string;
}

/** A run (or workflow run) replaced by the run of a later fire time. */
export interface ReplacedRun {
  runId: string;
  at: Date;
  workflow: boolean;
}

/**
 * What is written for one pass: fire records and their runs, cancellations and the schedules' next
 * fire times. Planned in memory (`planSchedule`), written in a few statements (`writePass`).
 */
export interface Pass {
  fires: FireRow[];
  workflowFires: WorkflowFireRow[];
  cancels: ReplacedRun[];
  advances: ScheduleAdvance[];
  missed: MissedFires[];
  /** Due times by expression, timezone and starting point: shared by schedules that have the same. */
  dueTimes: Map<string, { times: Date[]; next: Date | undefined }>;
}

/** What planning a pass needs besides the schedules. */
export interface PlanSettings {
  /** A fire time older than this when the pass gets to it counts as missed (catch-up applies). */
  misfireToleranceMs: number;
  cronOf: CronOf;
  /** Makes the id of a run about to be queued. */
  newRunId: () => string;
}

export function emptyPass(): Pass {
  return { fires: [], workflowFires: [], cancels: [], advances: [], missed: [], dueTimes: new Map() };
}

/** Fire times the pass records without a run: skipped by the overlap policy, or missed. */
export function countSkipped(pass: Pass): number {
  const notQueued = [...pass.fires, ...pass.workflowFires].filter(
    (f) => f.outcome !== 'queued' && f.outcome !== 'caught_up',
  ).length;
  return notQueued + pass.missed.reduce((n, m) => n + m.times.length, 0);
}

function ownerOf(schedule: Schedule): ScheduleOwner {
  return schedule.workflowId ? { workflowId: schedule.workflowId } : { jobId: schedule.jobId! };
}

/**
 * Where the enumeration of a schedule's due times starts: its next fire time, unless that is older
 * than the catch-up window. Fire times older than the window can only be missed: they are not
 * enumerated one by one (a per-second schedule down for a week has 600,000), but recorded in the
 * pass as one stretch.
 */
function startOfDueTimes(schedule: Schedule, now: Date, settings: PlanSettings, pass: Pass): Date {
  const from = schedule.nextFireAt!;
  const horizon = new Date(
    now.getTime() - schedule.catchUpWindowSeconds * 1000 - settings.misfireToleranceMs,
  );
  if (from.getTime() >= horizon.getTime()) return from;
  pass.missed.push({
    owner: ownerOf(schedule),
    times: [from],
    detail: `this and every fire time until ${horizon.toISOString()} were missed while no scheduler was running`,
  });
  return horizon;
}

/**
 * The due times of a schedule from `from` to `now`. Schedules sharing an expression, a timezone
 * and a next fire time (common ones such as "0 * * * *" registered many times) have the same due
 * times: computed once per pass.
 */
function dueTimes(schedule: Schedule, from: Date, now: Date, settings: PlanSettings, pass: Pass) {
  const key = `${schedule.timezone} ${schedule.cron} ${from.getTime()}`;
  let due = pass.dueTimes.get(key);
  if (!due) {
    due = settings.cronOf(schedule).due(from, now, MAX_DUE_PER_PASS);
    pass.dueTimes.set(key, due);
  }
  return due;
}

/** Records the missed fire times of a plan: the latest `MISSED_RECORDED` one by one, the rest counted. */
function recordMissedFires(schedule: Schedule, missed: Date[], pass: Pass): void {
  if (missed.length === 0) return;
  const recorded = missed.slice(-MISSED_RECORDED);
  const more = missed.length - recorded.length;
  pass.missed.push({
    owner: ownerOf(schedule),
    times: recorded,
    detail: `missed while no scheduler was running (catch-up policy ${schedule.catchUpPolicy})${more > 0 ? `; ${more} earlier fire times were missed too` : ''}`,
  });
}

/**
 * Decides each fire time to act on against the overlap policy, in order, and adds its fire record
 * (and run, and the runs it replaces) to the pass. Later fire times see the run queued for an
 * earlier one as the job's unfinished run.
 */
function decideFires(
  schedule: Schedule,
  fires: { at: Date; catchUp: boolean }[],
  unfinishedBefore: UnfinishedRun[],
  settings: PlanSettings,
  pass: Pass,
): void {
  const owner = ownerOf(schedule);
  let unfinished = unfinishedBefore;
  for (const { at, catchUp } of fires) {
    const decision = decideOverlap(schedule.overlapPolicy, unfinished, catchUp);
    let runId: string | null = null;
    if (decision.outcome === 'queued' || decision.outcome === 'caught_up') {
      runId = settings.newRunId();
      for (const cancelled of decision.cancels)
        pass.cancels.push({ runId: cancelled, at, workflow: 'workflowId' in owner });
      unfinished = [
        ...unfinished.filter((r) => !decision.cancels.includes(r.id)),
        { id: runId, state: 'queued', waitsForPrevious: decision.waits },
      ];
    }
    const fire = {
      fireAt: at,
      outcome: decision.outcome,
      detail: decision.detail,
      trigger: catchUp ? ('catch_up' as const) : ('schedule' as const),
      waitsForPrevious: decision.waits,
    };
    if ('workflowId' in owner)
      pass.workflowFires.push({ ...fire, workflowId: owner.workflowId, workflowRunId: runId });
    else pass.fires.push({ ...fire, jobId: owner.jobId, runId });
  }
}

/**
 * Decides, in memory, what becomes of each due fire time of one schedule (given the unfinished
 * runs of its job or workflow, oldest first), and where the schedule goes next; adds it to `pass`.
 */
export function planSchedule(
  schedule: Schedule,
  now: Date,
  unfinished: UnfinishedRun[],
  settings: PlanSettings,
  pass: Pass,
): void {
  const from = startOfDueTimes(schedule, now, settings, pass);
  const due = dueTimes(schedule, from, now, settings, pass);
  const fires = planFires(due.times, now, settings.misfireToleranceMs, {
    policy: schedule.catchUpPolicy,
    windowSeconds: schedule.catchUpWindowSeconds,
    limit: schedule.catchUpLimit,
  });
  recordMissedFires(schedule, fires.missed, pass);
  decideFires(schedule, fires.fire, unfinished, settings, pass);
  const last = due.times[due.times.length - 1] ?? null;
  // `due.next` is the first fire time after the ones found; after a capped enumeration, look from now.
  const next = due.times.length >= MAX_DUE_PER_PASS ? settings.cronOf(schedule).nextAfter(now) : due.next;
  pass.advances.push({ id: schedule.id, nextFireAt: next ?? null, lastFireAt: last });
}

/** A schedule due at a fire time, prepared to fire just then (its run id is made when fired). */
export type PreparedSchedule = Omit<PreparedFire, 'runId'>;

/**
 * The schedules due at `at` that will most likely fire just then (the usual case: one fire time,
 * on time), each with its next fire time, worked out before `at` so that little is left to do
 * at `at`. A schedule whose next fire time is not a fire time of its expression is left out.
 */
export function prepareFires(
  due: { jobId: string; cron: string; timezone: string }[],
  at: Date,
  cronOf: CronOf,
): PreparedSchedule[] {
  const nextByExpression = new Map<string, Date | null | false>();
  const prepared: PreparedSchedule[] = [];
  for (const schedule of due) {
    const key = `${schedule.timezone} ${schedule.cron}`;
    let next = nextByExpression.get(key);
    if (next === undefined) {
      const cron = cronOf(schedule);
      const first = cron.nextAfter(new Date(at.getTime() - 1));
      next = first?.getTime() === at.getTime() ? (cron.nextAfter(at) ?? null) : false;
      nextByExpression.set(key, next);
    }
    if (next === false) continue;
    prepared.push({ ...schedule, fireAt: at, nextFireAt: next });
  }
  return prepared;
}
