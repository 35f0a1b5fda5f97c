import type { Run } from './runs/run-repository.js';

/**
 * Wake-ups between the parts of one process: a producer notifies a named signal when something
 * happened that another part acts on sooner than its next poll; the parts running in this process
 * subscribe. A signal nobody subscribes to (the part does not run here) is simply not heard: other
 * processes find the same work by polling the database.
 */
export interface Signal<T = void> {
  notify(value: T): void;
  /** Calls `listener` at each notify until the returned function is called. */
  subscribe(listener: (value: T) => void): () => void;
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
  /** This process moved a run to an end state (a worker finishing it, or a cancel before it started). */
  runFinished: Signal<Run>;
  /** This process's scheduler recorded fire times it skipped (overlap, a full buffer, missed): how many. */
  firesSkipped: Signal<number>;
}

function createSignal<T = void>(): Signal<T> {
  const listeners = new Set<(value: T) => void>();
  return {
    notify(value) {
      for (const listener of listeners) listener(value);
    },
    subscribe(listener) {
      const own = (value: T) => listener(value);
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
    runFinished: createSignal<Run>(),
    firesSkipped: createSignal<number>(),
  };
}
