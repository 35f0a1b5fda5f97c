// A run's own networks on a Docker engine.
import type Docker from 'dockerode';
import { statusOf, tolerate } from './docker-calls.js';
import type { SubnetPool } from './subnet-pool.js';

/** What the engine answers (403) when a subnet asked for overlaps one a network has. */
const OVERLAPS = /pool overlaps/i;

/**
 * A bridge network of its own for a run. With a pool, its subnet is the pool's first candidate no
 * other network of the engine has taken; without one, Docker picks from its default pools.
 */
export async function createNetwork(
  docker: Docker,
  name: string,
  labels: Record<string, string>,
  bridgeInterface: string,
  pool?: SubnetPool,
): Promise<void> {
  const create = (subnet?: string) =>
    docker.createNetwork({
      Name: name,
      Driver: 'bridge',
      CheckDuplicate: true,
      Labels: labels,
      ...(subnet ? { IPAM: { Driver: 'default', Config: [{ Subnet: subnet }] } } : {}),
      // Containers on it cannot reach each other, and each run has one of its own: Docker's
      // isolation rules drop traffic between two bridge networks.
      Options: {
        'com.docker.network.bridge.enable_icc': 'false',
        'com.docker.network.bridge.name': bridgeInterface,
      },
    });
  try {
    if (!pool) {
      await create();
      return;
    }
    for (const subnet of pool.candidates(name)) {
      try {
        await create(subnet);
        return;
      } catch (error) {
        if (!(
          statusOf(error) === 403 && OVERLAPS.test(error instanceof Error ? error.message : String(error))
        ))
          throw error;
      }
    }
    throw new Error(`every subnet of ${pool.block} (TDS_RUN_SUBNETS) is taken by a network of the engine`);
  } catch (error) {
    if (statusOf(error) !== 409) throw error;
  }
}

export async function removeNetwork(docker: Docker, name: string): Promise<void> {
  await tolerate([404], () => docker.getNetwork(name).remove());
}

export async function networkContainers(docker: Docker, name: string): Promise<number | undefined> {
  try {
    const info = (await docker.getNetwork(name).inspect()) as { Containers?: Record<string, unknown> | null };
    return Object.keys(info.Containers ?? {}).length;
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

export async function listNetworks(
  docker: Docker,
  label: string,
): Promise<{ name: string; labels: Record<string, string> }[]> {
  const networks = await docker.listNetworks({ filters: { label: [label] } });
  return networks.map((network) => ({ name: network.Name, labels: network.Labels ?? {} }));
}
