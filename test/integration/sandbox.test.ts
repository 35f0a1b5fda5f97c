import { readdir } from 'node:fs/promises';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBucket,
  eventually,
  getText,
  jobBody,
  listKeys,
  putObject,
  startTestService,
  type TestService,
} from '../support/harness.js';

let service: TestService;
let bucket: string;
const docker = new Docker();

beforeAll(async () => {
  process.env.TDS_TEST_SANDBOX_SECRET = 'service-secret-value';
  // The tests run at once, each on runs of its own, checked by their ids. Room for the network
  // test's listener and its four probers with the others' runs: each prober waits out its
  // `timeout 5` against a dropped connection, side by side rather than one after another.
  service = await startTestService({ env: { TDS_MAX_CONCURRENT_RUNS: '8' } });
  bucket = await createBucket();
  await putObject(bucket, 'sandbox-in/data.txt', 'input data\n');
});

afterAll(async () => {
  delete process.env.TDS_TEST_SANDBOX_SECRET;
  await service?.close();
});

/**
 * Runs stage the file's inputs unless told otherwise, not the whole bucket: the tests run at once,
 * and the others' results land in it meanwhile.
 */
async function submit(overrides: Record<string, unknown>) {
  const { status, body } = await service.request(
    'POST',
    '/jobs',
    jobBody(bucket, { source_s3_prefix: 'sandbox-in', ...overrides }),
  );
  expect(status, JSON.stringify(body)).toBe(202);
  return body as { job: { id: string; spec: Record<string, unknown> }; run: { id: string } };
}

/** Makes and removes networks one after another, as other runs starting would, until stopped. */
function churnNetworks(): { stop(): Promise<void> } {
  let stopping = false;
  const loop = (async () => {
    for (let i = 0; !stopping; i++) {
      const name = `tds-test-churn-${process.pid}-${i}`;
      const network = await docker.createNetwork({
        Name: name,
        Labels: { 'tds.test': 'churn' },
        // Outside Docker's pools and the runs' subnets: it takes nothing a run could be given.
        IPAM: { Config: [{ Subnet: `10.199.${i % 256}.0/28` }] },
        Options: {
          'com.docker.network.bridge.name':
            `tdsc${process.pid.toString(16).slice(-4)}${i.toString(16).padStart(7, '0')}`.slice(0, 15),
          'com.docker.network.bridge.enable_icc': 'false',
        },
      });
      await network.remove();
    }
  })();
  return {
    async stop() {
      stopping = true;
      await loop;
    },
  };
}

async function runToEnd(overrides: Record<string, unknown>) {
  const { run } = await submit(overrides);
  const ended = await service.waitForRun(run.id);
  const prefix = ended.results.prefix as string;
  const stdout = (await getText(bucket, `${prefix}stdout.log`)) ?? '';
  return { run: ended, prefix, stdout, lines: stdout.trim().split('\n') };
}

