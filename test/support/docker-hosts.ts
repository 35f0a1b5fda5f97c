import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, readdir, rm, rmdir } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import Docker from 'dockerode';

/**
 * Separate "hosts" on this machine, for tests of a fleet: each is a network namespace of its own,
 * linked to the root namespace by a veth pair, with a Docker engine of its own (its own data root,
 * exec root, pidfile, socket, cgroup parent, and no bridge: jobs run with `network: none`) in a PID
 * namespace of its own, so that killing the host (`kill -9`) kills the engine, containerd, the
 * shims and every container at once, as a lost machine would. Starting one needs root, as CI has.
 *
 * The suite's Postgres and S3 listen on loopback; a host reaches them through forwarders that
 * listen on the root side of its veth link only (see `forward`), so nothing is opened beyond this
 * machine's own namespaces.
 */

const run = promisify(execFile);

export interface DockerHost {
  /** The network namespace, also the cgroup parent of its containers. */
  readonly name: string;
  /** `unix://…` of its engine, for DOCKER_HOST. */
  readonly dockerHost: string;
  readonly engine: Docker;
  /** The root namespace's end of its veth link: what the host reaches this machine's services at. */
  readonly rootAddress: string;
  /** Runs a command inside its network namespace: the arguments to put before the command. */
  readonly enter: string[];
  /** Kills the whole host at once: its engine, containerd, shims and containers (`kill -9`). */
  kill(): Promise<void>;
  /** Kills what is left and removes its namespace, link, cgroups and folders. */
  remove(): Promise<void>;
}

/** A set of hosts named after one random label, so that runs side by side do not meet. */
export function createHostNames(): { label: string; subnet: number } {
  return { label: randomBytes(3).toString('hex'), subnet: randomBytes(1)[0]! };
}

/**
 * Starts host number `index` (1, 2, ...) of a set: namespace `tdsf-<label>-<index>`, link
 * 10.213.<subnet>.<4·index>/30 (root end .1, host end .2 of that block), engine under a temporary folder.
 */
export async function startDockerHost(
  set: { label: string; subnet: number },
  index: number,
): Promise<DockerHost> {
  const name = `tdsf-${set.label}-${index}`;
  const rootEnd = `tf${set.label}r${index}`;
  const hostEnd = `tf${set.label}h${index}`;
  const block = `10.213.${set.subnet}`;
  const rootAddress = `${block}.${4 * index + 1}`;
  const hostAddress = `${block}.${4 * index + 2}`;
  const dir = await mkdtemp(path.join(os.tmpdir(), `${name}-`));
  const socket = path.join(dir, 'docker.sock');
  const engine = new Docker({ socketPath: socket });
  let daemon: ChildProcess | undefined;

  const kill = async () => {
    const child = daemon;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    // The engine is the first process of the PID namespace `unshare` made; `--kill-child` has the
    // kernel kill it when unshare dies, and with it every process of the namespace.
    child.kill('SIGKILL');
    await exited;
  };
  const remove = async () => {
    await kill();
    await run('ip', ['netns', 'del', name]).catch(() => undefined);
    await run('ip', ['link', 'del', rootEnd]).catch(() => undefined);
    await removeCgroups(name);
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await run('ip', ['netns', 'add', name]);
    await run('ip', ['link', 'add', rootEnd, 'type', 'veth', 'peer', 'name', hostEnd]);
    await run('ip', ['link', 'set', hostEnd, 'netns', name]);
    await run('ip', ['addr', 'add', `${rootAddress}/30`, 'dev', rootEnd]);
    await run('ip', ['link', 'set', rootEnd, 'up']);
    await run('ip', ['-n', name, 'addr', 'add', `${hostAddress}/30`, 'dev', hostEnd]);
    await run('ip', ['-n', name, 'link', 'set', hostEnd, 'up']);
    await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);

    const log = await open(path.join(dir, 'dockerd.log'), 'a');
    // nsenter only joins the network namespace: `ip netns exec` would also remount /sys, and with
    // it the cgroup hierarchies the engine needs.
    daemon = spawn(
      'nsenter',
      [
        `--net=/run/netns/${name}`,
        '--',
        'unshare',
        '--pid',
        '--fork',
        '--kill-child',
        '--mount-proc',
        'dockerd',
        `--host=unix://${socket}`,
        `--data-root=${path.join(dir, 'data')}`,
        `--exec-root=${path.join(dir, 'exec')}`,
        `--pidfile=${path.join(dir, 'docker.pid')}`,
        `--cgroup-parent=/${name}`,
        // No bridge: in a namespace of its own it has no docker0 to take from anyone, and the
        // tests' jobs need no network.
        '--bridge=none',
        '--iptables=false',
        '--ip-masq=false',
      ],
      { stdio: ['ignore', log.fd, log.fd] },
    );
    daemon.on('exit', () => void log.close());
    const deadline = Date.now() + 30_000;
    while (
      !(await engine.ping().then(
        () => true,
        () => false,
      ))
    ) {
      if (Date.now() > deadline || daemon.exitCode !== null) {
        throw new Error(`the Docker engine of ${name} did not start; see ${path.join(dir, 'dockerd.log')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (error) {
    await remove();
    throw error;
  }

  return {
    name,
    dockerHost: `unix://${socket}`,
    engine,
    rootAddress,
    enter: ['nsenter', `--net=/run/netns/${name}`, '--'],
    kill,
    remove,
  };
}

/**
 * Saves `image` from this machine's engine to a tar file under `dir`, once for a set of hosts
 * (`docker save`); `loadImage` loads it into each (`docker load`).
 */
export async function saveImage(image: string, dir: string): Promise<string> {
  const file = path.join(dir, 'image.tar');
  await pipeline(await new Docker().getImage(image).get(), createWriteStream(file));
  return file;
}

export async function loadImage(host: DockerHost, tarFile: string): Promise<void> {
  const loading = await host.engine.loadImage(createReadStream(tarFile));
  await new Promise((resolve, reject) =>
    host.engine.modem.followProgress(loading, (error: Error | null) =>
      error ? reject(error) : resolve(null),
    ),
  );
}

/** The cgroups its engine made under its cgroup parent, in each hierarchy, deepest first. */
async function removeCgroups(name: string): Promise<void> {
  const hierarchies = await readdir('/sys/fs/cgroup').catch(() => [] as string[]);
  for (const hierarchy of [...hierarchies, '']) {
    await removeTree(path.join('/sys/fs/cgroup', hierarchy, name));
  }
}

async function removeTree(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
  if (!entries) return;
  for (const entry of entries) if (entry.isDirectory()) await removeTree(path.join(dir, entry.name));
  await rmdir(dir).catch(() => undefined);
}

/**
 * Forwards connections to `address` (the root end of a host's link) to `target` on loopback:
 * how a host reaches the suite's Postgres and S3 without them listening anywhere else.
 */
export async function forward(
  address: string,
  target: { host: string; port: number },
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, address, () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
