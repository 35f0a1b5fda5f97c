import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDockerEngine } from '../../services/docker/docker-engine.js';
import { createEngineHostFirewall, createIptablesFirewall } from '../../services/firewall/host-firewall.js';
import {
  createBucket,
  eventually,
  getText,
  jobBody,
  startTestService,
  type TestService,
} from '../support/harness.js';

const run = promisify(execFile);

/**
 * Bridge runs and the host their engine runs on (docs/security.md, "Networks"). A listener on all
 * of the host's addresses stands for the host's own services; a listener in a network namespace
 * of its own, linked to this one by a veth pair, stands for another machine: reaching it is
 * outbound traffic the host forwards, which must keep working, replies included.
 */
const namespace = `tdsg-${randomInt(1_000_000)}`;
const subnet = randomInt(1, 250);
// Not named tds…: the rules between run networks match every interface so named.
const rootEnd = `elsw${subnet}r`;
const elsewhere = `10.214.${subnet}.2`;
let hostService: net.Server;
let hostPort: number;
let elsewhereListener: ChildProcess;
const elsewherePort = 18_080;
const services: TestService[] = [];
let bucket: string;

/** An IPv4 address of this host other than loopback and Docker's or the tests' own links. */
function hostAddress(): string {
  for (const [name, addresses] of Object.entries(os.networkInterfaces())) {
    if (/^(?:lo|docker|br-|veth|tds|tdh|elsw)/.test(name)) continue;
    const found = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    if (found) return found.address;
  }
  throw new Error('this host has no IPv4 address but loopback');
}

