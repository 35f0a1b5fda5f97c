import { describe, expect, it } from 'vitest';
import type { SqlExecutor } from '../../services/db/database.js';
import { createQueueRoom } from '../../src/runs/queue-room.js';

/** The queue as the counts see it: queued runs by user, and the statements asked. */
function queueOf(queued: Record<string, number>) {
  const asked: string[] = [];
  const db: SqlExecutor = {
    async query<Row>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
      await Promise.resolve();
      const byUser = sql.includes('user_id');
      asked.push(byUser ? `user ${String(params[0])}` : 'all');
      const limit = Number(params[byUser ? 1 : 0]);
      const n = byUser
        ? (queued[String(params[0])] ?? 0)
        : Object.values(queued).reduce((sum, count) => sum + count, 0);
      return [{ n: Math.min(n, limit) }] as Row[];
    },
  };
  return { db, asked };
}

describe('the queued-runs limits', () => {
  it('counts once a second while there is room, not once a request', async () => {
    const { db, asked } = queueOf({ a: 0 });
    const room = createQueueRoom(db, { perUser: 100, total: 1000 });
    for (let i = 0; i < 50; i += 1) expect(await room.problem('a')).toBeUndefined();
    expect(asked).toEqual(['user a', 'all']);
  });

  it('lets no more in than the limit, however many ask at once', async () => {
    const queued = { a: 1 };
    const { db } = queueOf(queued);
    const room = createQueueRoom(db, { perUser: 4, total: 1000 });
    // Each let in is stored (queued) as it is answered.
    const ask = () =>
      room.problem('a').then((problem) => {
        if (problem === undefined) queued.a += 1;
        return problem;
      });
    const answers = await Promise.all(Array.from({ length: 10 }, ask));
    expect(queued.a).toBe(4);
    expect(answers.filter((problem) => problem === undefined)).toHaveLength(3);
    expect(answers.find((problem) => problem !== undefined)?.message).toMatch(
      /^user "a" has 4 runs queued, the most one user may have/,
    );
  });

  it('refuses only on a fresh count: a run that left the queue makes room at once', async () => {
    const queued = { a: 2 };
    const { db, asked } = queueOf(queued);
    const room = createQueueRoom(db, { perUser: 3, total: 1000 });
    expect(await room.problem('a')).toBeUndefined();
    // The queue as the database has it: three.
    queued.a = 3;
    expect(await room.problem('a')).toBeDefined();
    // One started: the next request is let in though the remembered count said three.
    queued.a = 2;
    expect(await room.problem('a')).toBeUndefined();
    expect(asked.filter((what) => what === 'user a').length).toBe(3);
  });

  it('holds the service to its total, whoever asks', async () => {
    const { db } = queueOf({ a: 3, b: 2 });
    const room = createQueueRoom(db, { perUser: 10, total: 5 });
    const problem = await room.problem('c');
    expect(problem?.message).toMatch(/^the service has 5 runs queued, the most it takes/);
  });
});
