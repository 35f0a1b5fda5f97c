/**
 * When this worker last renewed the lease of each run it holds (by claiming it, or by its
 * heartbeat), on the process's monotonic clock, so that it can stop what a run does before
 * another worker may take the run over (fencing: see the watcher). The time kept is when the
 * renewing statement was sent, never when its answer came: the database's `heartbeat_at` is
 * later than that, so the fence is always measured from before the lease's own start.
 */
export interface LeaseClock {
  /**
   * A statement sent at `sentAt` renewed these runs. With `complete` (a heartbeat, which renews
   * every run this worker holds), runs it did not renew and last renewed before `sentAt` are no
   * longer held (they ended, or were taken over) and are forgotten.
   */
  renewed(runIds: Iterable<string>, sentAt: number, options?: { complete?: boolean }): void;
  /** The run is no longer this worker's to fence (it was fenced, or handed on). */
  forget(runId: string): void;
  /** The runs held and not renewed for more than `ms` at `now`, oldest renewal first, with when. */
  overdue(ms: number, now: number): { runId: string; renewedAt: number }[];
}

/** The clock the lease clock counts on: monotonic, so a change of the host's time moves no fence. */
export const monotonicNow = (): number => performance.now();

export function createLeaseClock(): LeaseClock {
  const renewedAt = new Map<string, number>();
  return {
    renewed(runIds, sentAt, options = {}) {
      const renewed = new Set(runIds);
      for (const id of renewed) renewedAt.set(id, Math.max(renewedAt.get(id) ?? sentAt, sentAt));
      if (!options.complete) return;
      // A run claimed while the heartbeat was on its way is renewed later than it was sent: kept.
      for (const [id, at] of renewedAt) if (!renewed.has(id) && at < sentAt) renewedAt.delete(id);
    },
    forget(runId) {
      renewedAt.delete(runId);
    },
    overdue(ms, now) {
      return [...renewedAt]
        .filter(([, at]) => now - at > ms)
        .sort(([, a], [, b]) => a - b)
        .map(([runId, at]) => ({ runId, renewedAt: at }));
    },
  };
}
