/**
 * Wake-ups between the parts of one process: a producer notifies a named signal when something
 * happened that another part acts on sooner than its next poll; the parts running in this process
 * subscribe. A signal nobody subscribes to (the part does not run here) is simply not heard: other
 * processes find the same work by polling the database.
 */
export interface Signal {
  notify(): void;
  /** Calls `listener` at each notify until the returned function is called. */
  subscribe(listener: () => void): () => void;
}

export interface Signals {
  /** A run was queued (a job submitted, a run triggered, a retry, a fire time). */
  runQueued: Signal;
  /** A cancel was requested for a run under way. */
  cancelRequested: Signal;
  /** A schedule was registered, resumed or changed. */
  scheduleChanged: Signal;
  /** A run of this worker ended: its place is free for the next queued run. */
  runEnded: Signal;
}

function createSignal(): Signal {
  const listeners = new Set<() => void>();
  return {
    notify() {
      for (const listener of listeners) listener();
    },
    subscribe(listener) {
      const own = () => listener();
      listeners.add(own);
      return () => listeners.delete(own);
    },
  };
}

export function createSignals(): Signals {
  return {
    runQueued: createSignal(),
    cancelRequested: createSignal(),
    scheduleChanged: createSignal(),
    runEnded: createSignal(),
  };
}
