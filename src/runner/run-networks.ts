// The bridge networks a worker gives its runs: kept and given again, one run on each at a time.
import { createHash } from 'node:crypto';
import type { ContainerEngine } from '../../services/docker/container-engine.js';
import type { HostGuard } from './host-access.js';
import { INSTALLATION_LABEL, KIND_LABEL, MANAGED_LABEL, WORKER_ID_LABEL } from './image-builder.js';

/** What a worker's kept run networks are labelled (with the worker's id and the installation). */
export const RUN_NETWORK_KIND = 'run-network';

/**
 * A worker's bridge networks for its runs. Making a network and removing it are the engine's
 * slowest steps of a run's start and end (each rewrites its firewall rules), so a worker keeps the
 * networks it made and gives each to one run at a time: a run is given one no running container is
 * on and no other start of this worker holds, or a new one. Two runs under way are never on the
 * same network, as when each made its own.
 */
export interface RunNetworks {
  /**
   * A network for the run, made only once the host is closed to it (HostGuard.ensure); held for
   * it until `started` is called with the same name, once its container is running (or failed to
   * start): from then on the container on it keeps it from other runs.
   */
  acquire(): Promise<string>;
  started(name: string): void;
  /** Removes this worker's networks no container is on (it is stopping); logs nothing, throws nothing. */
  removeIdle(): Promise<void>;
}

export interface RunNetworkDeps {
  engine: Pick<ContainerEngine, 'createNetwork' | 'networkContainers' | 'removeNetwork'>;
  hostGuard: Pick<HostGuard, 'ensure' | 'bridgeInterface'>;
  workerId: string;
  installationId: string;
}

/** Past this many networks held or in use, a run's start fails rather than make more. */
const MAX_NETWORKS = 1024;

/**
 * Names of a worker's networks: its installation, its id and how its runs reach the host (the
 * interface prefix) make the name, so that a worker restarted with another TDS_RUN_HOST_ACCESS
 * never gives a run a network made for the other.
 */
export function runNetworkNames(deps: Pick<RunNetworkDeps, 'hostGuard' | 'workerId' | 'installationId'>) {
  const key = createHash('sha256')
    .update(`${deps.installationId}\0${deps.workerId}\0${deps.hostGuard.bridgeInterface('')}`)
    .digest('hex')
    .slice(0, 12);
  return (n: number) => `tds-net-${key}-${n}`;
}

export function createRunNetworks(deps: RunNetworkDeps): RunNetworks {
  const { engine, hostGuard } = deps;
  const nameOf = runNetworkNames(deps);
  const labels = {
    [MANAGED_LABEL]: 'true',
    [KIND_LABEL]: RUN_NETWORK_KIND,
    [WORKER_ID_LABEL]: deps.workerId,
    [INSTALLATION_LABEL]: deps.installationId,
  };
  /** Networks given to a start whose container is not running yet. */
  const held = new Set<string>();
  /** Every network this worker made or found in this life. */
  const known = new Set<string>();

  return {
    async acquire() {
      // Before the run has a network: a run that cannot be kept from the host does not start.
      await hostGuard.ensure();
      for (let n = 0; n < MAX_NETWORKS; n += 1) {
        const name = nameOf(n);
        if (held.has(name)) continue;
        // Held before the engine is asked, so that no other start of this worker picks it meanwhile.
        held.add(name);
        try {
          const containers = await engine.networkContainers(name);
          if (containers === undefined) {
            await engine.createNetwork(name, labels, hostGuard.bridgeInterface(name));
          } else if (containers > 0) {
            held.delete(name);
            continue;
          }
          known.add(name);
          return name;
        } catch (error) {
          held.delete(name);
          throw error;
        }
      }
      throw new Error(`${MAX_NETWORKS} networks of this worker are in use; none is free for another run`);
    },

    started(name) {
      held.delete(name);
    },

    async removeIdle() {
      for (const name of known) {
        if (held.has(name)) continue;
        try {
          if ((await engine.networkContainers(name)) === 0) await engine.removeNetwork(name);
          known.delete(name);
        } catch {
          // Left to the housekeeper: a container joined it meanwhile, or the engine is away.
        }
      }
    },
  };
}
