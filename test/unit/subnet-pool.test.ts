import { describe, expect, it } from 'vitest';
import { createSubnetPool, problemOfBlock } from '../../services/docker/subnet-pool.js';

describe('the pool of run subnets', () => {
  it('cuts a block into /28 subnets, each once, starting where the name picks', () => {
    const pool = createSubnetPool('172.30.0.0/15');
    const all = [...pool.candidates('tds-net-a')];
    expect(all).toHaveLength(8192);
    expect(new Set(all).size).toBe(8192);
    for (const subnet of all) expect(subnet).toMatch(/^172\.(30|31)\.\d{1,3}\.\d{1,3}\/28$/);
    expect(all).toContain('172.30.0.0/28');
    expect(all).toContain('172.31.255.240/28');
    // Another name starts elsewhere (one in 8,192 would start at the same place).
    expect([...pool.candidates('tds-net-b')][0]).not.toBe(all[0]);
    // The same name starts at the same place.
    expect([...pool.candidates('tds-net-a')][0]).toBe(all[0]);
  });

  it('takes a block written with host bits as the block they lie in', () => {
    expect([...createSubnetPool('192.168.7.9/24').candidates('x')].sort()).toEqual(
      Array.from({ length: 16 }, (_, i) => `192.168.7.${i * 16}/28`).sort(),
    );
  });

  it('refuses a block that is not private, too big, too small or not a block', () => {
    expect(problemOfBlock('172.30.0.0/15')).toBeUndefined();
    expect(problemOfBlock('10.0.0.0/8')).toBeUndefined();
    expect(problemOfBlock('8.8.0.0/16')).toBe(
      'must lie within a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16); 8.8.0.0–8.8.255.255 does not',
    );
    expect(problemOfBlock('172.0.0.0/8')).toMatch(/^must lie within a private range/);
    expect(problemOfBlock('10.0.0.0/7')).toBe('must be a block from /8 to /24');
    expect(problemOfBlock('10.0.0.0/25')).toBe('must be a block from /8 to /24');
    expect(problemOfBlock('10.0.0/16')).toMatch(/^must be an IPv4 block/);
    expect(problemOfBlock('10.0.0.300/16')).toMatch(/^must be an IPv4 block/);
  });
});
