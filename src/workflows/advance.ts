import type { SqlExecutor } from '../../services/db/database.js';
import { newRunId, requestCancel } from '../runs/run-repository.js';
import { cancelQueued } from '../runs/transitions.js';
import { CANCELLED_BEFORE_START, decide } from './decide.js';
import { recordWorkflowRunChange } from './workflow-events.js';
import {
  loadSnapshot,
  nextWaitingRun,
  touchWorkflowRun,
  writeDecision,
  writeEnd,
} from './workflow-snapshot.js';

/**
 * Moves a workflow run on: under a lock of its row, reads its snapshot (loadSnapshot), decides
 * what follows from it (decide, pure: which steps end, start, skip or are cancelled, which runs
 * are queued, up to max_parallel at once, and whether the workflow run ends) and writes the
 * decision in one statement (writeDecision). Called in the transaction that ends a step's run, so
 * a crash cannot separate the two; idempotent, so the periodic pass may call it again for any
 * workflow run.
 *
 * Its cost does not grow with a fan-out's size: a fan-out step keeps how many of its items have
 * started (items start in index order), so an item's end reads only the unfinished runs and the
 * items about to start; every item's run is read once, when the step ends.
 *
 * A fan-out step's result is bounded (`limits.maxResultBytes`, see step-results.ts): over it,
 * its dependants wait until its manifest is written (just after the transaction that ends it) and
 * are given it as a file.
 *
 * Returns how many runs it queued (the caller wakes the workers) and whether the workflow run ended.
 */

/** The bound of what a step's result carries inline (TDS_MAX_RESULT_BYTES). */
export interface StepResultLimits {
  maxResultBytes: number;
}

export interface Advanced {
  queued: number;
  ended: boolean;
  cancelRequested: number;
  /** A fan-out step ended: its manifest is to be written once the transaction commits. */
  fanOutEnded: boolean;
}

export async function advanceWorkflowRun(
  tx: SqlExecutor,
  workflowRunId: string,
  limits: StepResultLimits,
): Promise<Advanced> {
  const outcome: Advanced = { queued: 0, ended: false, cancelRequested: 0, fanOutEnded: false };
  for (;;) {
    const snapshot = await loadSnapshot(tx, workflowRunId, limits.maxResultBytes);
    if (!snapshot || (snapshot.state !== 'queued' && snapshot.state !== 'running')) return outcome;
    const decision = decide(snapshot, newRunId);
    if (decision.waiting) {
      // Started by the end of the run it waits for (below); until then the periodic pass need not look.
      await touchWorkflowRun(tx, snapshot.id);
      return outcome;
    }
    // Cancelling: queued runs are cancelled, those under way asked to stop. A queued run a worker
    // claimed since the snapshot is under way now: decided again, it is asked to stop instead.
    let claimedMeanwhile = false;
    for (const id of decision.cancelQueued) {
      if (!(await cancelQueued(tx, id, CANCELLED_BEFORE_START))) claimedMeanwhile = true;
    }
    for (const id of decision.requestCancel) {
      if (await requestCancel(tx, id)) outcome.cancelRequested++;
    }
    if (claimedMeanwhile) continue;
    await writeDecision(tx, snapshot, decision, decision.start ? undefined : decision.end);
    outcome.queued += decision.runsToQueue.length;
    outcome.fanOutEnded = decision.fanOutEnded;
    if (decision.start) await recordWorkflowRunChange(tx, snapshot.id, 'started');
    if (!decision.end) return outcome;
    if (decision.start) await writeEnd(tx, snapshot.id, decision.end);
    await recordWorkflowRunChange(tx, snapshot.id, decision.end.state);
    outcome.ended = true;
    // The workflow's next run waiting for this one to end starts now, in the same transaction.
    const next = await nextWaitingRun(tx, snapshot.workflowId);
    if (next) outcome.queued += (await advanceWorkflowRun(tx, next, limits)).queued;
    return outcome;
  }
}
