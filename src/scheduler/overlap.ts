import type { OverlapPolicy } from '../jobs/job-spec.js';
import type { FireOutcome } from './schedule-repository.js';

/** A run of the job that is queued or under way, as the overlap policy sees it. */
export interface UnfinishedRun {
  id: string;
  state: string;
  waitsForPrevious: boolean;
}

export interface OverlapDecision {
  outcome: FireOutcome;
  detail: string | null;
  /** Whether the run queued for this fire time waits for the job's previous run to end. */
  waits: boolean;
  /** Runs to cancel for this one (policy `replace`). */
  cancels: string[];
}

/**
 * What a fire time comes to, given the job's unfinished runs (oldest first). Caught-up fire times
 * are queued whatever the policy, one after another.
 */
export function decideOverlap(
  policy: OverlapPolicy,
  unfinished: UnfinishedRun[],
  catchUp: boolean,
): OverlapDecision {
  if (catchUp) return { outcome: 'caught_up', detail: null, waits: true, cancels: [] };
  const previous = unfinished[unfinished.length - 1];
  if (!previous || policy === 'allow') return { outcome: 'queued', detail: null, waits: false, cancels: [] };
  switch (policy) {
    case 'skip':
      return {
        outcome: 'skipped_overlap',
        detail: `run ${previous.id} was still ${previous.state}`,
        waits: false,
        cancels: [],
      };
    case 'queue_one':
      if (unfinished.some((r) => r.state === 'queued' && r.waitsForPrevious)) {
        return {
          outcome: 'skipped_buffer_full',
          detail: `a run already waits for run ${unfinished[0]!.id} to end`,
          waits: false,
          cancels: [],
        };
      }
      return { outcome: 'queued', detail: null, waits: true, cancels: [] };
    case 'replace': {
      const cancels = unfinished.map((r) => r.id);
      return { outcome: 'queued', detail: `replaces ${cancels.join(', ')}`, waits: true, cancels };
    }
  }
}
