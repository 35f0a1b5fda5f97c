import { describe, expect, it } from 'vitest';
import {
  forbiddenImageProblem,
  imageRepository,
  isLocalImageAllowed,
} from '../../src/jobs/image-reference.js';

describe('image references', () => {
  it('name the repository as the engine resolves it', () => {
    expect(imageRepository('tds-run:abc')).toBe('tds-run');
    expect(imageRepository('docker.io/library/tds-run:abc')).toBe('tds-run');
    expect(imageRepository('index.docker.io/library/TDS-RUN')).toBe('tds-run');
    expect(imageRepository('registry:5000/team/app:1.2@sha256:abc')).toBe('registry:5000/team/app');
    expect(imageRepository('registry:5000/team/app')).toBe('registry:5000/team/app');
  });

  it("refuses the service's own images by any spelling, and image ids", () => {
    for (const ref of [
      'tds-run:0b6f',
      'library/tds-run:0b6f',
      'docker.io/library/tds-run',
      'tds-packages:abc',
      `tds-packages@sha256:${'0'.repeat(64)}`,
      `sha256:${'a'.repeat(64)}`,
      'a'.repeat(64),
    ]) {
      expect(forbiddenImageProblem(ref), ref).toBeDefined();
    }
    for (const ref of ['debian:bookworm-slim', 'registry.local/tds-run:1', 'tds-runner:1', 'abc123']) {
      expect(forbiddenImageProblem(ref), ref).toBeUndefined();
    }
  });

  it('takes from the engine only images on the list: references, repositories and prefixes', () => {
    const list = ['debian:bookworm-slim', 'python', 'registry.local/ops/*', 'repo@sha256:abc', '*'];
    expect(isLocalImageAllowed('debian:bookworm-slim', list)).toBe(true);
    expect(isLocalImageAllowed('docker.io/library/debian:bookworm-slim', list)).toBe(true);
    expect(isLocalImageAllowed('python:3.12', list)).toBe(true);
    expect(isLocalImageAllowed('registry.local/ops/tool:1', list)).toBe(true);
    expect(isLocalImageAllowed('repo@sha256:abc', list)).toBe(true);
    // A catch-all never lets the service's own images through.
    expect(isLocalImageAllowed('tds-run:abc', list)).toBe(false);
    expect(isLocalImageAllowed('tds-packages:abc', ['tds-*'])).toBe(false);

    const strict = ['debian:bookworm-slim', 'python', 'registry.local/ops/*', 'repo@sha256:abc'];
    expect(isLocalImageAllowed('debian:latest', strict)).toBe(false);
    expect(isLocalImageAllowed('debian', strict)).toBe(false);
    expect(isLocalImageAllowed('registry.local/other/tool:1', strict)).toBe(false);
    expect(isLocalImageAllowed('repo:latest', strict)).toBe(false);
    expect(isLocalImageAllowed('pythonista:1', strict)).toBe(false);
    expect(isLocalImageAllowed('debian:bookworm-slim', [])).toBe(false);
  });
});
