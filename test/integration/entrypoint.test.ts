import { readFile } from 'node:fs/promises';
import Docker from 'dockerode';
import { pack } from 'tar-stream';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { SAMPLED_SIGNAL } from '../../src/runner/container-paths.js';
import { until } from '../support/harness.js';

// entrypoint.sh as a run's container runs it (under the engine's init, with the worker's gate
// set), against the suite's base image: the exit status it passes on, and how it waits at the end
// for the worker's sign that it has taken the first reading (SAMPLED_SIGNAL).

const BASE_IMAGE = inject('baseImage');
const TEMPLATE = new URL('../../src/runner/template/', import.meta.url);
const docker = new Docker();
const made: Docker.Container[] = [];

afterAll(async () => {
  await Promise.all(made.map((container) => container.remove({ force: true }).catch(() => undefined)));
});

/** A container running entrypoint.sh with `shell` over `command`, started; not yet signalled. */
async function start(command: string, shell = 'sh'): Promise<Docker.Container> {
  const files = pack();
  for (const name of ['entrypoint.sh', 'metrics.sh'])
    files.entry({ name: `job/.tds/${name}`, mode: 0o644 }, await readFile(new URL(name, TEMPLATE)));
  files.entry({ name: 'job/.tds/command.sh', mode: 0o644 }, command);
  files.finalize();
  const container = await docker.createContainer({
    Image: BASE_IMAGE,
    Entrypoint: [shell, '/job/.tds/entrypoint.sh'],
    Cmd: [],
    Env: [`TDS_METRICS_GATE=${SAMPLED_SIGNAL}`, 'TDS_METRICS_FILE=/tmp/metrics.csv'],
    HostConfig: { Init: true, NetworkMode: 'none' },
  });
  made.push(container);
  await container.putArchive(files as unknown as NodeJS.ReadableStream, { path: '/' });
  await container.start();
  return container;
}

async function running(container: Docker.Container): Promise<boolean> {
  return (await container.inspect()).State.Running;
}

/** The container's exit status, once it has exited; within `withinMs`, else the test fails. */
async function exitCode(container: Docker.Container, withinMs = 60_000): Promise<number> {
  const answer = await container
    .wait({ abortSignal: AbortSignal.timeout(withinMs) })
    .catch((error: Error) => {
      if (error.name !== 'AbortError' && error.name !== 'TimeoutError') throw error;
      throw new Error(
        `the container still runs after ${withinMs / 1000} s: its entrypoint waits for a command that has ended`,
        { cause: error },
      );
    });
  return (answer as { StatusCode: number }).StatusCode;
}

/** When the engine saw the container exit (ms since the epoch): not when a busy engine answered so. */
async function finishedAt(container: Docker.Container): Promise<number> {
  return Date.parse((await container.inspect()).State.FinishedAt);
}

/** Resolves once the command has run (it prints `ran` first). */
async function commandRan(container: Docker.Container): Promise<void> {
  await until(
    'the command to run',
    async () => (await container.logs({ stdout: true })).toString().includes('ran') || undefined,
    20_000,
    50,
  );
}

describe.concurrent('entrypoint.sh', () => {
  it("holds a command that ended before the worker's signal until it comes, then exits with its status", async () => {
    const container = await start('echo ran; exit 3');
    await commandRan(container);
    // Ended, and still held (5 s at most): the sign has not come. Only a running container takes
    // the signal, and it ends once it has it.
    expect(await running(container)).toBe(true);
    const sentAt = Date.now();
    await container.kill({ signal: SAMPLED_SIGNAL });
    expect(await exitCode(container)).toBe(3);
    expect(await finishedAt(container)).toBeGreaterThanOrEqual(sentAt);
  });

  it('does not hold a command that ends after the signal, which the command never sees', async () => {
    const container = await start(
      `echo ran; trap 'echo the command saw it; exit 9' ${SAMPLED_SIGNAL}; sleep 2; exit 5`,
    );
    await commandRan(container);
    await container.kill({ signal: SAMPLED_SIGNAL });
    const started = Date.now();
    expect(await exitCode(container)).toBe(5);
    // Its own sleep and no more: a held command would be kept about 5 s.
    expect((await finishedAt(container)) - started).toBeLessThan(4_500);
    const logs = (await container.logs({ stdout: true, stderr: true })).toString();
    expect(logs).not.toContain('the command saw it');
  });

  it('passes on the status of a command killed by a signal', async () => {
    const container = await start('echo ran; kill -KILL $$');
    await commandRan(container);
    await container.kill({ signal: SAMPLED_SIGNAL });
    expect(await exitCode(container)).toBe(137);
  });

  it('passes a stop request on to the command, and holds it no longer once it has ended', async () => {
    const container = await start(`trap 'echo stopped; exit 4' TERM; echo ran; sleep 30 & wait`);
    await commandRan(container);
    await container.kill({ signal: 'TERM' });
    const asked = Date.now();
    expect(await exitCode(container)).toBe(4);
    // No wait for the worker's sign after a stop request (a held command would be kept about 5 s).
    expect((await finishedAt(container)) - asked).toBeLessThan(4_500);
    expect((await container.logs({ stdout: true })).toString()).toContain('stopped');
  });

  // The signal cuts the entrypoint's wait short; when it comes just as the command ends (sent here
  // by the command itself, through the engine's init as the worker's comes), the command's own
  // status is still the one passed on, and the entrypoint does not wait for it forever: with dash
  // (the base image's sh), which reaps the command only when waiting, and with bash, which reaps it
  // as it ends and may lose its status when a trapped signal cuts its wait short at that moment
  // (more than half the time here, when the entrypoint itself waited for the command). Several
  // containers each, as the moment varies.
  for (const shell of ['sh', 'bash']) {
    it(`passes on the command's own status when the signal comes as it ends (${shell})`, async () => {
      const containers = await Promise.all(
        Array.from({ length: 4 }, () =>
          start(`echo ran; sleep 0.2; kill -${SAMPLED_SIGNAL} 1; exit 7`, shell),
        ),
      );
      expect(await Promise.all(containers.map((container) => exitCode(container, 30_000)))).toEqual([
        7, 7, 7, 7,
      ]);
    });
  }
});
