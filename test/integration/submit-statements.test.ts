import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBucket, jobBody, startTestService, type TestService } from '../support/harness.js';

/**
 * What a job's submit costs the database: its statements as the service sends them, counted. A
 * submit stores the job, queues its first run and writes its audit row in one statement, with no
 * transaction around it, and that statement also reads the workers that claim now (for the
 * answer's waiting_reason); the checks before it read the user's settings.
 */
let service: TestService;
let bucket: string;
const statements: string[] = [];

beforeAll(async () => {
  service = await startTestService({ roles: ['api'], observeQuery: (sql) => statements.push(sql) });
  bucket = await createBucket();
});

afterAll(async () => {
  await service?.close();
});

const kinds = (sqls: string[]) =>
  sqls.map((sql) => {
    if (/^\s*(?:BEGIN|COMMIT|ROLLBACK)\b/.test(sql)) return sql.trim();
    if (/\bINSERT INTO jobs\b/.test(sql)) return 'insert job';
    if (/\bFROM users\b/.test(sql)) return 'user settings';
    if (/\bFROM runs WHERE state = 'queued'/.test(sql)) return 'queued count';
    if (/\bFROM workers w WHERE\b/.test(sql)) return 'claiming workers';
    return sql.replace(/\s+/g, ' ').trim().slice(0, 80);
  });

describe('POST /jobs', () => {
  it('stores the job, its first run and its audit row in one statement', async () => {
    // The first submit counts the queue and finds the bucket; the next ones within a second
    // reuse both.
    const first = await service.request('POST', '/jobs', jobBody(bucket));
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    statements.length = 0;
    const { status, body } = await service.request('POST', '/jobs', jobBody(bucket));
    expect(status, JSON.stringify(body)).toBe(202);
    // The answer says why the run would wait (GET /runs/:id's waiting_reason) from the workers
    // claiming now, read by the same statement.
    expect(kinds(statements)).toEqual(['user settings', 'insert job']);

    // Nothing of it is lost: the job, its run queued with its first event, and the audit row.
    const [row] = await service.db.query<{ runs: number; events: number; audited: number }>(
      `SELECT (SELECT count(*)::int FROM runs WHERE job_id = $1::uuid AND id = $2::uuid AND state = 'queued') AS runs,
              (SELECT count(*)::int FROM run_events WHERE run_id = $2::uuid) AS events,
              (SELECT count(*)::int FROM audit_log WHERE action = 'job.created' AND target_id = $1::text
                 AND owner_id = $3 AND summary ->> 'runId' = $2::text) AS audited`,
      [body.job.id, body.run.id, body.job.userId],
    );
    expect(row).toEqual({ runs: 1, events: 1, audited: 1 });

    // A repeat of the same job stores nothing more and answers the stored one.
    statements.length = 0;
    const again = await service.request('POST', '/jobs', { ...jobBody(bucket), uniqueId: body.job.uniqueId });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.job.id).toBe(body.job.id);
    const [audited] = await service.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'job.created' AND target_id = $1`,
      [body.job.id],
    );
    expect(audited?.n).toBe(1);
  });
});