describe.concurrent('a job container, tried as a hostile user would', () => {
  it('runs the command as a user that is not root, has no capabilities and cannot gain privileges', async ({
    expect,
  }) => {
    const { run, lines } = await runToEnd({
      command: [
        'id -u; id -g',
        "grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):' /proc/self/status | tr -s '\\t' ' '",
        // su is setuid root: with no-new-privileges it cannot become root.
        'su -c "id -u" root </dev/null >/dev/null 2>&1 && echo "su worked" || echo "su refused"',
        'mkdir /tmp/m; mount -t tmpfs none /tmp/m 2>/dev/null && echo "mount worked" || echo "mount refused"',
        'apt-get install -y curl >/dev/null 2>&1 && echo "install worked" || echo "install refused"',
        'echo "$HOME"',
      ].join('\n'),
    });
    expect(run.state).toBe('succeeded');
    expect(lines).toEqual([
      '10001',
      '10001',
      'CapInh: 0000000000000000',
      'CapPrm: 0000000000000000',
      'CapEff: 0000000000000000',
      'CapBnd: 0000000000000000',
      'CapAmb: 0000000000000000',
      'NoNewPrivs: 1',
      'su refused',
      'mount refused',
      'install refused',
      '/tmp',
    ]);
  });

  it('cannot write anywhere but its output folder and /tmp (and the metrics folder)', async ({ expect }) => {
    const places = ['/', '/etc', '/usr', '/usr/bin', '/root', '/var', '/job', '/job/input', '/job/.tds'];
    const { run, prefix, lines } = await runToEnd({
      source_s3_prefix: 'sandbox-in',
      command: [
        `for dir in ${places.join(' ')}; do`,
        '  if (echo x > "$dir/probe") 2>/dev/null; then echo "$dir written"; else echo "$dir refused"; fi',
        'done',
        '(echo "echo hijacked" >> /job/.tds/command.sh) 2>/dev/null && echo "command.sh written" || echo "command.sh refused"',
        '(echo changed > /job/input/data.txt) 2>/dev/null && echo "input written" || echo "input refused"',
        '(rm -rf /job/output && echo x > /job/output) 2>/dev/null && echo "output replaced" || echo "output kept"',
        'echo kept > /job/output/result.txt && echo "output written"',
        'echo scratch > /tmp/scratch && echo "tmp written"',
        'cat input/data.txt',
      ].join('\n'),
    });
    expect(run.state).toBe('succeeded');
    expect(lines).toEqual([
      ...places.map((dir) => `${dir} refused`),
      'command.sh refused',
      'input refused',
      'output kept',
      'output written',
      'tmp written',
      'input data',
    ]);
    expect(await getText(bucket, `${prefix}output/result.txt`)).toBe('kept\n');
  });

  it("sees only the job's environment, none of the service's credentials, and no Docker socket", async ({
    expect,
  }) => {
    const { run, lines } = await runToEnd({
      env: { GREETING: 'hi' },
      command: [
        'env | cut -d= -f1 | sort | tr "\\n" " "; echo',
        'cat /proc/1/environ | tr "\\0" "\\n" | grep -c -e S3RVER -e service-secret-value -e AWS_ -e DATABASE_URL',
        'for s in /var/run/docker.sock /run/docker.sock /var/run/docker /run/containerd; do [ -e "$s" ] && echo "$s present"; done',
        'grep -c -e docker.sock -e containerd /proc/mounts',
        'echo done',
      ].join('\n'),
    });
    expect(run.state).toBe('succeeded');
    expect(lines).toEqual([
      'GREETING HOME HOSTNAME OLDPWD PATH PWD TDS_METRICS_FILE TDS_METRICS_GATE TDS_METRICS_INTERVAL TDS_RUN_DATE TDS_SCHEDULED_FOR ',
      '0',
      '0',
      'done',
    ]);
  });

  it('starts the container read-only, without capabilities or host folders, and removes its volumes with it', async ({
    expect,
  }) => {
    const { run } = await submit({ command: 'sleep 60', network: 'none' });
    await service.waitForRun(run.id, (s) => s === 'running');
    const [listed] = await docker.listContainers({ filters: { label: [`tds.run-id=${run.id}`] } });
    const info = await docker.getContainer(listed!.Id).inspect();
    expect(info.Config.User).toBe('10001:10001');
    expect(info.HostConfig).toMatchObject({
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Privileged: false,
      NetworkMode: 'none',
      Init: true,
    });
    expect(info.HostConfig.CapAdd ?? []).toEqual([]);
    expect(info.HostConfig.Binds ?? []).toEqual([]);
    expect(info.HostConfig.Devices ?? []).toEqual([]);
    expect(Object.keys(info.HostConfig.Tmpfs ?? {})).toEqual(['/tmp']);
    // /job holds the run's files, read-only as the root filesystem is; only its output and
    // sampler's folders are writable, and nothing else is mounted (the worker's sign that it has
    // sampled the container is a signal, not a file put into it).
    const mounts = info.Mounts.map((m) => `${m.Type} ${m.Destination} ${m.RW ? 'rw' : 'ro'}`).sort();
    expect(mounts).toEqual(['volume /job ro', 'volume /job/.metrics rw', 'volume /job/output rw']);
    const volumes = info.Mounts.map((m) => m.Name!);
    // The run's volumes and container say whose they are, so that housekeeping removes only its
    // own; it has no image of its own.
    const mine = { 'tds.installation': service.installationId, 'tds.run-id': run.id };
    for (const name of volumes) expect((await docker.getVolume(name).inspect()).Labels).toMatchObject(mine);
    expect(info.Config.Labels).toMatchObject(mine);
    expect(await docker.listImages({ filters: { reference: [`tds-run:${run.id}`] } })).toEqual([]);

    await service.request('POST', `/runs/${run.id}/cancel`);
    const ended = await service.waitForRun(run.id, undefined, 30_000);
    expect(ended.state).toBe('cancelled');
    await eventually('its container and volumes to be removed', async () => {
      const left = await Promise.all(
        volumes.map((name) =>
          docker
            .getVolume(name)
            .inspect()
            .then(() => true)
            .catch(() => false),
        ),
      );
      return left.every((present) => !present);
    });
  });

  it('puts the container on no network with network "none", and on the bridge with "bridge" (the default)', async ({
    expect,
  }) => {
    const none = await runToEnd({ network: 'none', command: 'ls /sys/class/net' });
    expect(none.run.state).toBe('succeeded');
    expect(none.lines).toEqual(['lo']);

    const { job, run } = await submit({ command: 'ls /sys/class/net' });
    expect(job.spec.network).toBe('bridge');
    const bridged = await service.waitForRun(run.id);
    expect(bridged.state).toBe('succeeded');
    expect(await getText(bucket, `${bridged.results.prefix}stdout.log`)).toContain('eth0');
  });

  it('gives each bridge run a network no other run under way is on, on which no other run can reach it', async ({
    expect,
  }) => {
    // A listener in one run: the host reaches it (so it listens), another bridge run does not.
    const listener = await submit({
      command:
        'timeout 60 perl -MIO::Socket::INET -e \'$s = IO::Socket::INET->new(LocalPort => 8080, Listen => 5, ReuseAddr => 1) or die; while ($c = $s->accept) { print $c "hello\\n"; close $c }\'; exit 0',
    });
    await service.waitForRun(listener.run.id, (state) => state === 'running');
    const container = await docker.getContainer(`tds-run-${listener.run.id}`).inspect();
    const [networkName] = Object.keys(container.NetworkSettings.Networks);
    // One of the networks its worker keeps for its runs (run-networks.ts).
    expect(networkName).toMatch(/^tds-net-[0-9a-f]{12}-\d+$/);
    const network = await docker.getNetwork(networkName!).inspect();
    expect(network.Options).toMatchObject({
      'com.docker.network.bridge.enable_icc': 'false',
      // One host firewall rule (-i tds+) covers every run's network: see docs/security.md.
      'com.docker.network.bridge.name': expect.stringMatching(/^tds[0-9a-f]{12}$/),
    });
    expect(network.Labels).toMatchObject({
      'tds.installation': service.installationId,
      'tds.kind': 'run-network',
      'tds.worker-id': service.config.workerId,
    });
    expect(Object.keys(network.Containers ?? {})).toEqual([container.Id]);
    const address = container.NetworkSettings.Networks[networkName!]!.IPAddress;
    await eventually('the listener to answer the host', async () => {
      const net = await import('node:net');
      return new Promise<boolean>((resolve) => {
        const socket = net.connect({ host: address, port: 8080, timeout: 1000 });
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
    });

    // Probers start side by side while other networks are being made, as on a busy worker: each
    // network the engine makes rewrites its rules, and a run's first packets meet them then.
    const churn = churnNetworks();
    const probers = await Promise.all(
      [1, 2, 3, 4].map(() =>
        runToEnd({
          command: `timeout 5 bash -c 'exec 3<>/dev/tcp/${address}/8080 && head -n 1 <&3' || echo unreachable`,
        }),
      ),
    ).finally(() => churn.stop());
    for (const prober of probers) {
      expect(prober.run.state).toBe('succeeded');
      expect(prober.lines).toEqual(['unreachable']);
    }

    expect((await service.request('POST', `/runs/${listener.run.id}/cancel`)).status).toBeLessThan(300);
    await service.waitForRun(listener.run.id);
    // Kept for the worker's next run, with no container on it.
    const after = await docker.getNetwork(networkName!).inspect();
    expect(after.Containers ?? {}).toEqual({});
  });

  it('refuses a network other than none or bridge', async ({ expect }) => {
    const { status, body } = await service.request('POST', '/jobs', jobBody(bucket, { network: 'host' }));
    expect(status).toBe(400);
    expect(body.message).toBe('network "host" is not allowed: use one of "none", "bridge"');
  });
});

describe.concurrent('hostile files a container leaves in its output folder', () => {
  it('uploads its regular files and lists links, devices and over-long names as skipped, following none', async ({
    expect,
  }) => {
    const longDir = 'd'.repeat(200);
    const { run, prefix, lines } = await runToEnd({
      command: [
        'cd output',
        'echo fine > ok.txt',
        'echo dots > ..dots..',
        'ln -s /etc/passwd passwd',
        'ln -s /var/run/docker.sock sock',
        'ln -s ../../../../.. up',
        'ln -s /etc etc-dir',
        'ln ok.txt hard',
        'ln /etc/passwd hard-etc 2>/dev/null && echo "hardlink to /etc/passwd made" || echo "hardlink to /etc/passwd refused"',
        'mknod null c 1 3 2>/dev/null && echo "device made" || echo "device refused"',
        'mkfifo pipe',
        `for i in 1 2 3 4 5 6; do mkdir ${longDir} && cd ${longDir}; done`,
        'echo deep > leaf.txt',
        // The sampler's file, replaced by a link to a file of the image.
        'ln -sf /etc/passwd /job/.metrics/metrics.csv',
      ].join('\n'),
    });
    expect(run.state).toBe('succeeded');
    expect(lines).toEqual(['hardlink to /etc/passwd refused', 'device refused']);
    // A file with two names is uploaded once, under whichever name the archive holds first.
    const keys = await listKeys(bucket, `${prefix}output/`);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(`${prefix}output/..dots..`);
    expect([`${prefix}output/ok.txt`, `${prefix}output/hard`]).toContain(keys[1]);
    expect(await getText(bucket, keys[1]!)).toBe('fine\n');
    const record = JSON.parse((await getText(bucket, `${prefix}run.json`))!);
    const reasons = Object.fromEntries(
      (record.outputs.skipped as { path: string; reason: string }[]).map((s) => [s.path, s.reason]),
    );
    expect(reasons).toMatchObject({
      passwd: 'symlink (pointing at /etc/passwd) is not a regular file',
      sock: 'symlink (pointing at /var/run/docker.sock) is not a regular file',
      up: 'symlink (pointing at ../../../../..) is not a regular file',
      'etc-dir': 'symlink (pointing at /etc) is not a regular file',
      pipe: 'fifo is not a regular file',
    });
    // The archive holds the other name as a link to the first.
    const uploaded = keys[1]!.slice(`${prefix}output/`.length);
    const other = uploaded === 'ok.txt' ? 'hard' : 'ok.txt';
    expect(reasons[other]).toBe(`link (pointing at output/${uploaded}) is not a regular file`);
    expect(reasons[`${`${longDir}/`.repeat(6)}leaf.txt`]).toMatch(/^the name is too long for S3/);
    expect(record.outputs).toMatchObject({ files: 2, overCap: null, skippedNotListed: 0 });
    expect(await getText(bucket, `${prefix}metrics.csv`)).not.toContain('root:');
  });
});

describe.concurrent('input keys crafted to escape the input folder', () => {
  it('fail the run as input_error before anything is built, writing nothing outside the run', async ({
    expect,
  }) => {
    const escaping = await createBucket();
    // s3rver keeps these keys as they are (it normalises `..` segments away, as a URL would).
    const key = 'esc/a\\..\\..\\..\\etc\\tds-escape';
    await putObject(escaping, 'esc/fine.txt', 'fine');
    await putObject(escaping, key, 'hostile');
    expect(await listKeys(escaping, 'esc/')).toContain(key);
    const { status, body } = await service.request(
      'POST',
      '/jobs',
      jobBody(escaping, { source_s3_prefix: 'esc', command: 'echo never' }),
    );
    expect(status).toBe(202);
    const run = await service.waitForRun(body.run.id);
    expect(run.state).toBe('failed');
    expect(run.failure.reason).toBe('input_error');
    expect(run.failure.message).toContain(key.slice('esc/'.length));
    expect(run.history.map((e: { state: string }) => e.state)).not.toContain('building');
    // Nothing of the run is left in the data folder, and nothing was written beside it.
    await eventually('the run folder to be removed', async () => {
      const runs = await readdir(path.join(service.config.dataDir, 'runs')).catch(() => [] as string[]);
      return !runs.includes(run.id);
    });
    expect((await readdir(service.config.dataDir)).filter((name) => name.includes('escape'))).toEqual([]);
  });
});
