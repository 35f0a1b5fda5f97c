import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerEngine } from '../../services/docker/docker-engine.js';
import { createSubnetPool } from '../../services/docker/subnet-pool.js';
import { createBucket, eventually, jobBody, startTestService, type TestService } from '../support/harness.js';

/**
 * Runs' networks take /28 subnets from TDS_RUN_SUBNETS rather than Docker's default pools,
 * which give an engine about 30 bridge networks in all.
 */

const docker = new Docker();
const label = `tds.test-subnets=${randomBytes(4).toString('hex')}`;
const [labelName, labelValue] = label.split('=') as [string, string];

async function subnetOf(name: string): Promise<string | undefined> {
  const network = (await docker.getNetwork(name).inspect()) as {
    IPAM?: { Config?: { Subnet?: string }[] };
  };
  return network.IPAM?.Config?.[0]?.Subnet;
}

/** The network a run's container is on, once it has been created. */
async function networkOfRun(runId: string): Promise<string | undefined> {
  const container = await docker
    .getContainer(`tds-run-${runId}`)
    .inspect()
    .catch(() => undefined);
  return Object.keys(container?.NetworkSettings.Networks ?? {})[0];
}

afterAll(async () => {
  const left = await docker.listNetworks({ filters: { label: [label] } });
  await Promise.all(
    left.map((network) =>
      docker
        .getNetwork(network.Id)
        .remove()
        .catch(() => undefined),
    ),
  );
});

describe("a run network's subnet", () => {
  it("comes from the pool, each network its own, past the ~30 of Docker's default pools, and says so when the pool is used up", async () => {
    // A pool of its own, away from the service's: a /23 holds 32 subnets of 16 addresses.
    const block = `10.${200 + (randomBytes(1)[0]! % 50)}.${2 * (randomBytes(1)[0]! % 100)}.0/23`;
    const engine = createDockerEngine(docker, pino({ level: 'silent' }), 'local', createSubnetPool(block));
    const names = Array.from({ length: 32 }, (_, i) => `tds-test-subnet-${labelValue}-${i}`);
    // Created two at a time, as two runs' networks may be.
    for (let i = 0; i < names.length; i += 2) {
      await Promise.all(
        names
          .slice(i, i + 2)
          .map((name) =>
            engine.createNetwork(
              name,
              { [labelName]: labelValue },
              `tdst${labelValue.slice(0, 4)}${i}${name.slice(-1)}`,
            ),
          ),
      );
    }
    const subnets = await Promise.all(names.map(subnetOf));
    expect(new Set(subnets).size).toBe(32);
    const prefix = block.split('.').slice(0, 2).join('.');
    for (const subnet of subnets)
      expect(subnet).toMatch(new RegExp(`^${prefix.replace('.', '\\.')}\\.\\d+\\.\\d+/28$`));

    await expect(
      engine.createNetwork(
        `tds-test-subnet-${labelValue}-full`,
        { [labelName]: labelValue },
        `tdst${labelValue.slice(0, 4)}f`,
      ),
    ).rejects.toThrow(`every subnet of ${block} (TDS_RUN_SUBNETS) is taken by a network of the engine`);
  });
});

describe('a bridge run on the default settings', () => {
  let service: TestService;
  let bucket: string;
  beforeAll(async () => {
    service = await startTestService();
    bucket = await createBucket();
  });
  afterAll(async () => {
    await service?.close();
  });

  it('has its network in 172.30.0.0/15', async () => {
    const { status, body } = await service.request(
      'POST',
      '/jobs',
      jobBody(bucket, { network: 'bridge', command: 'sleep 20' }),
    );
    expect(status, JSON.stringify(body)).toBe(202);
    const runId = body.run.id as string;
    let subnet: string | undefined;
    await eventually(
      'the run to have its network',
      async () => {
        const name = await networkOfRun(runId);
        subnet = name === undefined ? undefined : await subnetOf(name).catch(() => undefined);
        return subnet !== undefined;
      },
      60_000,
    );
    expect(subnet).toMatch(/^172\.3[01]\.\d{1,3}\.\d{1,3}\/28$/);
    await service.request('POST', `/runs/${runId}/cancel`);
    await service.waitForRun(runId);
  });
});

describe("a worker's run networks", () => {
  it('gives runs under way networks of their own, gives a free one again, and removes those left when it stops', async () => {
    const service = await startTestService();
    let closed = false;
    try {
      const bucket = await createBucket();
      const submit = async (command: string) => {
        const { status, body } = await service.request(
          'POST',
          '/jobs',
          jobBody(bucket, { network: 'bridge', command }),
        );
        expect(status, JSON.stringify(body)).toBe(202);
        return body.run.id as string;
      };
      // Two at once: each on a network no other run is on.
      const [a, b] = await Promise.all([submit('sleep 3'), submit('sleep 3')]);
      await Promise.all([a, b].map((id) => service.waitForRun(id!, (state) => state === 'running')));
      const first = await Promise.all([a, b].map((id) => networkOfRun(id!)));
      expect(first[0]).toMatch(/^tds-net-[0-9a-f]{12}-\d+$/);
      expect(first[1]).toMatch(/^tds-net-[0-9a-f]{12}-\d+$/);
      expect(first[0]).not.toBe(first[1]);
      for (const id of [a, b]) expect((await service.waitForRun(id!)).state).toBe('succeeded');

      // Once they have ended, the next run is given one of theirs rather than a new one.
      const c = await submit('sleep 1');
      await service.waitForRun(c, (state) => state === 'running');
      expect(first).toContain(await networkOfRun(c));
      expect((await service.waitForRun(c)).state).toBe('succeeded');

      const kept = await docker.listNetworks({
        filters: { label: [`tds.installation=${service.installationId}`, 'tds.kind=run-network'] },
      });
      expect(kept.map((n) => n.Name).sort()).toEqual([...first].sort());

      // Another worker's network, which no container is on: kept while that worker is live,
      // removed by the housekeeper once it is gone.
      const other = `tds-net-gone-${labelValue}`;
      await docker.createNetwork({
        Name: other,
        Labels: {
          'tds.managed': 'true',
          'tds.kind': 'run-network',
          'tds.worker-id': 'gone-worker',
          'tds.installation': service.installationId,
          [labelName]: labelValue,
        },
      });
      await service.db.query(
        `INSERT INTO workers (id, host, platform, version, capacity) VALUES ('gone-worker', 'elsewhere', 'linux/amd64', 'test', 1)`,
      );
      await service.housekeeper!.sweep();
      expect(await subnetOf(other).then(() => true)).toBe(true);
      await service.db.query(`UPDATE workers SET stopped_at = now() WHERE id = 'gone-worker'`);
      const report = await service.housekeeper!.sweep();
      expect(report.networks).toBe(1);
      await expect(subnetOf(other)).rejects.toThrow();
      // The live worker's own are its to give.
      for (const name of first) expect(await subnetOf(name!).then(() => true)).toBe(true);

      await service.close();
      closed = true;
      for (const name of first) await expect(subnetOf(name!)).rejects.toThrow();
    } finally {
      if (!closed) await service.close();
    }
  });
});