beforeAll(async () => {
  hostService = net.createServer((socket) => socket.end('host service\n'));
  await new Promise<void>((resolve) => hostService.listen(0, '0.0.0.0', resolve));
  hostPort = (hostService.address() as net.AddressInfo).port;

  await run('ip', ['netns', 'add', namespace]);
  await run('ip', ['link', 'add', rootEnd, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', namespace]);
  await run('ip', ['addr', 'add', `10.214.${subnet}.1/30`, 'dev', rootEnd]);
  await run('ip', ['link', 'set', rootEnd, 'up']);
  await run('ip', ['-n', namespace, 'addr', 'add', `${elsewhere}/30`, 'dev', 'eth0']);
  await run('ip', ['-n', namespace, 'link', 'set', 'eth0', 'up']);
  await run('ip', ['-n', namespace, 'link', 'set', 'lo', 'up']);
  elsewhereListener = spawn(
    'nsenter',
    [
      `--net=/run/netns/${namespace}`,
      '--',
      process.execPath,
      '-e',
      `require('node:net').createServer((s) => s.end('elsewhere\\n')).listen(${elsewherePort}, '${elsewhere}')`,
    ],
    { stdio: 'ignore' },
  );
  await eventually('the listener elsewhere to answer', () => answers(elsewhere, elsewherePort));

  bucket = await createBucket();
});

afterAll(async () => {
  for (const service of services) await service.close().catch(() => undefined);
  hostService?.close();
  elsewhereListener?.kill('SIGKILL');
  await run('ip', ['link', 'del', rootEnd]).catch(() => undefined);
  await run('ip', ['netns', 'del', namespace]).catch(() => undefined);
});

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 1000 });
    socket.once('data', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * A bridge run that tries the host's address, its network's gateway (read from its routing
 * table) and the address elsewhere, printing one line each: what answered, or "unreachable".
 */
async function probe(service: TestService) {
  const tries = [
    ['host', '$HOST_ADDRESS', hostPort],
    ['gateway', '$GATEWAY', hostPort],
    ['elsewhere', elsewhere, elsewherePort],
  ] as const;
  const command = [
    // The default route's gateway, from the kernel's table (little-endian hex), in POSIX sh and perl.
    `GATEWAY=$(perl -ne '@f = split; print join(".", unpack("C4", pack("V", hex $f[2]))) if $f[1] eq "00000000"' /proc/net/route)`,
    'echo "gateway address: $GATEWAY"',
    ...tries.map(
      ([name, address, port]) =>
        `echo "${name}: $(timeout 4 bash -c 'exec 3<>/dev/tcp/'"${address}"'/${port} && head -n 1 <&3' 2>/dev/null || echo unreachable)"`,
    ),
  ].join('\n');
  const { status, body } = await service.request(
    'POST',
    '/jobs',
    jobBody(bucket, { network: 'bridge', command, env: { HOST_ADDRESS: hostAddress() } }),
  );
  expect(status, JSON.stringify(body)).toBe(202);
  const ended = await service.waitForRun(body.run.id);
  expect(ended.state, JSON.stringify(ended.failure)).toBe('succeeded');
  const [gateway, ...lines] = ((await getText(bucket, `${ended.results.prefix}stdout.log`)) ?? '')
    .trim()
    .split('\n');
  // The probe's own check: it tried a real gateway address (not an empty one, which never answers):
  // the first address of the run network's subnet (TDS_RUN_SUBNETS).
  expect(gateway).toMatch(/^gateway address: 172\.3[01]\.\d+\.\d+$/);
  expect(Number(gateway!.split('.').at(-1)) % 16).toBe(1);
  return lines;
}

describe("bridge runs and their engine's host", () => {
  it('cannot open a connection to a service the host runs on all addresses, by its address or the gateway, by default', async () => {
    // The test's own check that the listener answers from the host (so "unreachable" means the rule).
    expect(await answers(hostAddress(), hostPort)).toBe(true);
    const service = await startTestService();
    services.push(service);
    expect(service.config.sandbox.hostAccess).toBe('blocked');
    expect(await probe(service)).toEqual([
      'host: unreachable',
      'gateway: unreachable',
      'elsewhere: elsewhere',
    ]);
    const { stdout } = await run('iptables', ['-S', 'INPUT']);
    expect(stdout).toContain('-A INPUT -i tds+ -m conntrack ! --ctstate RELATED,ESTABLISHED -j DROP');
    expect((await run('iptables', ['-S', 'DOCKER-USER'])).stdout).toContain(
      '-A DOCKER-USER -i tds+ -o tds+ -j DROP',
    );
  });

  it('reaches them when the operator allows it, the rule installed for the others notwithstanding', async () => {
    const service = await startTestService({ env: { TDS_RUN_HOST_ACCESS: 'allowed' } });
    services.push(service);
    expect(await probe(service)).toEqual([
      'host: host service',
      'gateway: host service',
      'elsewhere: elsewhere',
    ]);
  });
});

describe("the rule installed from a helper container on the engine's host", () => {
  it('is installed once, for a worker that is not root or not beside its engine', async () => {
    // A pattern of its own, so that the check sees this helper's work and nothing else's.
    const pattern = `tdsq${randomInt(1_000_000)}+`;
    const rule = ['-i', pattern, '-m', 'conntrack', '!', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'DROP'];
    const between = ['-i', pattern, '-o', pattern, '-j', 'DROP'];
    const listed = async (chain: string, match: string[]) =>
      (await run('iptables', ['-S', chain])).stdout
        .split('\n')
        .filter((line) => line === `-A ${chain} ${match.join(' ')}`).length;
    const docker = new Docker();
    const engine = createDockerEngine(docker, pino({ level: 'silent' }), 'local');
    // A label of its own too: workers of other files (a fleet on a remote engine) make such
    // containers of their own meanwhile.
    const labels = { 'tds.kind': 'host-firewall', 'tds.test-pattern': pattern.slice(0, -1) };
    const firewall = createEngineHostFirewall(engine, inject('baseImage'), labels);
    try {
      expect(await listed('INPUT', rule)).toBe(0);
      expect(await listed('FORWARD', between)).toBe(0);
      expect(await listed('DOCKER-USER', between)).toBe(0);
      await firewall.dropToHost(pattern);
      await firewall.dropToHost(pattern);
      expect(await listed('INPUT', rule)).toBe(1);
      expect(await listed('FORWARD', between)).toBe(1);
      // Docker's chain for the host's own rules, which it passes packets through before its own.
      expect(await listed('DOCKER-USER', between)).toBe(1);
      const left = await docker.listContainers({
        all: true,
        filters: { label: Object.entries(labels).map(([name, value]) => `${name}=${value}`) },
      });
      expect(left).toEqual([]);
    } finally {
      await run('iptables', ['-D', 'INPUT', ...rule]).catch(() => undefined);
      await run('ip6tables', ['-D', 'INPUT', ...rule]).catch(() => undefined);
      await run('iptables', ['-D', 'FORWARD', ...between]).catch(() => undefined);
      await run('ip6tables', ['-D', 'FORWARD', ...between]).catch(() => undefined);
      await run('iptables', ['-D', 'DOCKER-USER', ...between]).catch(() => undefined);
      await run('ip6tables', ['-D', 'DOCKER-USER', ...between]).catch(() => undefined);
    }
  });
});

describe('the rule installed by a worker beside its engine', () => {
  it('is installed once however many runs start, and again once a reload took it away', async () => {
    const pattern = `tdsr${randomInt(1_000_000)}+`;
    const rule = ['-i', pattern, '-m', 'conntrack', '!', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'DROP'];
    const between = ['-i', pattern, '-o', pattern, '-j', 'DROP'];
    const listed = async (program: string, chain: string, match: string[]) =>
      (await run(program, ['-S', chain])).stdout
        .split('\n')
        .filter((line) => line === `-A ${chain} ${match.join(' ')}`).length;
    const firewall = createIptablesFirewall();
    const ipv6 = await run('test', ['-e', '/proc/net/if_inet6']).then(
      () => true,
      () => false,
    );
    const programs = ipv6 ? ['iptables', 'ip6tables'] : ['iptables'];
    try {
      for (let n = 0; n < 3; n++) await firewall.dropToHost(pattern);
      for (const program of programs) {
        expect(await listed(program, 'INPUT', rule), program).toBe(1);
        expect(await listed(program, 'FORWARD', between), program).toBe(1);
      }
      expect(await listed('iptables', 'DOCKER-USER', between)).toBe(1);
      // A firewall reloaded without them: the next run's check puts each back, once.
      await run('iptables', ['-D', 'INPUT', ...rule]);
      await run('iptables', ['-D', 'DOCKER-USER', ...between]);
      await firewall.dropToHost(pattern);
      await firewall.dropToHost(pattern);
      expect(await listed('iptables', 'INPUT', rule)).toBe(1);
      expect(await listed('iptables', 'DOCKER-USER', between)).toBe(1);
      expect(await listed('iptables', 'FORWARD', between)).toBe(1);
    } finally {
      for (const program of programs) {
        await run(program, ['-D', 'INPUT', ...rule]).catch(() => undefined);
        await run(program, ['-D', 'FORWARD', ...between]).catch(() => undefined);
        await run(program, ['-D', 'DOCKER-USER', ...between]).catch(() => undefined);
      }
    }
  });
});
