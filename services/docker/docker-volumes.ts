import type Docker from 'dockerode';
import { tolerate } from './docker-calls.js';

export async function createVolume(
  docker: Docker,
  name: string,
  labels: Record<string, string>,
): Promise<void> {
  await docker.createVolume({ Name: name, Labels: labels });
}

export async function removeVolume(docker: Docker, name: string): Promise<void> {
  await tolerate([404], () => docker.getVolume(name).remove());
}

export async function listVolumes(
  docker: Docker,
  label: string,
): Promise<{ name: string; labels: Record<string, string> }[]> {
  const { Volumes } = await docker.listVolumes({ filters: { label: [label] } });
  return (Volumes ?? []).map((volume) => ({ name: volume.Name, labels: volume.Labels ?? {} }));
}
