import type { Database } from '../../services/db/database.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import { NotFoundError } from '../errors.js';
import { requiredTags } from '../jobs/job-spec.js';
import type { Run } from '../runs/run-repository.js';
import { missingTags } from './tags.js';
import {
  claimingTagSets,
  getWorker,
  listWorkers,
  neverAdvertised,
  setDrain,
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
     * What a run of a job with `requires` waits for: for a queued run that no claiming worker
     * (live, not draining) can take, the required tags the closest of them lacks (all of them when
     * no worker claims); null when a worker can take it, or it is no longer queued. Undefined for
     * a run that requires nothing: any worker serves it.
     */
    async waitingFor(run: Run): Promise<string[] | null | undefined> {
      const required = requiredTags(run.spec);
      if (required.length === 0) return undefined;
      if (run.state !== 'queued') return null;
      const offers = await claimingTagSets(db, leaseMs);
      let closest: string[] | undefined;
      for (const offered of offers) {
        const missing = missingTags(required, offered);
        if (missing.length === 0) return null;
        if (!closest || missing.length < closest.length) closest = missing;
      }
      return closest ?? required;
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
