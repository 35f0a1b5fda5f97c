import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/harness.js';

let service: TestService;
const lines: string[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  service = await startTestService({ roles: ['api'], logger: pino({ level: 'info' }, sink) });
});

afterAll(async () => {
  await service?.close();
});

describe('request logs', () => {
  it("log a download link's request without its token", async () => {
    const token = 'secret-token-value.with-a-signature';
    await service.request('GET', `/files?token=${token}`);
    await service.request('GET', `/files?other=1&token=${token}`);
    const logged = lines.filter((line) => line.includes('/files?'));
    expect(logged.length).toBeGreaterThanOrEqual(2);
    expect(logged.some((line) => line.includes('token=[redacted]'))).toBe(true);
    expect(lines.join('\n')).not.toContain(token);
  });
});
