// A run's own networks on a Docker engine.
import type Docker from 'dockerode';
import { statusOf, tolerate } from './docker-calls.js';

export async function createNetwork(
  docker: Docker,
  name: string,
  labels: Record<string, string>,
  bridgeInterface: string,
): Promise<void> {
  try {
    await docker.createNetwork({
      Name: name,
      Driver: 'bridge',
      CheckDuplicate: true,
      Labels: labels,
      // Containers on it cannot reach each other, and each run has one of its own: Docker's
      // isolation rules drop traffic between two bridge networks.
      Options: {
        'com.docker.network.bridge.enable_icc': 'false',
        'com.docker.network.bridge.name': bridgeInterface,
      },
    });
  } catch (error) {
    if (statusOf(error) !== 409) throw error;
  }
}

export async function removeNetwork(docker: Docker, name: string): Promise<void> {
  await tolerate([404], () => docker.getNetwork(name).remove());
}

export async function listNetworks(
  docker: Docker,
  label: string,
): Promise<{ name: string; labels: Record<string, string> }[]> {
  const networks = await docker.listNetworks({ filters: { label: [label] } });
  return networks.map((network) => ({ name: network.Name, labels: network.Labels ?? {} }));
}
