import type { Database } from '../../services/db/database.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { requiredTags } from '../jobs/job-spec.js';
import type { Run } from '../runs/run-repository.js';
import { missingTags } from './tags.js';
import {
  claimingOffers,
  getWorker,
  listWorkers,
  neverAdvertised,
  retireWorker,
  setDrain,
  type ClaimingOffer,
  type WorkerRecord,
} from './worker-registry.js';

export interface FleetServiceDeps {
  db: Database;
  /** Drains and undrains are recorded in their transaction. */
  audit: Pick<AuditTrail, 'write'>;
  /** A worker silent for this long is gone (TDS_LEASE_MS, as for taking over its runs). */
  leaseMs: number;
}

export type FleetService = ReturnType<typeof createFleetService>;

/** The required tags the closest claiming worker lacks (all of them when none claims); null when one has them all. */
function closestMissing(required: string[], offers: readonly ClaimingOffer[]): string[] | null {
  let closest: string[] | undefined;
  for (const offer of offers) {
    const missing = missingTags(required, offer.tags);
    if (missing.length === 0) return null;
    if (!closest || missing.length < closest.length) closest = missing;
  }
  return closest ?? required;
}

/**
 * Why no claiming worker can ever take `run` as it is: it asks for more CPUs or memory than the
 * largest of those with its tags offers in all. Null when one of them can, or none says.
 */
function tooLarge(run: Run, offers: readonly ClaimingOffer[]): string | null {
  const required = requiredTags(run.spec);
  const able = offers.filter(
    (offer) =>
      offer.cpus !== null && offer.memoryMb !== null && missingTags(required, offer.tags).length === 0,
  );
  if (able.length === 0) return null;
  const { cpus, memory_mb: memoryMb } = run.spec;
  if (able.some((offer) => cpus <= offer.cpus! && memoryMb <= offer.memoryMb!)) return null;
  const most = (pick: (offer: ClaimingOffer) => number) => Math.max(...able.map(pick));
  return (
    `it asks for ${cpus} CPUs and ${memoryMb} MiB of memory, more than any claiming worker offers ` +
    `(at most ${most((o) => o.cpus!)} CPUs and ${most((o) => o.memoryMb!)} MiB, TDS_WORKER_CPUS and ` +
    'TDS_WORKER_MEMORY_MB): it stays queued until a larger worker starts; ask for less to run it now'
  );
}

/** The fleet as the API sees it: the workers, drains, and what a run's requires wait for. */
export function createFleetService({ db, leaseMs, audit }: FleetServiceDeps) {
  /** Sets a worker's drain, recorded; false when there is no such worker. */
  const setDrainAudited = (id: string, drain: boolean) =>
    audit.write(
      db,
      (tx) => setDrain(tx, id, drain),
      (found) =>
        found
          ? {
              action: drain ? 'worker.drained' : 'worker.undrained',
              target: { kind: 'worker', id },
              ownerId: null,
            }
          : undefined,
    );

  async function requireWorker(id: string): Promise<WorkerRecord> {
    const worker = await getWorker(db, id, leaseMs);
    if (!worker) throw new NotFoundError('worker', id);
    return worker;
  }

  return {
    list: () => listWorkers(db, leaseMs),

    /** The worker stops claiming; what it holds it finishes. It stays drained across restarts. */
    async drain(id: string): Promise<WorkerRecord> {
      if (!(await setDrainAudited(id, true))) throw new NotFoundError('worker', id);
      return requireWorker(id);
    },

    async undrain(id: string): Promise<WorkerRecord> {
      if (!(await setDrainAudited(id, false))) throw new NotFoundError('worker', id);
      return requireWorker(id);
    },

    /**
     * A worker gone without stopping (it died, its host is lost) is recorded stopped: the fleet
     * shows it stopped and the heartbeat-age gauge no longer counts it. Refused for a live worker
     * (stop it, and it records its own stop); a worker already stopped is answered as it is. A
     * retired worker that starts again is live again.
     */
    async retire(id: string): Promise<WorkerRecord> {
      const worker = await requireWorker(id);
      if (worker.stoppedAt) return worker;
      const retired = await audit.write(
        db,
        (tx) => retireWorker(tx, id, leaseMs),
        (done) =>
          done ? { action: 'worker.retired', target: { kind: 'worker', id }, ownerId: null } : undefined,
      );
      if (!retired) {
        const seconds = Math.round((Date.now() - worker.lastHeartbeatAt.getTime()) / 1000);
        throw new ConflictError(
          `worker ${id} heartbeat ${seconds} s ago: it is not gone (only a worker silent for TDS_LEASE_MS, ${leaseMs / 1000} s, can be retired); stop it, and it records its own stop`,
        );
      }
      return requireWorker(id);
    },

    /**
     * What GET /runs/:id says of why a run waits: `waiting_for` (the tags, for a run whose job has
     * `requires`), and `waiting_reason`: for a queued run that asks for more CPUs or memory than
     * any claiming worker (with the tags it requires) offers in all, which; left out otherwise, or
     * when no claiming worker says what it offers (a worker of an earlier release), so a run's answer
     * is the same in every listing. Only while queued. `offers`: the claiming workers' offers when
     * they were read already (with the run's submit).
     */
    async whyQueued(
      run: Run,
      offers?: readonly ClaimingOffer[],
    ): Promise<{ waiting_for?: string[] | null; waiting_reason?: string | null }> {
      const required = requiredTags(run.spec);
      if (run.state !== 'queued') return required.length > 0 ? { waiting_for: null } : {};
      offers ??= await claimingOffers(db, leaseMs);
      const waitingFor = required.length > 0 ? { waiting_for: closestMissing(required, offers) } : {};
      const reason = tooLarge(run, offers);
      return { ...waitingFor, ...(reason ? { waiting_reason: reason } : {}) };
    },

    /** Warnings for a submission: required tags that no worker has ever advertised. */
    async warningsFor(requires: readonly string[]): Promise<string[]> {
      const unknown = await neverAdvertised(db, [...requires]);
      return unknown.map(
        (tag) =>
          `no worker has ever advertised tag "${tag}": the job's runs stay queued until a worker with TDS_WORKER_TAGS including it starts`,
      );
    },
  };
}
