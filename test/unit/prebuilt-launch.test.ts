import { describe, expect, it } from 'vitest';
import type { ContainerStats, ImageConfig } from '../../services/docker/container-engine.js';
import { RunFailure } from '../../src/errors.js';
import { statsRow } from '../../src/runner/engine-sampler.js';
import { JOB_ENTRYPOINT } from '../../src/runner/image-builder.js';
import { prebuiltLaunch } from '../../src/runner/prebuilt-launch.js';

const config = (overrides: Partial<ImageConfig> = {}): ImageConfig => ({
  id: 'sha256:abc',
  entrypoint: null,
  cmd: null,
  workingDir: '',
  user: '',
  bytes: 0,
  labels: {},
  ...overrides,
});

describe('prebuiltLaunch', () => {
  it('keeps the entrypoint and puts args after it, under the wrapper when the image has a shell', () => {
    const launch = prebuiltLaunch(
      'i',
      config({ entrypoint: ['/tool'], cmd: ['--help'], workingDir: '/app' }),
      ['a', 'b c'],
      true,
    );
    expect(launch).toEqual({
      entrypoint: JOB_ENTRYPOINT,
      command: ['/tool', 'a', 'b c'],
      workingDir: '/app',
    });
  });

  it("uses the image's CMD without args, and runs the whole command as the entrypoint without a shell", () => {
    expect(prebuiltLaunch('i', config({ entrypoint: ['/tool'], cmd: ['--help'] }), null, false)).toEqual({
      entrypoint: ['/tool', '--help'],
      command: [],
      workingDir: '/job',
    });
    // An empty list replaces the image's CMD with nothing.
    expect(prebuiltLaunch('i', config({ entrypoint: ['/tool'], cmd: ['--help'] }), [], true).command).toEqual(
      ['/tool'],
    );
  });

  it("runs string args with the image's /bin/sh -c, after the entrypoint as Docker's shell form does", () => {
    expect(prebuiltLaunch('i', config(), 'echo $HOME', true).command).toEqual([
      '/bin/sh',
      '-c',
      'echo $HOME',
    ]);
    expect(prebuiltLaunch('i', config({ entrypoint: ['/init'] }), 'x', true).command).toEqual([
      '/init',
      '/bin/sh',
      '-c',
      'x',
    ]);
  });

  it('fails image_error for string args without a shell, and for nothing to run', () => {
    const failure = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        expect(error).toBeInstanceOf(RunFailure);
        return error as RunFailure;
      }
      throw new Error('did not fail');
    };
    const noShell = failure(() => prebuiltLaunch('img', config({ entrypoint: ['/p'] }), 'echo', false));
    expect(noShell.reason).toBe('image_error');
    expect(noShell.message).toContain('image "img" has no /bin/sh: give args as a list');
    const nothing = failure(() => prebuiltLaunch('img', config(), null, true));
    expect(nothing.reason).toBe('image_error');
    expect(nothing.message).toContain('has neither an entrypoint nor a command');
  });
});

describe('statsRow', () => {
  const reading = (ms: number, cpuMs: number, memory: number | null): ContainerStats => ({
    at: new Date(1_700_000_000_000 + ms),
    cpuNanoseconds: cpuMs * 1e6,
    memoryBytes: memory,
  });

  it('writes the in-container sampler columns: CPU in percent of one core since the previous reading', () => {
    const first = reading(0, 100, 5000);
    expect(statsRow(first, undefined, first)).toBe('1700000000,0.00,,5000');
    expect(statsRow(first, first, reading(500, 350, 6000))).toBe('1700000000,0.50,50.00,6000');
    expect(statsRow(first, reading(500, 350, 1), reading(1500, 2350, null))).toBe('1700000001,1.50,200.00,');
  });
});
