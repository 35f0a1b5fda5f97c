import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

/** A stream that keeps what is written to it, a terminal or not. */
function capture(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { isTTY });
  return { stream, text: () => chunks.join('') };
}

describe("the service's log", () => {
  it('is one JSON object a line for a collector, and with auto when not on a terminal', () => {
    for (const format of ['json', 'auto'] as const) {
      const out = capture(false);
      const logger = createLogger('info', format, { service: 'tds' }, out.stream);
      logger.info({ runId: 'r1' }, 'run claimed');
      const lines = out.text().trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({
        level: 30,
        service: 'tds',
        runId: 'r1',
        msg: 'run claimed',
      });
    }
  });

  it('is a line a person reads with pretty, or with auto on a terminal', () => {
    for (const [format, isTTY] of [
      ['pretty', false],
      ['auto', true],
    ] as const) {
      const out = capture(isTTY);
      const logger = createLogger('info', format, { service: 'tds', workerId: 'w1' }, out.stream);
      logger.info({ runId: 'r1' }, 'run claimed');
      logger.debug('not at this level');
      const line = out.text();
      expect(line).toMatch(/\d\d:\d\d:\d\d\.\d{3}/);
      expect(line).toContain('INFO');
      expect(line).toContain('run claimed');
      expect(line).toContain('r1');
      expect(line).not.toContain('not at this level');
      expect(() => JSON.parse(line)).toThrow();
      expect(line.trimEnd().split('\n')).toHaveLength(1);
    }
  });
});
