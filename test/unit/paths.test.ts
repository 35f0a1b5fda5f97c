import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { RunFailure } from '../../src/errors.js';
import { outputKey } from '../../src/runner/collect-results.js';
import { inputPath } from '../../src/runner/stage-inputs.js';

const INPUT_DIR = path.resolve('/tmp/tds-unit/run-1/input');

describe('inputPath', () => {
  it('places a nested key under the input folder', () => {
    expect(inputPath(INPUT_DIR, 'a/b.txt')).toBe(path.join(INPUT_DIR, 'a', 'b.txt'));
  });

  it('places a top-level key directly in the input folder', () => {
    expect(inputPath(INPUT_DIR, 'data.csv')).toBe(path.join(INPUT_DIR, 'data.csv'));
  });

  it('keeps names that merely contain dots', () => {
    expect(inputPath(INPUT_DIR, '.env/..hidden/v1..2')).toBe(
      path.join(INPUT_DIR, '.env', '..hidden', 'v1..2'),
    );
  });

  it.each([
    ['a parent segment', '../x'],
    ['a parent segment that climbs out', 'a/../../x'],
    ['a parent segment that stays inside', 'a/../b'],
    ['an empty segment', 'a//b'],
    ['a current-folder segment', './a'],
    ['a backslash', 'a\\b'],
    ['a backslash parent path', '..\\x'],
    ['an empty key', ''],
    ['an absolute key', '/etc/passwd'],
    ['a trailing slash', 'a/'],
  ])('refuses a key with %s (%j) as an input error', (_what, key) => {
    let caught: unknown;
    try {
      inputPath(INPUT_DIR, key);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RunFailure);
    expect((caught as RunFailure).reason).toBe('input_error');
    expect((caught as RunFailure).message).toContain(`"${key}"`);
  });
});

describe('outputKey', () => {
  const PREFIX = 'out/job-1/run-1/';

  it.each([
    ['output/a.txt', `${PREFIX}output/a.txt`],
    ['output/sub/b', `${PREFIX}output/sub/b`],
    ['output/deep/er/c.json', `${PREFIX}output/deep/er/c.json`],
    ['output/.hidden', `${PREFIX}output/.hidden`],
  ])('stores %j under %j', (entry, expected) => {
    expect(outputKey(PREFIX, entry)).toBe(expected);
  });

  it('works with an empty results prefix', () => {
    expect(outputKey('', 'output/a.txt')).toBe('output/a.txt');
  });

  it.each(['output/', 'output', 'output/../x', 'output/a/../../x', 'output/./a', 'output//a', 'output/a\\b'])(
    'gives no key for %j',
    (entry) => {
      expect(outputKey(PREFIX, entry)).toBeUndefined();
    },
  );
});
