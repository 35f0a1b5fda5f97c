import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { resolveResources } from '../../src/worker/presence.js';

describe("a worker's CPUs and memory", () => {
  it('are its settings where set, else its engine’s, else this host’s', () => {
    const engine = { cpus: 16, memoryBytes: 64 * 1024 ** 3 };
    expect(resolveResources({ cpus: 2.5, memoryMb: 4096 }, engine)).toEqual({ cpus: 2.5, memoryMb: 4096 });
    expect(resolveResources({ cpus: 0, memoryMb: 0 }, engine)).toEqual({ cpus: 16, memoryMb: 65_536 });
    expect(resolveResources({ cpus: 0, memoryMb: 1000 }, engine)).toEqual({ cpus: 16, memoryMb: 1000 });
    expect(resolveResources({ cpus: 0, memoryMb: 0 }, { cpus: 0, memoryBytes: 0 })).toEqual({
      cpus: os.availableParallelism(),
      memoryMb: Math.floor(os.totalmem() / 1024 ** 2),
    });
  });
});
