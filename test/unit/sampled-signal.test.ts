import { describe, expect, it } from 'vitest';
import { isSampledSignal, SAMPLED_SIGNAL } from '../../src/runner/container-paths.js';

describe("the worker's sign that it has sampled a container", () => {
  it('is a signal whose default action is nothing (so one that comes early stops nothing)', () => {
    expect(SAMPLED_SIGNAL).toBe('WINCH');
  });

  it("is known in an engine's kill event by number or by name, and no stopping signal is taken for it", () => {
    for (const signal of ['28', 'WINCH', 'SIGWINCH']) expect(isSampledSignal(signal)).toBe(true);
    for (const signal of ['15', '9', 'TERM', 'SIGKILL', '', undefined])
      expect(isSampledSignal(signal)).toBe(false);
  });
});
