import type Docker from 'dockerode';
import { statusOf, tolerate } from './docker-calls.js';
import { pullImage } from './docker-images.js';
import { demultiplexBuffer } from './demux.js';

/**
 * Runs `command` in a short-lived container on the engine's host network, with NET_ADMIN and the
 * host's programs mounted read-only at /host (its /run writable, for the lock iptables shares with
 * Docker): how a worker that is not root beside its engine changes the engine host's firewall.
 */
export async function runOnEngineHost(
  docker: Docker,
  image: string,
  command: string[],
  labels: Record<string, string>,
): Promise<{ exitCode: number | null; output: string }> {
  const create = () =>
    docker.createContainer({
      Image: image,
      Entrypoint: command.slice(0, 1),
      Cmd: command.slice(1),
      Labels: labels,
      User: '0:0',
      HostConfig: {
        NetworkMode: 'host',
        CapAdd: ['NET_ADMIN'],
        Binds: ['/:/host:ro', '/run:/host/run'],
      },
    });
  const container = await create().catch(async (error: unknown) => {
    if (statusOf(error) !== 404) throw error;
    await pullImage(docker, image);
    return create();
  });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode?: number };
    const logs = (await container.logs({ stdout: true, stderr: true, follow: false })) as Buffer;
    const { stdout, stderr } = demultiplexBuffer(logs);
    return { exitCode: StatusCode ?? null, output: `${stdout}${stderr}`.slice(-4096) };
  } finally {
    await tolerate([404], () => container.remove({ force: true, v: true }));
  }
}
