import { createHash } from 'node:crypto';

/**
 * Where a run's own network takes its addresses: a block of IPv4 addresses (`172.30.0.0/15`) cut
 * into small subnets (/28: the gateway and a few containers), one per run network. Docker's own
 * default pools give about 30 bridge networks an engine, so a worker with more networked runs at
 * once than that could not create the next one; a /15 cut into /28s gives 8,192.
 */
export interface SubnetPool {
  /** The block as written, e.g. `172.30.0.0/15`. */
  block: string;
  /**
   * Subnets to try for the network `name`, in turn: from a place its name picks (so two workers
   * creating networks at once rarely try the same one first), around the whole block once.
   */
  candidates(name: string): Iterable<string>;
}

/** Each run network's subnet: 16 addresses. */
export const RUN_SUBNET_BITS = 28;

/** `a.b.c.d/n` → its first address as a number and its prefix length; undefined when not one. */
export function parseBlock(text: string): { base: number; bits: number } | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text.trim());
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const bits = Number(match[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const address = octets.reduce((n, o) => n * 256 + o, 0);
  const size = 2 ** (32 - bits);
  // The block as its first address (host bits cleared).
  return { base: address - (address % size), bits };
}

function dotted(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join('.');
}

/**
 * The pool over `block`, which must be a private IPv4 block between /8 and /24 (checked where the
 * setting is read: `problemOfBlock`).
 */
export function createSubnetPool(block: string): SubnetPool {
  const parsed = parseBlock(block);
  if (!parsed) throw new Error(`not an IPv4 block: ${block}`);
  const count = 2 ** (RUN_SUBNET_BITS - parsed.bits);
  const size = 2 ** (32 - RUN_SUBNET_BITS);
  return {
    block,
    *candidates(name) {
      const start = createHash('sha256').update(name).digest().readUInt32BE(0) % count;
      for (let i = 0; i < count; i += 1) {
        const index = (start + i) % count;
        yield `${dotted(parsed.base + index * size)}/${RUN_SUBNET_BITS}`;
      }
    },
  };
}

/** The private IPv4 ranges (RFC 1918), as first and last address. */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((range) => {
  const { base, bits } = parseBlock(range)!;
  return { range, first: base, last: base + 2 ** (32 - bits) - 1 };
});

/** Why `text` cannot be a pool of run subnets, or undefined when it can. */
export function problemOfBlock(text: string): string | undefined {
  const parsed = parseBlock(text);
  if (!parsed) return 'must be an IPv4 block written a.b.c.d/n, such as 172.30.0.0/15';
  if (parsed.bits < 8 || parsed.bits > 24) return 'must be a block from /8 to /24';
  const first = parsed.base;
  const last = parsed.base + 2 ** (32 - parsed.bits) - 1;
  if (!PRIVATE_RANGES.some((range) => range.first <= first && last <= range.last)) {
    return `must lie within a private range (${PRIVATE_RANGES.map((r) => r.range).join(', ')}); ${dotted(first)}–${dotted(last)} does not`;
  }
  return undefined;
}
