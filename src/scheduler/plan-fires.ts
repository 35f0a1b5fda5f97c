import type { CatchUpPolicy } from '../jobs/job-spec.js';

export interface FirePlan {
  /** Fire times to act on, oldest first; `catchUp` marks the ones being caught up. */
  fire: { at: Date; catchUp: boolean }[];
  /** Fire times passed over, recorded as missed. */
  missed: Date[];
}

export interface CatchUpSettings {
  policy: CatchUpPolicy;
  windowSeconds: number;
  limit: number;
}

/**
 * Splits the fire times that came due since the schedule last ran into those to act on and those
 * missed. A fire time no later than `toleranceMs` before `now` is on time; an older one was missed
 * while no scheduler was running, and the catch-up policy decides: `latest` acts on the most recent
 * one within the window (when no on-time fire time makes it pointless), `all` on every one within
 * the window up to the limit (the most recent ones), `skip` on none.
 */
export function planFires(due: Date[], now: Date, toleranceMs: number, catchUp: CatchUpSettings): FirePlan {
  const late = due.filter((t) => now.getTime() - t.getTime() > toleranceMs);
  const onTime = due.filter((t) => now.getTime() - t.getTime() <= toleranceMs);
  const windowStart = now.getTime() - catchUp.windowSeconds * 1000;
  const inWindow = late.filter((t) => t.getTime() >= windowStart);

  let caughtUp: Date[] = [];
  if (catchUp.policy === 'latest' && onTime.length === 0 && inWindow.length > 0)
    caughtUp = inWindow.slice(-1);
  if (catchUp.policy === 'all') caughtUp = inWindow.slice(-catchUp.limit);

  const chosen = new Set(caughtUp.map((t) => t.getTime()));
  return {
    fire: [...caughtUp.map((at) => ({ at, catchUp: true })), ...onTime.map((at) => ({ at, catchUp: false }))],
    missed: late.filter((t) => !chosen.has(t.getTime())),
  };
}
