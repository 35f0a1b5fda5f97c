import { describe, expect, it } from 'vitest';
import { createRunNetworks, runNetworkNames } from '../../src/runner/run-networks.js';

/** An engine's networks as the pool sees them: name → running containers on it. */
function engineOf(networks: Map<string, number>, failCreate = false) {
  const made: string[] = [];
  return {
    made,
    engine: {
      async createNetwork(name: string) {
        await Promise.resolve();
        if (failCreate) throw new Error('the engine refused');
        networks.set(name, 0);
        made.push(name);
      },
      async networkContainers(name: string) {
        await Promise.resolve();
        return networks.get(name);
      },
      async removeNetwork(name: string) {
        await Promise.resolve();
        networks.delete(name);
      },
    },
  };
}

const hostGuard = (prefix = 'tds') => ({
  ensure: () => Promise.resolve(),
  bridgeInterface: (name: string) => `${prefix}${name.length}`,
});
const ids = { workerId: 'w1', installationId: 'i1' };

describe('run networks', () => {
  it('gives starts under way different networks, and a free one again once its start is over', async () => {
    const networks = new Map<string, number>();
    const { engine, made } = engineOf(networks);
    const pool = createRunNetworks({ engine, hostGuard: hostGuard(), ...ids });
    const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
    expect(a).not.toBe(b);
    expect(made).toEqual([a, b]);
    // a's container runs on it: not given while it does.
    networks.set(a, 1);
    pool.started(a);
    expect(await pool.acquire()).not.toBe(a);
    // Its container stopped: given again rather than a new one made.
    networks.set(a, 0);
    pool.started(b);
    expect([a, b]).toContain(await pool.acquire());
    expect(made).toHaveLength(3);
  });

  it('lets go of a network whose making failed, and says so', async () => {
    const networks = new Map<string, number>();
    const pool = createRunNetworks({
      engine: engineOf(networks, true).engine,
      hostGuard: hostGuard(),
      ...ids,
    });
    await expect(pool.acquire()).rejects.toThrow('the engine refused');
    await expect(pool.acquire()).rejects.toThrow('the engine refused');
  });

  it('names networks by installation, worker and host access, so that none is given under other settings', () => {
    const name = (prefix: string, installationId = 'i1', workerId = 'w1') =>
      runNetworkNames({ hostGuard: hostGuard(prefix), workerId, installationId })(0);
    expect(name('tds')).toMatch(/^tds-net-[0-9a-f]{12}-0$/);
    expect(name('tds')).toBe(name('tds'));
    expect(name('tdh')).not.toBe(name('tds'));
    expect(name('tds', 'i2')).not.toBe(name('tds'));
    expect(name('tds', 'i1', 'w2')).not.toBe(name('tds'));
  });

  it('removes, as its worker stops, the networks no container is on', async () => {
    const networks = new Map<string, number>();
    const { engine } = engineOf(networks);
    const pool = createRunNetworks({ engine, hostGuard: hostGuard(), ...ids });
    const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
    pool.started(a);
    pool.started(b);
    networks.set(b, 1);
    await pool.removeIdle();
    expect([...networks.keys()]).toEqual([b]);
  });
});
