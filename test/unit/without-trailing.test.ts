import { describe, expect, it } from 'vitest';
import { outputKey } from '../../src/runner/collect-results.js';
import { withoutTrailing } from '../../src/text/without-trailing.js';

describe('withoutTrailing', () => {
  it('drops the character repeated at the end only', () => {
    expect(withoutTrailing('a/b///', '/')).toBe('a/b');
    expect(withoutTrailing('///', '/')).toBe('');
    expect(withoutTrailing('/a/b', '/')).toBe('/a/b');
    expect(withoutTrailing('', '/')).toBe('');
  });

  it("reads a job's output name of a MiB of slashes in time linear in its length", () => {
    const MiB = 1 << 20;
    // /\/+$/ tried again from each slash of this name: about 5e11 steps.
    const hostile = `output/${'/'.repeat(MiB)}x`;
    const plain = `output/${'a/'.repeat(MiB / 2)}x`;
    const fastest = (name: string) => {
      let best = Infinity;
      for (let round = 0; round < 3; round++) {
        const started = performance.now();
        outputKey('out/', name);
        best = Math.min(best, performance.now() - started);
      }
      return best;
    };
    const baseline = fastest(plain);
    expect(outputKey('out/', hostile)).toBeUndefined();
    expect(fastest(hostile)).toBeLessThan(20 * baseline + 50);
  });
});
