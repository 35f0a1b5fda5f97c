import { describe, expect, it } from 'vitest';
import { isTag, missingTags, platformOf, tagSet } from '../../src/fleet/tags.js';

describe('tags', () => {
  it('accepts the tags operators write, platforms included, and refuses anything else', () => {
    for (const tag of ['gpu', 'zone-a', 'linux/arm64', 'arch=arm64', 'net:10g', 'a.b_c'])
      expect(isTag(tag)).toBe(true);
    for (const tag of ['', ' gpu', 'big gpu', '-gpu', 'x'.repeat(65), 'gpu,ssd', 'é'])
      expect(isTag(tag)).toBe(false);
  });

  it('keeps a set of tags without repeats, in one order', () => {
    expect(tagSet(['b', 'a', 'b'])).toEqual(['a', 'b']);
  });

  it('finds the required tags a worker lacks', () => {
    expect(missingTags(['gpu', 'zone-a'], ['zone-a', 'linux/amd64'])).toEqual(['gpu']);
    expect(missingTags([], [])).toEqual([]);
    expect(missingTags(['gpu'], ['gpu', 'ssd'])).toEqual([]);
  });

  it("names an engine's platform as image platforms do", () => {
    expect(platformOf('linux', 'x86_64')).toBe('linux/amd64');
    expect(platformOf('linux', 'aarch64')).toBe('linux/arm64');
    expect(platformOf('Linux', 'mips64')).toBe('linux/mips64');
    expect(platformOf('', '')).toBe('unknown/unknown');
  });
});
