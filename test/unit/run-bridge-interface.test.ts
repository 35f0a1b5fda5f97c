import { describe, expect, it } from 'vitest';
import { runBridgeInterface } from '../../src/runner/image-builder.js';

describe("a bridge run's host interface", () => {
  it('is a name of 15 characters under tds, one firewall rule covering every run', () => {
    expect(runBridgeInterface('01a24b9d-5526-7269-9a50-5dda64e9c5e3')).toMatch(/^tds[0-9a-f]{12}$/);
  });

  it("differs for runs queued in the same millisecond, whose ids share their first digits (a fan-out's items)", () => {
    const sameMillisecond = ['01a24b9d-5526-7269-9a50-5dda64e9c5e3', '01a24b9d-5526-7269-9a50-59ff052e2c79'];
    const names = sameMillisecond.map(runBridgeInterface);
    expect(new Set(names).size).toBe(2);
  });
});
