// A container's logs on a Docker engine, demultiplexed into stdout and stderr.
import type { Readable, Writable } from 'node:stream';
import type Docker from 'dockerode';
import { demultiplex, demultiplexFrames, lastBytes, type LogFrame } from './demux.js';

export async function copyLogs(
  docker: Docker,
  id: string,
  stdout: Writable,
  stderr: Writable,
): Promise<void> {
  const stream = (await docker
    .getContainer(id)
    .logs({ follow: true, stdout: true, stderr: true })) as unknown as Readable;
  await demultiplex(stream, stdout, stderr);
}

export async function* followLogs(docker: Docker, id: string, signal: AbortSignal): AsyncGenerator<LogFrame> {
  const stream = (await docker
    .getContainer(id)
    .logs({ follow: true, stdout: true, stderr: true, abortSignal: signal })) as unknown as Readable;
  const stop = () => stream.destroy();
  signal.addEventListener('abort', stop, { once: true });
  try {
    yield* demultiplexFrames(stream);
  } finally {
    signal.removeEventListener('abort', stop);
    stream.destroy();
  }
}

export async function readLogs(
  docker: Docker,
  id: string,
  tailLines: number,
  maxBytes: number,
): Promise<{ stdout: string; stderr: string }> {
  // As a stream: dockerode buffers the whole answer without `follow`, and a job's lines can be
  // of any length (the engine cuts them into entries of 16 KiB, so 10,000 lines can be 160 MiB).
  const stream = await new Promise<Readable>((resolve, reject) => {
    docker.modem.dial(
      {
        path: `/containers/${id}/logs?`,
        method: 'GET',
        isStream: true,
        statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
        options: { follow: false, stdout: true, stderr: true, tail: tailLines },
      },
      (error, data) => (error ? reject(error) : resolve(data as Readable)),
    );
  });
  const stdout = lastBytes(maxBytes);
  const stderr = lastBytes(maxBytes);
  try {
    for await (const frame of demultiplexFrames(stream)) {
      (frame.stream === 'stderr' ? stderr : stdout).push(frame.payload);
    }
  } finally {
    stream.destroy();
  }
  return { stdout: stdout.text(), stderr: stderr.text() };
}
