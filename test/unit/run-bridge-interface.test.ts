import { describe, expect, it } from 'vitest';
import { RunFailure } from '../../src/errors.js';
import { createHostGuard, isLocalEngine, runBridgeInterface } from '../../src/runner/host-access.js';

describe("a bridge run's host interface", () => {
  it('is a name of 15 characters under tds, one firewall rule covering every run', () => {
    expect(runBridgeInterface('01a24b9d-5526-7269-9a50-5dda64e9c5e3')).toMatch(/^tds[0-9a-f]{12}$/);
  });

  it("differs for runs queued in the same millisecond, whose ids share their first digits (a fan-out's items)", () => {
    const sameMillisecond = ['01a24b9d-5526-7269-9a50-5dda64e9c5e3', '01a24b9d-5526-7269-9a50-59ff052e2c79'];
    const names = sameMillisecond.map((id) => runBridgeInterface(id));
    expect(new Set(names).size).toBe(2);
  });

  it("is under tdh when runs may reach the host, so that no tds+ rule (ours or an operator's) matches it", () => {
    const id = '01a24b9d-5526-7269-9a50-5dda64e9c5e3';
    expect(runBridgeInterface(id, 'allowed')).toMatch(/^tdh[0-9a-f]{12}$/);
    expect(runBridgeInterface(id, 'blocked-by-operator')).toBe(runBridgeInterface(id));
  });
});

describe('whether the engine is on this host', () => {
  it('is for its socket and loopback addresses, not for another host', () => {
    expect(isLocalEngine(undefined)).toBe(true);
    expect(isLocalEngine('unix:///var/run/docker.sock')).toBe(true);
    expect(isLocalEngine('tcp://127.0.0.1:2375')).toBe(true);
    expect(isLocalEngine('tcp://localhost:2375')).toBe(true);
    expect(isLocalEngine('tcp://10.0.0.5:2376')).toBe(false);
    expect(isLocalEngine('ssh://builder@engine.example')).toBe(false);
  });
});

describe('the host guard', () => {
  const recording = (fail?: Error) => {
    const calls: string[] = [];
    return {
      calls,
      firewall: {
        async dropToHost(pattern: string) {
          calls.push(pattern);
          if (fail) throw fail;
        },
      },
    };
  };

  it('installs the rule for tds+ before each bridge run when blocked', async () => {
    const { calls, firewall } = recording();
    const guard = createHostGuard({ hostAccess: 'blocked', firewall });
    await guard.ensure();
    await guard.ensure();
    expect(calls).toEqual(['tds+', 'tds+']);
  });

  it('fails the run with a reason naming what to do when the rule cannot be installed, never running it open', async () => {
    const { firewall } = recording(new Error('iptables is not installed'));
    const guard = createHostGuard({ hostAccess: 'blocked', firewall });
    const failure = await guard.ensure().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RunFailure);
    expect((failure as RunFailure).reason).toBe('infra_error');
    expect((failure as RunFailure).message).toContain('iptables is not installed');
    expect((failure as RunFailure).message).toContain('TDS_RUN_HOST_ACCESS=allowed');
  });

  it('installs nothing when the operator keeps the rule, or allows host access', async () => {
    for (const hostAccess of ['blocked-by-operator', 'allowed'] as const) {
      const { calls, firewall } = recording(new Error('never asked'));
      const guard = createHostGuard({ hostAccess, firewall });
      await guard.ensure();
      expect(calls).toEqual([]);
    }
  });
});
