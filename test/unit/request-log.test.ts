import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../src/api/request-log.js';

describe('request URLs as logged', () => {
  it("replaces a download link's token, however it is spelled, and keeps the rest", () => {
    expect(redactUrl('/files?token=abc.def')).toBe('/files?token=[redacted]');
    expect(redactUrl('/files?x=1&token=abc.def&y=2')).toBe('/files?x=1&token=[redacted]&y=2');
    expect(redactUrl('/files?TOKEN=abc')).toBe('/files?TOKEN=[redacted]');
    expect(redactUrl('/files?%74oken=abc')).toBe('/files?%74oken=[redacted]');
    expect(redactUrl('/files?token=a&token=b')).toBe('/files?token=[redacted]&token=[redacted]');
    expect(redactUrl('/files?token')).toBe('/files?token=[redacted]');
    expect(redactUrl('/runs?userId=akhil&limit=5')).toBe('/runs?userId=akhil&limit=5');
    expect(redactUrl('/runs/0192')).toBe('/runs/0192');
    expect(redactUrl('/files?%E0%A4%A=1&token=z')).toBe('/files?%E0%A4%A=1&token=[redacted]');
  });
});
