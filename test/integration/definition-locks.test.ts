import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBucket,
  createTestDatabase,
  jobBody,
  startTestService,
  type TestService,
} from '../support/harness.js';

/**
 * A definition's update and a fire of its schedule, at once. A fire holds the schedule's row and
 * queues a run (a workflow run), whose foreign key takes a KEY SHARE lock on the job's (workflow's)
 * row; an update locks that row, then waits for the schedule's. The update must lock the row as an update of it does (FOR NO
 * KEY UPDATE), or each waits for the other until Postgres fails one of them (a 500 for PATCH).
 * The fire is played by a transaction of the test's own, so the order is the test's, not timing's.
 */
let url: string;
let service: TestService;
let bucket: string;

beforeAll(async () => {
  url = await createTestDatabase();
  service = await startTestService({ roles: ['api'], databaseUrl: url });
  bucket = await createBucket();
});

afterAll(async () => {
  await service?.close();
});

/** Waits until a statement of another session waits for a lock. */
async function someoneWaitsForALock(client: pg.Client): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    const { rows } = await client.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
    );
    if (rows[0].n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('no statement came to wait for a lock');
}

const KINDS = [
  {
    kind: 'job',
    post: () => service.request('POST', '/jobs', jobBody(bucket, { cron: '0 3 * * *' })),
    idOf: (body: Record<string, { id: string }>) => body.job!.id,
    path: '/jobs',
    table: 'jobs',
    owner: 'job_id',
  },
  {
    kind: 'workflow',
    post: () =>
      service.request('POST', '/workflows', {
        ...jobBody(bucket, { cron: '0 3 * * *' }),
        command: undefined,
        steps: [{ name: 'a', command: 'true' }],
      }),
    idOf: (body: Record<string, { id: string }>) => body.workflow!.id,
    path: '/workflows',
    table: 'workflows',
    owner: 'workflow_id',
  },
];

describe.each(KINDS)("a $kind's update while its schedule fires", ({ post, idOf, path, table, owner }) => {
  it('waits for the fire, then changes the schedule: neither fails', async () => {
    const posted = await post();
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    const id = idOf(posted.body);

    const fire = new pg.Client({ connectionString: url });
    await fire.connect();
    try {
      await fire.query('BEGIN');
      // The fire holds the schedule's row.
      await fire.query(`SELECT 1 FROM schedules WHERE ${owner} = $1::uuid FOR UPDATE`, [id]);
      const patched = service.request('PATCH', `${path}/${id}`, { cron: '0 4 * * *' });
      // The update has the definition's row and waits for the schedule's.
      await someoneWaitsForALock(fire);
      // The fire's run takes the lock its foreign key takes on that row: granted at once.
      await fire.query('SET LOCAL lock_timeout = 5000');
      await fire.query(`SELECT 1 FROM ${table} WHERE id = $1::uuid FOR KEY SHARE`, [id]);
      await fire.query('COMMIT');
      const answer = await patched;
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body.schedule).toMatchObject({ cron: '0 4 * * *' });
    } finally {
      await fire.end();
    }
  });
});
