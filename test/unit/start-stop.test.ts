import { describe, expect, it } from 'vitest';
import { startStop, startStopAll, type StartStop } from '../../src/start-stop.js';

function part(
  log: string[],
  name: string,
  options: { failStart?: boolean; failStop?: boolean } = {},
): StartStop {
  return startStop({
    async start() {
      await Promise.resolve();
      if (options.failStart) throw new Error(`${name} cannot start`);
      log.push(`start ${name}`);
    },
    async stop() {
      await Promise.resolve();
      log.push(`stop ${name}`);
      if (options.failStop) throw new Error(`${name} cannot stop`);
    },
  });
}

describe('the start/stop shape', () => {
  it('starts once and stops once, however often each is called', async () => {
    const log: string[] = [];
    const p = part(log, 'a');
    await Promise.all([p.start(), p.start()]);
    await p.start();
    await Promise.all([p.stop(), p.stop()]);
    await p.stop();
    expect(log).toEqual(['start a', 'stop a']);
  });

  it('does nothing when stopped before it was started', async () => {
    const log: string[] = [];
    await part(log, 'a').stop();
    expect(log).toEqual([]);
  });

  it('waits for a start under way before stopping, and starts again after a stop', async () => {
    const log: string[] = [];
    const p = part(log, 'a');
    const starting = p.start();
    await p.stop();
    await starting;
    await p.start();
    expect(log).toEqual(['start a', 'stop a', 'start a']);
  });

  it('stays stopped when its start fails, so it may be started again', async () => {
    let fail = true;
    const log: string[] = [];
    const p = startStop({
      start() {
        if (fail) throw new Error('not yet');
        log.push('start');
      },
      stop() {
        log.push('stop');
      },
    });
    await expect(p.start()).rejects.toThrow('not yet');
    await p.stop();
    fail = false;
    await p.start();
    expect(log).toEqual(['start']);
  });
});

describe('parts started together', () => {
  it('start in order and stop in reverse', async () => {
    const log: string[] = [];
    const all = startStopAll([part(log, 'a'), part(log, 'b'), part(log, 'c')]);
    await all.start();
    await all.stop();
    expect(log).toEqual(['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
  });

  it('stop the ones started when a later one fails to start', async () => {
    const log: string[] = [];
    const all = startStopAll([part(log, 'a'), part(log, 'b'), part(log, 'c', { failStart: true })]);
    await expect(all.start()).rejects.toThrow('c cannot start');
    expect(log).toEqual(['start a', 'start b', 'stop b', 'stop a']);
  });

  it('all stop when one fails to, and the failure is reported', async () => {
    const log: string[] = [];
    const all = startStopAll([part(log, 'a'), part(log, 'b', { failStop: true }), part(log, 'c')]);
    await all.start();
    await expect(all.stop()).rejects.toThrow('b cannot stop');
    expect(log.slice(3)).toEqual(['stop c', 'stop b', 'stop a']);
  });
});
